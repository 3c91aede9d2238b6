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
 * Group commit for the shared lease state: the page views and heartbeats that arrive together run as one group, and
 * each is answered only after the group's rows are committed, so nothing acknowledged can be lost. A group reads its
 * returning visitors in one query, runs its jobs one after another over what it read, and inserts their new visits
 * and leases in one statement (SqlTrackerGroup): a handful of round trips per group instead of several per page view.
 * If a group fails, each of its jobs runs again alone, so that one bad job cannot fail the others.
 *
 * On SQLite a group is one transaction. On PostgreSQL its statements commit one by one (read, claim, insert: three
 * round trips where BEGIN and COMMIT made five), since each is atomic alone: a claim holds its numbers in the
 * statement that locks them, and the visits, leases and holds go in together. A group that fails after claiming
 * gives its numbers back. Under load every round trip is a wait for both event loops, so the page views' latency
 * follows their count (docs/benchmarks.md).
 *
 * Groups may run concurrently (PostgreSQL: round trips leave time for that), but a visitor's page views never do:
 * one whose visitor is in a running group waits for the group after it, so that it sees what the first one wrote.
 */
export class TrackerGroups {
  private queue: Pending[] = [];
  private workers = 0;
  /** Visitors of the groups being run, by `projectId|visitorId`. */
  private readonly busy = new Set<string>();
  /** Moved times being written, of groups already answered. */
  private readonly writing = new Set<Promise<void>>();
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

  /**
   * Answers the group's jobs as soon as their rows have committed, then writes the times they moved. Its
   * visitors stay busy until those are written too, so that a visitor's next page view reads them.
   */
  private async runGroup(group: Pending[]): Promise<void> {
    let ran: Ran;
    try {
      ran = await this.attempt(group);
    } catch {
      for (const pending of group) {
        const alone = await this.attempt([pending]).catch((error: unknown) => {
          pending.reject(error);
          return undefined;
        });
        if (!alone) continue;
        pending.resolve(alone.results[0]);
        await this.writeTouches(alone.store);
      }
      return;
    }
    for (const [i, pending] of group.entries()) pending.resolve(ran.results[i]);
    await this.writeTouches(ran.store);
  }

  /** The jobs, in one transaction on SQLite; their answers in order. */
  private attempt(group: readonly Pending[]): Promise<Ran> {
    if (this.dialect === 'postgres') return this.runJobs(this.db, group, true);
    return this.db.transaction().execute((trx) => this.runJobs(trx, group, false));
  }

  private async runJobs(db: Db, group: readonly Pending[], autocommit: boolean): Promise<Ran> {
    const store = await SqlTrackerGroup.open(
      db,
      this.dialect,
      group.map((p) => p.hint),
    );
    const results: unknown[] = [];
    try {
      for (const { job } of group) results.push(await job(store));
      await store.insertRows();
    } catch (error) {
      if (autocommit)
        await store
          .giveBack()
          .catch((e) =>
            this.log.error({ err: e }, 'could not give back the numbers of a failed tracker group'),
          );
      throw error;
    }
    return { results, store };
  }

  /**
   * After the commit: the answers stand whatever happens next. Moved times only ever move later, and the next page
   * view or heartbeat moves them again; a failure here is logged, not turned into a second run of committed jobs.
   */
  private async writeTouches(store: SqlTrackerGroup): Promise<void> {
    const writing = repo
      .writeTouches(this.db, this.dialect, store.touches)
      .catch((error) => this.log.error({ err: error }, 'could not write the tracker’s moved times'));
    this.writing.add(writing);
    await writing;
    this.writing.delete(writing);
    this.vacuum?.noteWrites(store.numberWrites);
  }

  /** Resolves once the moved times of every page view answered so far are written (flush, shutdown). */
  async settled(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing);
  }
}

interface Ran {
  results: unknown[];
  store: SqlTrackerGroup;
}

const keyOf = (v: VisitorKey) => visitorKey(v.projectId, v.visitorId);
