import type { Db, DialectName } from '../../db/connect.js';
import type { Logger } from '../../logger.js';
import { NumberVacuum } from './number-vacuum.js';
import { type JobHint, SqlTrackerGroup, type VisitorKey } from './sql-tracker-store.js';
import { type TrackerStore, visitorKey } from './tracker-store.js';
import * as repo from './tracking.repository.js';

type Job<T> = (store: TrackerStore) => Promise<T>;

interface Pending {
  job: Job<unknown>;
  hint: JobHint;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the shared lease state: the page views and heartbeats that arrive together run as one group,
 * in one transaction, and each is answered only after it has committed, so nothing acknowledged can be lost. A
 * group reads its returning visitors in one query, runs its jobs one after another over what it read, and inserts
 * their new visits and leases in one statement (SqlTrackerGroup): a handful of round trips per group instead of
 * several per page view. If a group's transaction fails, each of its jobs runs again alone, so that one bad job
 * cannot fail the others.
 *
 * Groups may run concurrently (PostgreSQL: round trips leave time for that), but a visitor's page views never do:
 * one whose visitor is in a running group waits for the group after it, so that it sees what the first one wrote.
 */
export class TrackerGroups {
  private queue: Pending[] = [];
  private workers = 0;
  /** Visitors of the groups being run, by `projectId|visitorId`. */
  private readonly busy = new Set<string>();
  /** PostgreSQL only: SQLite rewrites a row in place and leaves no dead versions behind. */
  readonly vacuum: NumberVacuum | undefined;

  constructor(
    private readonly db: Db,
    private readonly dialect: DialectName,
    private readonly log: Logger,
    private readonly options: { maxGroup: number; concurrency: number },
  ) {
    this.vacuum = dialect === 'postgres' ? new NumberVacuum(db, log) : undefined;
  }

  run<T>(job: Job<T>, hint: JobHint = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, hint, resolve: resolve as (value: unknown) => void, reject });
      if (this.workers < this.options.concurrency) {
        this.workers += 1;
        // Let the requests that arrived in the same tick join this group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    for (let group = this.take(); group.length > 0; group = this.take()) {
      try {
        await this.runGroup(group);
      } finally {
        for (const { hint } of group) if (hint.visitor) this.busy.delete(keyOf(hint.visitor));
      }
      // Give the event loop a turn: requests waiting to be read, timers, other I/O.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.workers -= 1;
  }

  /** The next group: queued jobs in order, but none of a visitor that a running group holds. */
  private take(): Pending[] {
    const group: Pending[] = [];
    const rest: Pending[] = [];
    for (const pending of this.queue)
      if (
        group.length < this.options.maxGroup &&
        !(pending.hint.visitor && this.busy.has(keyOf(pending.hint.visitor)))
      )
        group.push(pending);
      else rest.push(pending);
    this.queue = rest;
    for (const { hint } of group) if (hint.visitor) this.busy.add(keyOf(hint.visitor));
    return group;
  }

  private async runGroup(group: Pending[]): Promise<void> {
    let results: unknown[];
    try {
      results = await this.attempt(group);
    } catch {
      for (const pending of group)
        await this.attempt([pending]).then(([result]) => pending.resolve(result), pending.reject);
      return;
    }
    for (const [i, pending] of group.entries()) pending.resolve(results[i]);
  }

  /** One transaction for the jobs, then the times they moved; their answers in order. */
  private async attempt(group: readonly Pending[]): Promise<unknown[]> {
    const { results, store } = await this.db.transaction().execute(async (trx) => {
      const store = await SqlTrackerGroup.open(
        trx,
        this.dialect,
        group.map((p) => p.hint),
      );
      const results: unknown[] = [];
      for (const { job } of group) results.push(await job(store));
      await store.insertRows();
      return { results, store };
    });
    // Committed: the answers stand whatever happens next. Moved times only ever move later, and the next page view
    // or heartbeat moves them again; a failure here is logged, not turned into a second run of committed jobs.
    await repo
      .writeTouches(this.db, this.dialect, store.touches)
      .catch((error) => this.log.error({ err: error }, 'could not write the tracker’s moved times'));
    this.vacuum?.noteWrites(store.numberWrites);
    return results;
  }
}

const keyOf = (v: VisitorKey) => visitorKey(v.projectId, v.visitorId);
