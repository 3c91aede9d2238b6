import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import type { TrackingNumberTable } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { toMinorUnits } from '../../money.js';
import type { DestinationService } from '../destinations/destination.service.js';
import { type NumberStatus, type TrackingNumber, toTrackingNumber } from './number.js';
import * as repo from './number.repository.js';
import { type ImportProblem, type ImportRowInput, validateImportRows } from './number-import.js';

export interface ProjectContext {
  id: string;
  country: string;
  currency: string;
}

export interface ImportResult {
  imported: TrackingNumber[];
  /** Already in this project: importing the same file twice is harmless. */
  skipped: { row: number; number: string }[];
  problems: ImportProblem[];
}

export interface NumberPatch {
  label?: string;
  provider?: string;
  providerRef?: string | null;
  status?: NumberStatus;
  monthlyCost?: number;
  destinationId?: string | null;
}

export class NumberService {
  constructor(private readonly deps: { db: Db; clock: Clock; destinations: DestinationService }) {}

  async list(projectId: string, filter: repo.NumberFilter): Promise<TrackingNumber[]> {
    return (await repo.listNumbers(this.deps.db, projectId, filter)).map(toTrackingNumber);
  }

  async get(projectId: string, id: string): Promise<TrackingNumber> {
    const row = await repo.findNumber(this.deps.db, projectId, id);
    if (!row) throw notFound(`number ${id}`);
    return toTrackingNumber(row);
  }

  /** Adds one number; the same checks as an import of one row, with the row's problem as the error. */
  async create(project: ProjectContext, input: ImportRowInput): Promise<TrackingNumber> {
    const result = await this.import(project, [{ line: 1, input }], { partial: false });
    const [created] = result.imported;
    if (created) return created;
    if (result.skipped.length > 0) throw new AppError('conflict', 'this number is already in the project');
    throw new AppError('validation_failed', 'invalid number', { problems: result.problems });
  }

  /**
   * Imports many numbers. By default all-or-nothing: one bad row rejects the whole import, and the answer lists
   * every bad row with its reason. With `partial`, the good rows are imported and the bad ones reported.
   */
  async import(
    project: ProjectContext,
    rows: readonly { line: number; input: ImportRowInput }[],
    options: { partial: boolean },
  ): Promise<ImportResult> {
    const { valid, problems } = validateImportRows(rows, project);
    const owners = new Map(
      (
        await repo.findOwners(
          this.deps.db,
          valid.map((r) => r.e164),
        )
      ).map((o) => [o.e164, o.project_id]),
    );
    const skipped: ImportResult['skipped'] = [];
    const fresh = valid.filter((row) => {
      const owner = owners.get(row.e164);
      if (owner === undefined) return true;
      if (owner === project.id) skipped.push({ row: row.line, number: row.e164 });
      // Another project's number: say it is taken, without saying whose.
      else
        problems.push({
          row: row.line,
          input: row.e164,
          code: 'number_taken',
          reason: 'belongs to another project',
        });
      return false;
    });
    problems.sort((a, b) => a.row - b.row);
    if (problems.length > 0 && !options.partial) {
      if (rows.length === 1) {
        const code = problems[0]?.code === 'number_taken' ? 'number_in_use' : 'invalid_phone_number';
        throw new AppError(code, problems[0]?.reason ?? 'invalid number', { problems });
      }
      throw new AppError(
        'validation_failed',
        `${problems.length} of ${rows.length} rows are invalid; nothing was imported`,
        {
          problems,
        },
      );
    }
    const now = this.deps.clock.now();
    const inserted: TrackingNumberTable[] = fresh.map((r) => ({
      id: newId(),
      project_id: project.id,
      e164: r.e164,
      label: r.label,
      provider: r.provider,
      provider_ref: r.providerRef,
      status: r.status,
      monthly_cost_minor: r.monthlyCostMinor,
      cost_currency: project.currency,
      destination_id: null,
      pool_id: null,
      released_at: 0,
      created_at: now,
      updated_at: now,
    }));
    await repo.insertNumbers(this.deps.db, inserted);
    return { imported: inserted.map(toTrackingNumber), skipped, problems };
  }

  async update(project: ProjectContext, id: string, patch: NumberPatch): Promise<TrackingNumber> {
    const row = await repo.findNumber(this.deps.db, project.id, id);
    if (!row) throw notFound(`number ${id}`);
    const set: Partial<TrackingNumberTable> = { updated_at: this.deps.clock.now() };
    if (patch.label !== undefined) set.label = patch.label;
    if (patch.provider !== undefined) set.provider = patch.provider;
    if (patch.providerRef !== undefined) set.provider_ref = patch.providerRef;
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.monthlyCost !== undefined) {
      const minor = toMinorUnits(patch.monthlyCost, row.cost_currency);
      if (minor === undefined || minor < 0)
        throw new AppError('validation_failed', 'monthlyCost must be a non-negative amount');
      set.monthly_cost_minor = minor;
    }
    if (patch.destinationId !== undefined) {
      if (patch.destinationId !== null)
        await this.deps.destinations.assertInProject(project.id, patch.destinationId);
      set.destination_id = patch.destinationId;
    }
    await repo.updateNumber(this.deps.db, project.id, id, set);
    return toTrackingNumber({ ...row, ...set });
  }

  async remove(projectId: string, id: string): Promise<void> {
    await this.get(projectId, id);
    const usage = await repo.numberUsage(this.deps.db, id);
    if (usage.channel)
      throw new AppError('number_in_use', `the static channel "${usage.channel}" uses this number`);
    if (usage.fallbackOf)
      throw new AppError('number_in_use', `the pool "${usage.fallbackOf}" falls back to this number`);
    await repo.deleteNumber(this.deps.db, projectId, id);
  }
}
