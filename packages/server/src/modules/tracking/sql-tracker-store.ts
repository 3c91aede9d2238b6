import type { Db, DialectName } from '../../db/connect.js';
import type { LeaseTable, VisitTable } from '../../db/database.js';
import { VISIT_IDLE_MS } from './lease.js';
import { type RecentVisit, type TrackerStore, visitorKey } from './tracker-store.js';
import * as repo from './tracking.repository.js';

/** Times of existing rows to move later, written after the group's rows. */
export interface Touches {
  visits: [id: string, at: number, views: number][];
  leases: [id: string, lastSeenAt: number | null, expiresAt: number][];
  holds: [id: string, until: number][];
}

/**
 * A group's touches, one per row: an UPDATE … FROM (VALUES …) applies only one of several values for a row, so a
 * visit's page views of one group are summed here and its times taken at their latest.
 */
class GroupTouches {
  private readonly visits = new Map<string, [at: number, views: number]>();
  private readonly leases = new Map<string, [lastSeenAt: number | null, expiresAt: number]>();
  private readonly holds = new Map<string, number>();

  visit(id: string, at: number, views: number) {
    const known = this.visits.get(id);
    this.visits.set(id, known ? [Math.max(known[0], at), known[1] + views] : [at, views]);
  }

  /** The latest call sets the end (a lease ended early ends then); a heartbeat's moment only moves later. */
  lease(id: string, lastSeenAt: number | null, expiresAt: number) {
    const seen = this.leases.get(id)?.[0] ?? null;
    this.leases.set(id, [
      seen === null || (lastSeenAt !== null && lastSeenAt > seen) ? lastSeenAt : seen,
      expiresAt,
    ]);
  }

  hold(id: string, until: number) {
    this.holds.set(id, Math.max(this.holds.get(id) ?? 0, until));
  }

  get holdCount(): number {
    return this.holds.size;
  }

  /** In order of id: every statement that updates these rows locks them in one order, which no deadlock survives. */
  rows(): Touches {
    return {
      visits: [...this.visits]
        .map(([id, [at, views]]): Touches['visits'][number] => [id, at, views])
        .sort(byId),
      leases: [...this.leases]
        .map(([id, [lastSeenAt, expiresAt]]): Touches['leases'][number] => [id, lastSeenAt, expiresAt])
        .sort(byId),
      holds: [...this.holds].sort(byId),
    };
  }
}

const byId = (a: readonly [string, ...unknown[]], b: readonly [string, ...unknown[]]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/** A visitor as the group knows them: their latest visit and lease as read, then as the group's page views left them. */
interface KnownVisitor {
  visit: RecentVisit | undefined;
  lease: (repo.FoundVisitor['lease'] & {}) | undefined;
}

export interface VisitorKey {
  projectId: string;
  visitorId: string;
}

/** What a group needs to know of a job before running it. */
export interface JobHint {
  /** The returning visitor it asks about, and since when their visit counts as recent. */
  visitor?: VisitorKey & { since: number };
  /** The pool it may lend a number from, and at what moment. */
  claim?: { poolId: string; at: number };
}

/** Numbers a group has claimed for its jobs before they ask, in lending order. */
interface Reserve {
  numbers: { id: string; e164: string; previous: number }[];
  until: number;
}

/** A claimed number's release moment before the claim, and the one the claim left (the later of it and the hold). */
type Claimed = readonly [id: string, previous: number, claimedUntil: number];

/**
 * The tracker's state in the database only (several instances may share it), for one group of page views and
 * heartbeats. The group's returning visitors are read at its start in one query; their page views then decide from
 * what was read (and from what earlier page views of the group changed), and their new visits and leases are
 * inserted together at its end, in one statement. Number claims are statements of their own as they come, locking
 * their rows with SKIP LOCKED on PostgreSQL and holding them in the same statement, so that no two instances lend
 * one free number. On SQLite the group runs in one transaction (one writer, one sync); on PostgreSQL each statement
 * commits alone, which saves the BEGIN and COMMIT round trips a page view would wait for (see TrackerGroups), and a
 * group whose rows cannot be written gives its claimed numbers back (`giveBack`). Updates of existing rows (a visit's
 * last page view, a lease's heartbeat or end, a number's hold) are collected in `touches` and written after the
 * group's rows (repo.writeTouches): the group's statements then never wait for a row lock, and two groups that touch
 * the same visits in different orders cannot deadlock.
 */
export class SqlTrackerGroup implements TrackerStore {
  private readonly visits: VisitTable[] = [];
  private readonly leases: LeaseTable[] = [];
  private readonly moved = new GroupTouches();
  /** Numbers' E.164 by id, as claims and reads found them: what a lease started in the group shows. */
  private readonly numbers = new Map<string, string>();
  private readonly reserves = new Map<string, Reserve>();
  /** Numbers lent from a reserve later than its hold: held to the lease's end with the new rows. */
  private readonly holds: [id: string, until: number][] = [];
  /** Every number the group claimed: what to give back if its rows cannot be written. */
  private readonly claimed: Claimed[] = [];
  /** Whether the group's rows were sent: a failure after that may hide a commit whose answer was lost. */
  private rowsSent = false;
  /** Versions of number rows the group wrote before its touches (claims, holds, give-backs). */
  private numberRowsWritten = 0;

  private constructor(
    private readonly db: Db,
    private readonly dialect: DialectName,
    private readonly known: Map<string, KnownVisitor>,
    /** How many of the group's jobs will need a number of each pool (at most: a visitor's second page view won't). */
    private readonly wanted: Map<string, number>,
  ) {
    for (const visitor of known.values()) this.learnNumber(visitor);
  }

  /**
   * Opens a group on `db` (a transaction on SQLite): reads its returning visitors as they were since its earliest
   * moment, and counts the numbers its jobs will ask for, so that each pool's are claimed in one statement at the
   * first ask.
   */
  static async open(db: Db, dialect: DialectName, hints: readonly JobHint[]) {
    const visitors = hints.flatMap((h) => (h.visitor ? [h.visitor] : []));
    const since = Math.min(...visitors.map((v) => v.since));
    const known = new Map<string, KnownVisitor>();
    for (const [key, visitor] of await repo.findVisitors(db, dialect, visitors, since))
      known.set(key, knownVisitor(visitor));
    const wanted = new Map<string, number>();
    for (const { visitor, claim } of hints) {
      if (!claim) continue;
      const lease = visitor && known.get(visitorKey(visitor.projectId, visitor.visitorId))?.lease;
      if (lease && lease.expires_at > claim.at) continue;
      wanted.set(claim.poolId, (wanted.get(claim.poolId) ?? 0) + 1);
    }
    return new SqlTrackerGroup(db, dialect, known, wanted);
  }

  /**
   * After the group's jobs have run: the new rows, the holds of numbers lent from a reserve, and the numbers
   * reserved but not lent given back as they were (on PostgreSQL unless another instance has held them since their
   * claim committed), in one statement on PostgreSQL.
   */
  async insertRows(): Promise<void> {
    const unused: Claimed[] = [];
    for (const reserve of this.reserves.values())
      for (const n of reserve.numbers) unused.push([n.id, n.previous, Math.max(n.previous, reserve.until)]);
    this.numberRowsWritten += this.holds.length + unused.length;
    this.holds.sort(byId);
    unused.sort(byId);
    this.rowsSent = true;
    if (this.dialect === 'postgres') {
      await repo.insertBatchAtOnce(this.db, this.visits, this.leases, this.holds, unused);
      return;
    }
    await repo.insertVisits(this.db, this.visits);
    await repo.insertLeases(this.db, this.leases);
    await repo.holdNumbersUntil(this.db, this.holds);
    await repo.releaseNumbersAt(this.db, unused);
  }

  /**
   * A group whose statements commit one by one (PostgreSQL) and whose rows could not be written gives back every
   * number it claimed, as it was, unless another instance has held it since. Numbers left held would sit idle until
   * their hold ends. But when the rows were sent, their statement may have committed with only its answer lost (the
   * connection dropped): then its leases hold those numbers, and giving them back would lend them to a second
   * visitor at once. The statement is atomic, so one of its leases tells; if even that cannot be read, the numbers
   * stay held (idle until their hold ends, the safe side).
   */
  async giveBack(): Promise<void> {
    const lease = this.leases[0];
    if (this.rowsSent && lease && (await repo.findLease(this.db, lease.id))) return;
    await repo.releaseNumbersAt(this.db, this.claimed);
  }

  /** Times of existing rows the group moved, one entry per row: written after its commit. */
  get touches(): Touches {
    return this.moved.rows();
  }

  /** How many versions of number rows the group writes, its moved holds included (for NumberVacuum). */
  get numberWrites(): number {
    return this.numberRowsWritten + this.moved.holdCount;
  }

  async recentVisit(projectId: string, visitorId: string, since: number) {
    const { visit } = await this.visitor(projectId, visitorId, since);
    return visit && visit.lastSeenAt >= since ? visit : undefined;
  }

  async startVisit(row: VisitTable) {
    this.visits.push(row);
    const visitor = this.known.get(visitorKey(row.project_id, row.visitor_id));
    const visit = {
      id: row.id,
      lastSeenAt: row.last_seen_at,
      channel: row.channel,
      source: row.source,
      campaign: row.campaign,
    };
    if (visitor) visitor.visit = visit;
    else this.known.set(visitorKey(row.project_id, row.visitor_id), { visit, lease: undefined });
  }

  async continueVisit(visitId: string, at: number) {
    this.moved.visit(visitId, at, 1);
    this.seen(visitId, at);
  }

  async seeVisit(visitId: string, at: number) {
    this.moved.visit(visitId, at, 0);
    this.seen(visitId, at);
  }

  async liveLease(projectId: string, visitorId: string, now: number) {
    const { lease } = await this.visitor(projectId, visitorId, now - VISIT_IDLE_MS);
    if (!lease || lease.expires_at <= now) return undefined;
    return {
      id: lease.id,
      visitId: lease.visit_id,
      poolId: lease.pool_id,
      numberId: lease.number_id,
      e164: lease.e164,
      shared: lease.shared,
      expiresAt: lease.expires_at,
    };
  }

  async heldLease(leaseId: string, projectId: string, now: number) {
    const row = await repo.extendLease(this.db, leaseId, projectId, now);
    return (
      row && {
        id: row.id,
        numberId: row.tracking_number_id,
        visitId: row.visit_id,
        holdSeconds: row.hold_seconds ?? 900,
      }
    );
  }

  async startLease(row: LeaseTable) {
    this.leases.push(row);
    const visitor = this.known.get(visitorKey(row.project_id, row.visitor_id));
    const e164 = this.numbers.get(row.tracking_number_id);
    // Known after startVisit or a read; a lease without its visitor's entry is not asked about again.
    if (visitor && e164)
      visitor.lease = {
        id: row.id,
        project_id: row.project_id,
        visit_id: row.visit_id,
        pool_id: row.pool_id,
        shared: row.shared,
        expires_at: row.expires_at,
        number_id: row.tracking_number_id,
        e164,
      };
  }

  async setLeaseSeen(leaseId: string, at: number, expiresAt: number) {
    this.moved.lease(leaseId, at, expiresAt);
    const lease = this.leaseById(leaseId);
    if (lease) lease.expires_at = expiresAt;
  }

  async endLease(leaseId: string, at: number) {
    this.moved.lease(leaseId, null, at);
    const lease = this.leaseById(leaseId);
    if (lease) lease.expires_at = at;
  }

  async claimNumber(poolId: string, now: number, until: number, share: boolean) {
    let reserve = this.reserves.get(poolId);
    if (!reserve) {
      const count = Math.max(1, this.wanted.get(poolId) ?? 1);
      const numbers = await this.claim(poolId, now, until, share, count);
      reserve = { numbers, until };
      this.reserves.set(poolId, reserve);
    }
    let claimed = reserve.numbers.shift();
    if (claimed && until > reserve.until) this.holds.push([claimed.id, until]);
    // More asks than the group counted, or a pool smaller than the group: one more claim, which may take a number
    // lent earlier in this group (its own locks do not skip it), now at the back of the pool.
    if (!claimed) {
      claimed = (await this.claim(poolId, now, until, share, 1))[0];
    }
    if (!claimed) return undefined;
    this.numbers.set(claimed.id, claimed.e164);
    return { id: claimed.id, e164: claimed.e164, shared: claimed.previous > now };
  }

  async holdNumberUntil(numberId: string, until: number) {
    this.moved.hold(numberId, until);
  }

  private async claim(poolId: string, now: number, until: number, share: boolean, count: number) {
    const numbers = await repo.claimNumbers(this.db, this.dialect, poolId, now, until, share, count);
    this.numberRowsWritten += numbers.length;
    for (const n of numbers) this.claimed.push([n.id, n.previous, Math.max(n.previous, until)]);
    return numbers;
  }

  /** A visitor the group did not read at its start (a page view run alone, a visitor not named) is read now. */
  private async visitor(projectId: string, visitorId: string, since: number): Promise<KnownVisitor> {
    const key = visitorKey(projectId, visitorId);
    const known = this.known.get(key);
    if (known) return known;
    const visitor = knownVisitor(await repo.findVisitor(this.db, projectId, visitorId, since));
    this.known.set(key, visitor);
    this.learnNumber(visitor);
    return visitor;
  }

  /**
   * A lease read shows its number too: a returning visitor's new visit takes their number over in a new lease, and
   * a second page view of that visit in the same group must find that lease, not claim another number.
   */
  private learnNumber({ lease }: KnownVisitor) {
    if (lease) this.numbers.set(lease.number_id, lease.e164);
  }

  private seen(visitId: string, at: number) {
    for (const { visit } of this.known.values())
      if (visit?.id === visitId) visit.lastSeenAt = Math.max(visit.lastSeenAt, at);
  }

  private leaseById(leaseId: string) {
    for (const { lease } of this.known.values()) if (lease?.id === leaseId) return lease;
    return undefined;
  }
}

function knownVisitor({ visit, lease }: repo.FoundVisitor): KnownVisitor {
  return {
    visit: visit && {
      id: visit.id,
      lastSeenAt: visit.last_seen_at,
      channel: visit.channel,
      source: visit.source,
      campaign: visit.campaign,
    },
    lease: lease && { ...lease },
  };
}
