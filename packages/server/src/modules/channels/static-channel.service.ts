import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import type { StaticChannelTable } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { validatePoolMatch } from '../ingest/pool-rules.js';
import { type OfflineMedium, type StaticChannel, toStaticChannel } from './static-channel.js';
import * as repo from './static-channel.repository.js';

export interface StaticChannelInput {
  name: string;
  kind: 'online' | 'offline';
  source?: string;
  medium?: string;
  offlineMedium?: OfflineMedium | null;
  campaign?: string | null;
  numberId: string;
  swapMatch?: unknown | null;
}

export class StaticChannelService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async list(projectId: string): Promise<StaticChannel[]> {
    return (await repo.listChannels(this.deps.db, projectId)).map(toStaticChannel);
  }

  async get(projectId: string, id: string): Promise<StaticChannel> {
    const row = await repo.findChannel(this.deps.db, projectId, id);
    if (!row) throw notFound(`static channel ${id}`);
    return toStaticChannel(row);
  }

  async create(projectId: string, input: StaticChannelInput): Promise<StaticChannel> {
    const now = this.deps.clock.now();
    const row: StaticChannelTable = {
      id: newId(),
      project_id: projectId,
      created_at: now,
      updated_at: now,
      ...(await this.columns(projectId, input, undefined)),
    };
    await repo.insertChannel(this.deps.db, row);
    return toStaticChannel(row);
  }

  async update(projectId: string, id: string, input: Partial<StaticChannelInput>): Promise<StaticChannel> {
    const current = await repo.findChannel(this.deps.db, projectId, id);
    if (!current) throw notFound(`static channel ${id}`);
    const merged = { ...toStaticChannel(current), ...input };
    const patch = { ...(await this.columns(projectId, merged, id)), updated_at: this.deps.clock.now() };
    await repo.updateChannel(this.deps.db, projectId, id, patch);
    return toStaticChannel({ ...current, ...patch });
  }

  async remove(projectId: string, id: string): Promise<void> {
    await this.get(projectId, id);
    await repo.deleteChannel(this.deps.db, projectId, id);
  }

  private async columns(projectId: string, input: StaticChannelInput, selfId: string | undefined) {
    const number = await repo.numberForChannel(this.deps.db, projectId, input.numberId);
    if (!number) throw new AppError('validation_failed', `number ${input.numberId} is not in this project`);
    if (number.pool_id !== null) throw new AppError('number_in_use', 'this number serves a dynamic pool');
    if (number.channel_id !== null && number.channel_id !== selfId) {
      throw new AppError('number_in_use', 'this number already serves another static channel');
    }
    let swapMatch: string | null = null;
    if (input.swapMatch !== undefined && input.swapMatch !== null) {
      const checked = validatePoolMatch(input.swapMatch);
      if (!checked.ok)
        throw new AppError('validation_failed', `swapMatch: ${checked.errors.join('; ')}`, {
          problems: checked.errors,
        });
      // An empty match is a catch-all: every visitor would see this channel's number and no pool would ever be used.
      if ((checked.value.all ?? []).length === 0 && (checked.value.any ?? []).length === 0) {
        throw new AppError(
          'validation_failed',
          'swapMatch needs at least one rule (use null to never show the number)',
        );
      }
      swapMatch = JSON.stringify(checked.value);
    }
    const offline = input.kind === 'offline';
    const offlineMedium = offline ? (input.offlineMedium ?? 'other') : null;
    return {
      name: input.name.trim(),
      kind: input.kind,
      // Offline channels read as e.g. billboard / offline in reports unless the user names them otherwise.
      source: (input.source ?? (offline ? offlineMedium : undefined) ?? input.name).trim().toLowerCase(),
      medium: (input.medium ?? (offline ? 'offline' : 'referral')).trim().toLowerCase(),
      offline_medium: offlineMedium,
      campaign: input.campaign ?? null,
      tracking_number_id: input.numberId,
      swap_match: swapMatch,
    };
  }
}
