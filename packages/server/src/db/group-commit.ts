import type { Db } from './connect.js';

type Job<T> = (trx: Db) => Promise<T>;

interface Pending {
  job: Job<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit: runs many small write jobs in one transaction, and answers each caller only after that
 * transaction has committed, so nothing acknowledged can be lost. One commit (one fsync) per group instead of
 * per job is what lets the tracker path keep up with page views. Jobs of a group run one after another; if the
 * group's transaction fails, each of its jobs is retried alone, so one bad job cannot fail the others.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private workers = 0;
  private readonly maxGroup: number;
  private readonly concurrency: number;

  constructor(
    private readonly db: Db,
    options: { maxGroup?: number; concurrency?: number } = {},
  ) {
    this.maxGroup = options.maxGroup ?? 64;
    this.concurrency = options.concurrency ?? 1;
  }

  run<T>(job: Job<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, resolve: resolve as (v: unknown) => void, reject });
      if (this.workers < this.concurrency) {
        this.workers += 1;
        // Let the requests that arrived in the same tick join this group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxGroup);
      const results: unknown[] = [];
      try {
        await this.db.transaction().execute(async (trx) => {
          results.length = 0;
          for (const item of group) results.push(await item.job(trx));
        });
        for (const [i, item] of group.entries()) item.resolve(results[i]);
      } catch {
        for (const item of group) {
          try {
            item.resolve(await this.db.transaction().execute((trx) => item.job(trx)));
          } catch (error) {
            item.reject(error);
          }
        }
      }
      // Give the event loop a turn: requests waiting to be read, timers, other I/O.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.workers -= 1;
  }
}
