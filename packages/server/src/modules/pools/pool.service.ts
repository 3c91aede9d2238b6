import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import type { PoolTable } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { DestinationService } from '../destinations/destination.service.js';
import { validatePoolMatch } from '../ingest/pool-rules.js';
import { DEFAULT_HOLD_SECONDS, type ExhaustionPolicy, type Pool, toPool } from './pool.js';
import * as repo from './pool.repository.js';
import {
  checkSizingInput,
  LIMITS,
  type ObservedTraffic,
  observedTraffic,
  ruleOfTwenty,
  type Sizing,
  type SizingInput,
  sizePool,
} from './pool-sizing.js';
import {
  type NumberUsage,
  PAGE_OPEN_MS,
  PEAK_WINDOW_MS,
  type PoolUsage,
  peakBusy,
  poolUsage,
} from './pool-usage.js';

export interface PoolInput {
  name: string;
  priority?: number;
  match?: unknown;
  holdSeconds?: number;
  exhaustionPolicy?: ExhaustionPolicy;
  fallbackNumberId?: string | null;
  destinationId?: string | null;
  numberIds?: string[];
}

/** How long before the peak window a lease may have started and still be read. */
const LOOKBACK_MS = 6 * 3_600_000;
const DAY_MS = 86_400_000;

/** A pool's recommended size from its own traffic, beside what it went through. */
export interface ObservedSizing {
  poolId: string;
  /** observed: enough history for the model; too_little_data: only the rule of 20 is given. */
  basis: 'observed' | 'too_little_data';
  accuracy: number;
  timeZone: string;
  observed: Omit<ObservedTraffic, 'enough'> & {
    from: number;
    to: number;
    size: number;
    holdSeconds: number;
    exhaustedCount: number;
    lastExhaustedAt: number | null;
    /** Most numbers busy at once over the last peakWindowHours, from the leases (as in pool usage). */
    peakBusy: number;
    peakAt: number | null;
    peakWindowHours: number;
  };
  ruleOfTwenty: number;
  recommendation: Sizing | null;
}

export class PoolService {
  constructor(private readonly deps: { db: Db; clock: Clock; destinations: DestinationService }) {}

  async list(projectId: string): Promise<Pool[]> {
    const rows = await repo.listPools(this.deps.db, projectId);
    const members = await repo.poolMembers(
      this.deps.db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => toPool(r, members.get(r.id) ?? []));
  }

  /**
   * What each pool's numbers are doing now (free, leased to an open page, held after the page closed) and the
   * busiest moment of the last day, from the lease rows. Leases that began more than LOOKBACK_MS before the
   * window are not read (the index stays a range scan), so a page kept open for over 30 hours shows as free here
   * (allocation is not affected).
   */
  async usage(projectId: string): Promise<{
    at: number;
    pageOpenSeconds: number;
    peakWindowHours: number;
    pools: (PoolUsage & { exhaustedCount: number; lastExhaustedAt: number | null })[];
    numbers: NumberUsage[];
  }> {
    const now = this.deps.clock.now();
    const pools = await this.list(projectId);
    const leases = await repo.leasesOfNumbers(
      this.deps.db,
      pools.flatMap((p) => p.numberIds),
      now - PEAK_WINDOW_MS - LOOKBACK_MS,
    );
    const usage = poolUsage(pools, leases, now);
    const byId = new Map(pools.map((p) => [p.id, p]));
    return {
      at: now,
      pageOpenSeconds: PAGE_OPEN_MS / 1000,
      peakWindowHours: PEAK_WINDOW_MS / 3_600_000,
      pools: usage.pools.map((u) => ({
        ...u,
        exhaustedCount: byId.get(u.poolId)?.exhaustedCount ?? 0,
        lastExhaustedAt: byId.get(u.poolId)?.lastExhaustedAt ?? null,
      })),
      numbers: usage.numbers,
    };
  }

  /** The pool calculator for planned traffic. */
  sizing(input: SizingInput): Sizing {
    const problems = checkSizingInput(input);
    if (problems.length > 0) throw new AppError('validation_failed', problems.join('; '), { problems });
    return sizePool(input);
  }

  /**
   * The calculator fed with the pool's own visits of the last `days` days (or since the pool was made): their
   * daily count, the busiest hour of the day in `timeZone`, the mean visit length; with the pool's hold and size.
   */
  async observedSizing(
    projectId: string,
    id: string,
    q: { days: number; accuracy: number; timeZone: string },
  ): Promise<ObservedSizing> {
    const pool = await this.get(projectId, id);
    const now = this.deps.clock.now();
    const from = Math.max(now - q.days * DAY_MS, pool.createdAt);
    const days = Math.round(((now - from) / DAY_MS) * 100) / 100;
    const hours = await repo.poolVisitsByHour(this.deps.db, projectId, id, from, now);
    const { enough, ...traffic } = observedTraffic(hours, days, q.timeZone);
    const leases = await repo.leasesOfNumbers(
      this.deps.db,
      pool.numberIds,
      now - PEAK_WINDOW_MS - LOOKBACK_MS,
    );
    const peak = peakBusy(leases, now - PEAK_WINDOW_MS, now);
    const recommendation =
      enough && traffic.busiestHourShare !== null && traffic.meanVisitSeconds !== null
        ? this.sizing({
            dailyVisitors: traffic.visits / days,
            busiestHourShare: traffic.busiestHourShare,
            // A page left open for days says nothing about the typical visit.
            visitSeconds: Math.min(traffic.meanVisitSeconds, LIMITS.maxVisitSeconds),
            holdSeconds: pool.holdSeconds,
            accuracy: q.accuracy,
            currentSize: pool.numberIds.length,
          })
        : null;
    return {
      poolId: pool.id,
      basis: recommendation ? 'observed' : 'too_little_data',
      accuracy: q.accuracy,
      timeZone: q.timeZone,
      observed: {
        from,
        to: now,
        ...traffic,
        size: pool.numberIds.length,
        holdSeconds: pool.holdSeconds,
        exhaustedCount: pool.exhaustedCount,
        lastExhaustedAt: pool.lastExhaustedAt,
        peakBusy: peak.peak,
        peakAt: peak.at,
        peakWindowHours: PEAK_WINDOW_MS / 3_600_000,
      },
      ruleOfTwenty: ruleOfTwenty(traffic.dailyVisitors),
      recommendation,
    };
  }

  async get(projectId: string, id: string): Promise<Pool> {
    const row = await repo.findPool(this.deps.db, projectId, id);
    if (!row) throw notFound(`pool ${id}`);
    return toPool(row, (await repo.poolMembers(this.deps.db, [id])).get(id) ?? []);
  }

  async create(projectId: string, input: PoolInput): Promise<Pool> {
    const now = this.deps.clock.now();
    const row: PoolTable = {
      id: newId(),
      project_id: projectId,
      name: input.name.trim(),
      priority: input.priority ?? 100,
      match: '{}',
      hold_seconds: input.holdSeconds ?? DEFAULT_HOLD_SECONDS,
      exhaustion_policy: input.exhaustionPolicy ?? 'reuse_oldest',
      fallback_number_id: null,
      destination_id: null,
      exhausted_count: 0,
      last_exhausted_at: null,
      exhaustion_alerted_at: null,
      created_at: now,
      updated_at: now,
    };
    const numberIds = input.numberIds ?? [];
    await this.check(row, input, numberIds);
    await repo.savePool(this.deps.db, row, numberIds, 'insert');
    return this.get(projectId, row.id);
  }

  async update(projectId: string, id: string, input: Partial<PoolInput>): Promise<Pool> {
    const current = await repo.findPool(this.deps.db, projectId, id);
    if (!current) throw notFound(`pool ${id}`);
    const row: PoolTable = { ...current, updated_at: this.deps.clock.now() };
    if (input.name !== undefined) row.name = input.name.trim();
    if (input.priority !== undefined) row.priority = input.priority;
    if (input.holdSeconds !== undefined) row.hold_seconds = input.holdSeconds;
    if (input.exhaustionPolicy !== undefined) row.exhaustion_policy = input.exhaustionPolicy;
    await this.check(row, input, input.numberIds);
    await repo.savePool(this.deps.db, row, input.numberIds, 'update');
    return this.get(projectId, id);
  }

  async remove(projectId: string, id: string): Promise<void> {
    await this.get(projectId, id);
    await repo.deletePool(this.deps.db, projectId, id);
  }

  /** Validates references and rules, writing the checked values into `row`. */
  private async check(row: PoolTable, input: Partial<PoolInput>, numberIds: readonly string[] | undefined) {
    if (input.match !== undefined) {
      const checked = validatePoolMatch(input.match);
      if (!checked.ok)
        throw new AppError('validation_failed', `match: ${checked.errors.join('; ')}`, {
          problems: checked.errors,
        });
      row.match = JSON.stringify(checked.value);
    }
    if (input.destinationId !== undefined) {
      if (input.destinationId !== null)
        await this.deps.destinations.assertInProject(row.project_id, input.destinationId);
      row.destination_id = input.destinationId;
    }
    const wanted = [
      ...new Set([...(numberIds ?? []), ...(input.fallbackNumberId ? [input.fallbackNumberId] : [])]),
    ];
    const found = new Map(
      (await repo.numbersForPool(this.deps.db, row.project_id, wanted)).map((n) => [n.id, n]),
    );
    for (const id of numberIds ?? []) {
      const number = found.get(id);
      if (!number) throw new AppError('validation_failed', `number ${id} is not in this project`);
      if (number.channel_id !== null)
        throw new AppError('number_in_use', `number ${id} serves a static channel`);
      if (number.pool_id !== null && number.pool_id !== row.id) {
        throw new AppError('number_in_use', `number ${id} already serves another pool`);
      }
    }
    if (input.fallbackNumberId !== undefined) {
      const id = input.fallbackNumberId;
      if (id !== null) {
        if (!found.has(id))
          throw new AppError('validation_failed', `fallback number ${id} is not in this project`);
        // The fallback is shown to many visitors at once, so lending it out as a pool member would be wrong.
        const members = numberIds ?? (await repo.poolMembers(this.deps.db, [row.id])).get(row.id) ?? [];
        if (members.includes(id))
          throw new AppError('validation_failed', 'the fallback number cannot be a member of the pool');
      }
      row.fallback_number_id = id;
    }
    if (row.exhaustion_policy === 'fallback' && row.fallback_number_id === null) {
      throw new AppError('validation_failed', 'exhaustionPolicy "fallback" needs a fallbackNumberId');
    }
  }
}
