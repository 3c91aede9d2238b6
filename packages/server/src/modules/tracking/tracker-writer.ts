import type { Db } from '../../db/connect.js';
import type { LeaseTable, VisitTable } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import * as repo from './tracking.repository.js';

/** How long heartbeats and page counts may wait in memory before they are written (they coalesce meanwhile). */
export const TOUCH_FLUSH_MS = 1_000;
const TOUCH_FLUSH_MAX = 20_000;

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
  private readonly visitTouches = new Map<string, { lastSeenAt: number; views: number }>();
  private readonly leaseTouches = new Map<string, { lastSeenAt: number | undefined; expiresAt: number }>();
  private readonly numberHolds = new Map<string, number>();
  private claims = new Map<string, number>();
  private waiters: { upTo: number; resolve(): void; reject(error: unknown): void }[] = [];
  /** Inserts queued and committed so far, counted, so that a page view waits for exactly its own batch. */
  private queued = 0;
  private committed = 0;
  private flushing: Promise<void> | undefined;
  private insertTimer: NodeJS.Immediate | undefined;
  private touchTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
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
    } else this.visitTouches.set(id, { lastSeenAt: at, views });
    this.scheduleTouches();
  }

  /** `lastSeenAt` undefined: only the end moment changes (a lease ended early). */
  touchLease(id: string, lastSeenAt: number | undefined, expiresAt: number): void {
    const touch = this.leaseTouches.get(id);
    this.leaseTouches.set(id, { lastSeenAt: lastSeenAt ?? touch?.lastSeenAt, expiresAt });
    this.scheduleTouches();
  }

  /** A number lent to a new lease: written with the lease, so that a restart never lends it twice. */
  claimNumber(id: string, until: number): void {
    this.claims.set(id, Math.max(this.claims.get(id) ?? 0, until));
    this.queued += 1;
    this.scheduleInserts();
  }

  holdNumber(id: string, until: number): void {
    this.numberHolds.set(id, Math.max(this.numberHolds.get(id) ?? 0, until));
    this.scheduleTouches();
  }

  /** Pending times not yet written, so that readers of the tables (attribution, reloads) see the latest. */
  pendingVisit(id: string) {
    return this.visitTouches.get(id);
  }

  pendingLease(id: string) {
    return this.leaseTouches.get(id);
  }

  pendingHold(numberId: string): number | undefined {
    const claim = this.claims.get(numberId);
    const hold = this.numberHolds.get(numberId);
    return claim === undefined ? hold : Math.max(claim, hold ?? 0);
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
    await this.flushing;
    await this.write(true);
  }

  private scheduleInserts(): void {
    // One turn of the event loop: the page views that arrived together share one transaction.
    this.insertTimer ??= setImmediate(() => {
      this.insertTimer = undefined;
      void this.write(false);
    });
  }

  private scheduleTouches(): void {
    const pending = this.visitTouches.size + this.leaseTouches.size + this.numberHolds.size;
    if (pending >= TOUCH_FLUSH_MAX) {
      void this.write(true);
      return;
    }
    if (this.touchTimer) return;
    this.touchTimer = setTimeout(() => {
      this.touchTimer = undefined;
      void this.write(true);
    }, TOUCH_FLUSH_MS);
    this.touchTimer.unref();
  }

  private async write(withTouches: boolean): Promise<void> {
    // One batch at a time: a batch waits for the one being written (then takes everything queued since).
    while (this.flushing) await this.flushing;
    this.flushing = this.writeBatch(withTouches);
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeBatch(withTouches: boolean): Promise<void> {
    const visits = this.visits;
    const leases = this.leases;
    const claims = [...this.claims];
    const upTo = this.queued;
    this.visits = [];
    this.leases = [];
    this.claims = new Map();
    const touches = withTouches ? this.takeTouches() : undefined;
    if (visits.length === 0 && leases.length === 0 && claims.length === 0 && !touches) return;
    try {
      await this.db.transaction().execute(async (trx) => {
        await repo.insertVisits(trx, visits);
        await repo.insertLeases(trx, leases);
        await repo.holdNumbersUntil(trx, claims);
        if (touches) await writeTouches(trx, touches);
      });
      this.settle(upTo);
    } catch (error) {
      // Not expected (a full disk, a project deleted meanwhile); the rows go in one by one so that one bad row
      // costs only its own page view, and the tracker reloads its state from the database.
      this.log.error({ err: error }, 'tracker batch failed; retrying row by row');
      this.onLost();
      const failed = await this.writeOneByOne(visits, leases, claims, touches);
      this.settle(upTo, failed ? error : undefined);
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

  private async writeOneByOne(
    visits: VisitTable[],
    leases: LeaseTable[],
    claims: [string, number][],
    touches: Touches | undefined,
  ): Promise<boolean> {
    let failed = false;
    const attempt = async (work: () => Promise<void>) => {
      try {
        await work();
      } catch {
        failed = true;
      }
    };
    for (const row of visits) await attempt(() => repo.insertVisits(this.db, [row]));
    for (const row of leases) await attempt(() => repo.insertLeases(this.db, [row]));
    await attempt(() => repo.holdNumbersUntil(this.db, claims));
    if (touches) await attempt(() => writeTouches(this.db, touches));
    return failed;
  }

  private takeTouches(): Touches | undefined {
    if (this.touchTimer) clearTimeout(this.touchTimer);
    this.touchTimer = undefined;
    if (this.visitTouches.size + this.leaseTouches.size + this.numberHolds.size === 0) return undefined;
    const touches = {
      visits: [...this.visitTouches],
      leases: [...this.leaseTouches],
      numbers: [...this.numberHolds],
    };
    this.visitTouches.clear();
    this.leaseTouches.clear();
    this.numberHolds.clear();
    return touches;
  }
}

interface Touches {
  visits: [string, { lastSeenAt: number; views: number }][];
  leases: [string, { lastSeenAt: number | undefined; expiresAt: number }][];
  numbers: [string, number][];
}

async function writeTouches(db: Db, touches: Touches): Promise<void> {
  await repo.touchVisits(
    db,
    touches.visits.map(([id, t]) => [id, t.lastSeenAt, t.views] as const),
  );
  await repo.setLeasesTimes(
    db,
    touches.leases.map(([id, t]) => [id, t.lastSeenAt ?? null, t.expiresAt] as const),
  );
  await repo.holdNumbersUntil(db, touches.numbers);
}
