import type { Db, DialectName } from '../../db/connect.js';
import type { LeaseTable, VisitTable } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import * as repo from './tracking.repository.js';

/** How long heartbeats and page counts may wait in memory before they are written (they coalesce meanwhile). */
export const TOUCH_FLUSH_MS = 1_000;
/** Touches per batch: a second's worth goes out in several small transactions, between which new rows go in. */
const TOUCH_CHUNK = 128;

/**
 * The writes of the in-memory tracker, batched. New visits and leases are written in one transaction per turn
 * of the event loop, and the page views that made them are answered only after it commits: a number is never
 * shown before the lease that explains a call to it is on disk. Touches (a visit's last page view, a lease's
 * heartbeat, a number's release moment) only move times later; they coalesce per row and are written once a
 * second, so a crash can lose at most that second of them, never a visit or a lease.
 */
export class TrackerWriter {
  private visits: VisitTable[] = [];
  private leases: LeaseTable[] = [];
  // Touches by row id, each with the moment it was first queued. Maps keep insertion order, and a coalesced touch
  // keeps its place: the longest-waiting touches are always at the front.
  private readonly visitTouches = new Map<string, { lastSeenAt: number; views: number; since: number }>();
  private readonly leaseTouches = new Map<
    string,
    { lastSeenAt: number | undefined; expiresAt: number; since: number }
  >();
  private readonly numberHolds = new Map<string, { until: number; since: number }>();
  /** The times of the batch being written, until it commits. */
  private inflight:
    | {
        visits: Map<string, number>;
        leases: Map<string, { lastSeenAt: number | undefined; expiresAt: number }>;
        holds: Map<string, number>;
      }
    | undefined;
  /** Touches queued before this moment are due (-1: none are); every touch is while `flushAll`. */
  private dueBefore = -1;
  private flushAll = false;
  private claims = new Map<string, number>();
  private waiters: { upTo: number; resolve(): void; reject(error: unknown): void }[] = [];
  /** Inserts queued and committed so far, counted, so that a page view waits for exactly its own batch. */
  private queued = 0;
  private committed = 0;
  /** The batch being written, and the one after it that callers arriving meanwhile share. */
  private flushing: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private nextWithTouches = false;
  private insertTimer: NodeJS.Immediate | undefined;
  private touchTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: BatchSink,
    private readonly log: Logger,
    /** Called when a batch could not be written: the caller's memory no longer matches the database. */
    private readonly onLost: () => void,
  ) {}

  insertVisit(row: VisitTable): void {
    this.visits.push(row);
    this.queued += 1;
    this.scheduleInserts();
  }

  insertLease(row: LeaseTable): void {
    this.leases.push(row);
    this.queued += 1;
    this.scheduleInserts();
  }

  touchVisit(id: string, at: number, views: number): void {
    const touch = this.visitTouches.get(id);
    if (touch) {
      touch.lastSeenAt = Math.max(touch.lastSeenAt, at);
      touch.views += views;
    } else this.visitTouches.set(id, { lastSeenAt: at, views, since: performance.now() });
    this.scheduleTouches();
  }

  /** `lastSeenAt` undefined: only the end moment changes (a lease ended early). */
  touchLease(id: string, lastSeenAt: number | undefined, expiresAt: number): void {
    const touch = this.leaseTouches.get(id);
    if (touch) {
      touch.lastSeenAt = lastSeenAt ?? touch.lastSeenAt;
      touch.expiresAt = expiresAt;
    } else this.leaseTouches.set(id, { lastSeenAt, expiresAt, since: performance.now() });
    this.scheduleTouches();
  }

  /** A number lent to a new lease: written with the lease, so that a restart never lends it twice. */
  claimNumber(id: string, until: number): void {
    this.claims.set(id, Math.max(this.claims.get(id) ?? 0, until));
    this.queued += 1;
    this.scheduleInserts();
  }

  holdNumber(id: string, until: number): void {
    const hold = this.numberHolds.get(id);
    if (hold) hold.until = Math.max(hold.until, until);
    else this.numberHolds.set(id, { until, since: performance.now() });
    this.scheduleTouches();
  }

  /**
   * Times not yet committed (queued, or in the batch being written), so that readers of the tables (attribution,
   * reloads) see the latest.
   */
  pendingVisit(id: string): { lastSeenAt: number } | undefined {
    const queued = this.visitTouches.get(id)?.lastSeenAt;
    const writing = this.inflight?.visits.get(id);
    if (queued === undefined && writing === undefined) return undefined;
    return { lastSeenAt: Math.max(queued ?? 0, writing ?? 0) };
  }

  pendingLease(id: string): { lastSeenAt: number | undefined; expiresAt: number } | undefined {
    return this.leaseTouches.get(id) ?? this.inflight?.leases.get(id);
  }

  pendingHold(numberId: string): number | undefined {
    const times = [
      this.claims.get(numberId),
      this.numberHolds.get(numberId)?.until,
      this.inflight?.holds.get(numberId),
    ].filter((t) => t !== undefined);
    return times.length > 0 ? Math.max(...times) : undefined;
  }

  /** How many inserts have been queued: what a caller passes to `durable` to wait for its own. */
  get mark(): number {
    return this.queued;
  }

  /** Resolves once the inserts queued up to `upTo` are committed. */
  durable(upTo: number): Promise<void> {
    if (this.committed >= upTo) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
  }

  /** Writes everything now, touches included (shutdown, tests, before reading the tables directly). */
  async flush(): Promise<void> {
    this.flushAll = true;
    try {
      do await this.write(true);
      while (this.touchCount() > 0);
    } finally {
      this.flushAll = false;
    }
  }

  /** Writes everything, then lets go of the sink (a writer thread ends). */
  async close(): Promise<void> {
    await this.flush();
    await this.sink.close();
  }

  private scheduleInserts(): void {
    // One turn of the event loop: the page views that arrived together share one transaction.
    this.insertTimer ??= setImmediate(() => {
      this.insertTimer = undefined;
      void this.write(false);
    });
  }

  private scheduleTouches(): void {
    if (this.touchTimer || this.dueBefore >= 0) return;
    this.touchTimer = setTimeout(() => {
      this.touchTimer = undefined;
      this.dueBefore = performance.now();
      void this.drainTouches();
    }, TOUCH_FLUSH_MS);
    this.touchTimer.unref();
  }

  /** Writes the due touches a chunk at a time, then waits for the next second's. */
  private async drainTouches(): Promise<void> {
    try {
      while (this.oldestTouch() < this.dueBefore) await this.write(true);
    } finally {
      this.dueBefore = -1;
      if (this.touchCount() > 0) this.scheduleTouches();
    }
  }

  private touchCount(): number {
    return this.visitTouches.size + this.leaseTouches.size + this.numberHolds.size;
  }

  private oldestTouch(): number {
    const first = <T extends { since: number }>(m: Map<string, T>) =>
      m.values().next().value?.since ?? Number.POSITIVE_INFINITY;
    return Math.min(first(this.visitTouches), first(this.leaseTouches), first(this.numberHolds));
  }

  /**
   * One batch at a time. Whoever asks while a batch is being written shares the one batch that follows it (which
   * takes everything queued by then): a waiter per turn of the event loop, each woken by every commit, made a slow
   * commit snowball into hundreds of milliseconds of wake-ups on the event loop. A batch only ever starts at the
   * head of this chain, after the one before it has settled: two at once deadlocked on PostgreSQL.
   */
  private write(withTouches: boolean): Promise<void> {
    this.nextWithTouches ||= withTouches;
    // After the batch being written, if any, whether or not it failed (its own callers hear of that).
    this.next ??= (this.flushing ?? Promise.resolve())
      .catch(() => {})
      .then(() => {
        const touches = this.nextWithTouches;
        this.next = undefined;
        this.nextWithTouches = false;
        const batch = this.writeBatch(touches);
        this.flushing = batch;
        return batch.finally(() => {
          if (this.flushing === batch) this.flushing = undefined;
        });
      });
    return this.next;
  }

  private async writeBatch(withTouches: boolean): Promise<void> {
    const batch: TrackerBatch = {
      visits: this.visits,
      leases: this.leases,
      claims: [...this.claims],
      visitTouches: [],
      leaseTouches: [],
      numberHolds: [],
    };
    const upTo = this.queued;
    this.visits = [];
    this.leases = [];
    this.claims = new Map();
    if (withTouches) this.takeTouches(batch);
    if (isEmpty(batch)) return;
    this.inflight = inflightTimes(batch);
    try {
      await this.sink.write(batch);
      this.settle(upTo);
    } catch (error) {
      // Not expected (a full disk, a project deleted meanwhile); the rows go in one by one so that one bad row
      // costs only its own page view, and the tracker reloads its state from the database.
      this.log.error({ err: error }, 'tracker batch failed; retrying row by row');
      this.onLost();
      let failed = false;
      for (const part of oneByOne(batch))
        await this.sink.write(part).catch(() => {
          failed = true;
        });
      this.settle(upTo, failed ? error : undefined);
    } finally {
      this.inflight = undefined;
    }
  }

  private settle(upTo: number, error?: unknown): void {
    this.committed = upTo;
    const done = this.waiters.filter((w) => w.upTo <= upTo);
    this.waiters = this.waiters.filter((w) => w.upTo > upTo);
    for (const w of done)
      if (error) w.reject(error);
      else w.resolve();
  }

  /** Up to a chunk of the due touches, oldest first. */
  private takeTouches(batch: TrackerBatch): void {
    let room = TOUCH_CHUNK;
    const take = <T extends { since: number }>(m: Map<string, T>, push: (id: string, t: T) => void) => {
      for (const [id, t] of m) {
        if (room === 0 || (!this.flushAll && t.since >= this.dueBefore)) return;
        push(id, t);
        m.delete(id);
        room -= 1;
      }
    };
    take(this.visitTouches, (id, t) => batch.visitTouches.push([id, t.lastSeenAt, t.views]));
    take(this.leaseTouches, (id, t) => batch.leaseTouches.push([id, t.lastSeenAt ?? null, t.expiresAt]));
    take(this.numberHolds, (id, t) => batch.numberHolds.push([id, t.until]));
  }
}

/** One transaction's worth of tracker writes: new rows first, then times moved later. */
export interface TrackerBatch {
  visits: VisitTable[];
  leases: LeaseTable[];
  /** Numbers lent to the batch's new leases, and until when. */
  claims: [id: string, until: number][];
  visitTouches: [id: string, lastSeenAt: number, views: number][];
  leaseTouches: [id: string, lastSeenAt: number | null, expiresAt: number][];
  numberHolds: [id: string, until: number][];
}

/** Where batches go: a transaction on the app's own connection, or a writer thread (SQLite files). */
export interface BatchSink {
  write(batch: TrackerBatch): Promise<void>;
  close(): Promise<void>;
}

const EMPTY: TrackerBatch = {
  visits: [],
  leases: [],
  claims: [],
  visitTouches: [],
  leaseTouches: [],
  numberHolds: [],
};

const isEmpty = (b: TrackerBatch) =>
  b.visits.length +
    b.leases.length +
    b.claims.length +
    b.visitTouches.length +
    b.leaseTouches.length +
    b.numberHolds.length ===
  0;

function inflightTimes(batch: TrackerBatch) {
  const holds = new Map<string, number>();
  for (const [id, until] of [...batch.claims, ...batch.numberHolds])
    holds.set(id, Math.max(holds.get(id) ?? 0, until));
  return {
    visits: new Map(batch.visitTouches.map(([id, lastSeenAt]) => [id, lastSeenAt])),
    leases: new Map(
      batch.leaseTouches.map(([id, lastSeenAt, expiresAt]) => [
        id,
        { lastSeenAt: lastSeenAt ?? undefined, expiresAt },
      ]),
    ),
    holds,
  };
}

/** A failed batch split into one batch per row (the touches stay together: they cannot fail one by one). */
function* oneByOne(b: TrackerBatch): Generator<TrackerBatch> {
  for (const row of b.visits) yield { ...EMPTY, visits: [row] };
  for (const row of b.leases) yield { ...EMPTY, leases: [row] };
  yield {
    ...EMPTY,
    claims: b.claims,
    visitTouches: b.visitTouches,
    leaseTouches: b.leaseTouches,
    numberHolds: b.numberHolds,
  };
}

/** Batches written through Kysely in a transaction of the app's connection (PostgreSQL, in-memory SQLite). */
export function kyselySink(db: Db, dialect: DialectName): BatchSink {
  const hasTouches = (b: TrackerBatch) =>
    b.visitTouches.length + b.leaseTouches.length + b.numberHolds.length > 0;
  return {
    async write(batch) {
      // New rows, which page views wait for, in one round trip where the database allows it.
      if (dialect === 'postgres' && !hasTouches(batch)) {
        await repo.insertBatchAtOnce(db, batch.visits, batch.leases, batch.claims);
        return;
      }
      await db.transaction().execute(async (trx) => {
        await repo.insertVisits(trx, batch.visits);
        await repo.insertLeases(trx, batch.leases);
        await repo.holdNumbersUntil(trx, batch.claims);
        await repo.touchVisits(trx, batch.visitTouches);
        await repo.setLeasesTimes(trx, batch.leaseTouches);
        await repo.holdNumbersUntil(trx, batch.numberHolds);
      });
    },
    close: async () => {},
  };
}
