import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Logger } from '../../logger.js';

/** Row versions of `tracking_number` written since the last vacuum that make the next one due. */
export const VACUUM_AFTER_WRITES = 2_000;
/** At most one vacuum in this interval, however fast numbers are claimed. */
export const VACUUM_MIN_INTERVAL_MS = 1_000;

/**
 * Keeps `tracking_number` small on PostgreSQL in shared mode. Every claim and hold writes a new version of a number's
 * row, and since `released_at` is indexed none of them is a HOT update: an exhausted pool of 1,000 numbers at 1,000
 * page views/s leaves ~1,400 dead versions a second, in the heap and in the claim's index, right where the claim
 * starts reading (the old release moments). Autovacuum looks at a database at most once a minute, so they pile up:
 * 30,000 of them made the claim read 31,000 index entries and 350 heap pages, 4.3 ms instead of 0.7 ms after a
 * vacuum (EXPLAIN ANALYZE, docs/benchmarks.md). A plain VACUUM of this one small table takes no lock that page views
 * wait for (SKIP_LOCKED: if another instance is vacuuming it, this one does not wait either).
 *
 * It ANALYZEs the table too. The claim's best plan is the pool index read in order until it has enough unlocked
 * numbers; without fresh statistics PostgreSQL guessed a handful of free numbers where thousands were, and sorted
 * every one of them on each claim (a 10,000-number pool: a bitmap scan and a sort of ~5,000 rows, 2–7 ms). How
 * many numbers are free changes all the time, and autoanalyze, like autovacuum, comes by once a minute at most.
 */
export class NumberVacuum {
  private writes = 0;
  private lastAt = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | undefined;
  /** Vacuums run so far, and whether one failed (then no more are tried). */
  runs = 0;
  failed = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly options = { afterWrites: VACUUM_AFTER_WRITES, minIntervalMs: VACUUM_MIN_INTERVAL_MS },
  ) {}

  /** Counts the number rows a committed group wrote, and starts a vacuum (not awaited) when one is due. */
  noteWrites(count: number, now = performance.now()): void {
    this.writes += count;
    if (this.failed || this.running || this.writes < this.options.afterWrites) return;
    if (now - this.lastAt < this.options.minIntervalMs) return;
    this.writes = 0;
    this.lastAt = now;
    this.runs += 1;
    this.running = sql`vacuum (analyze, skip_locked) tracking_number`
      .execute(this.db)
      .then(
        () => {},
        (error: unknown) => {
          // Not the table's owner, say: autovacuum is left to do it, and the claims slow down under load.
          this.failed = true;
          this.log.warn({ err: error }, 'cannot vacuum tracking_number; leaving it to autovacuum');
        },
      )
      .finally(() => {
        this.running = undefined;
      });
  }

  /** The vacuum under way, if any (tests, shutdown). */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }
}
