import type { Db } from '../../db/connect.js';
import type { LeaseTable, VisitTable } from '../../db/database.js';
import { VISIT_IDLE_MS } from './lease.js';
import { NumberHeap } from './number-heap.js';
import {
  type HeldLease,
  type LiveLease,
  type RecentVisit,
  type TrackerStore,
  visitorKey,
} from './tracker-store.js';
import type { TrackerWriter } from './tracker-writer.js';
import * as repo from './tracking.repository.js';

interface Visitor {
  visit: RecentVisit | undefined;
  leaseId: string | undefined;
}

interface MemoryLease {
  id: string;
  projectId: string;
  visitId: string;
  poolId: string | null;
  numberId: string;
  shared: number;
  expiresAt: number;
}

interface PoolState {
  holdSeconds: number;
  numbers: NumberHeap;
}

/** Entries idle this long after their visit and lease have ended are dropped (and reloaded if ever needed). */
const SWEEP_AFTER_MS = VISIT_IDLE_MS + 60_000;

/**
 * The tracker's state held in memory by the one process that writes it (the owner of an SQLite file): visitors'
 * current visits and leases, and each pool's numbers in a heap by release moment. Page views read nothing from the
 * database once a visitor and a pool are loaded; what they change goes to the batched writer. Anything not in
 * memory (after a restart, after a setup change) is loaded from the tables, with the writer's pending times laid
 * over it, so memory always equals the database plus what is about to be written.
 */
export class MemoryTrackerStore implements TrackerStore {
  private readonly visitors = new Map<string, Visitor>();
  private readonly visitsById = new Map<string, RecentVisit>();
  private readonly leases = new Map<string, MemoryLease>();
  private pools = new Map<string, PoolState | Promise<PoolState>>();
  /** Each loaded pool's numbers by number id, to hold a number without knowing its pool. */
  private numberPools = new Map<string, PoolState>();
  private lastSweep = 0;

  constructor(
    private readonly db: Db,
    private readonly writer: TrackerWriter,
  ) {}

  /** Setup changed (numbers, pools): pool states are reloaded when next needed. */
  invalidatePools(): void {
    this.pools = new Map();
    this.numberPools = new Map();
  }

  /** The database may hold something else than memory (a failed write): start over from the tables. */
  forget(): void {
    this.visitors.clear();
    this.visitsById.clear();
    this.leases.clear();
    this.invalidatePools();
  }

  async recentVisit(projectId: string, visitorId: string, since: number) {
    const visitor = await this.visitor(projectId, visitorId, since);
    return visitor.visit && visitor.visit.lastSeenAt >= since ? visitor.visit : undefined;
  }

  async startVisit(row: VisitTable) {
    this.writer.insertVisit(row);
    const visit: RecentVisit = {
      id: row.id,
      lastSeenAt: row.last_seen_at,
      channel: row.channel,
      source: row.source,
      campaign: row.campaign,
    };
    const key = visitorKey(row.project_id, row.visitor_id);
    const visitor = this.visitors.get(key);
    if (visitor?.visit) this.visitsById.delete(visitor.visit.id);
    if (visitor) visitor.visit = visit;
    else this.visitors.set(key, { visit, leaseId: undefined });
    this.visitsById.set(visit.id, visit);
    this.sweep(row.started_at);
  }

  async continueVisit(visitId: string, at: number) {
    const visit = this.visitsById.get(visitId);
    if (visit) visit.lastSeenAt = Math.max(visit.lastSeenAt, at);
    this.writer.touchVisit(visitId, at, 1);
  }

  async seeVisit(visitId: string, at: number) {
    const visit = this.visitsById.get(visitId);
    if (visit) visit.lastSeenAt = Math.max(visit.lastSeenAt, at);
    this.writer.touchVisit(visitId, at, 0);
  }

  async liveLease(projectId: string, visitorId: string, now: number): Promise<LiveLease | undefined> {
    const visitor = await this.visitor(projectId, visitorId, now - VISIT_IDLE_MS);
    const lease = visitor.leaseId ? this.leases.get(visitor.leaseId) : undefined;
    const number = lease && (await this.liveNumber(lease, now));
    if (!lease || !number) return undefined;
    // Field by field rather than `{ ...lease, e164 }`: a spread is V8's slow path, and this runs per page view.
    const { id, visitId, poolId, numberId, shared, expiresAt } = lease;
    return { id, visitId, poolId, numberId, shared, expiresAt, e164: number.e164 };
  }

  async heldLease(leaseId: string, projectId: string, now: number): Promise<HeldLease | undefined> {
    let lease = this.leases.get(leaseId);
    if (!lease) {
      const row = await repo.findLease(this.db, leaseId);
      if (!row) return undefined;
      lease = this.leases.get(leaseId) ?? this.remember(row);
    }
    if (lease.projectId !== projectId || !lease.poolId || !(await this.liveNumber(lease, now)))
      return undefined;
    const pool = await this.pool(lease.poolId);
    return { id: lease.id, numberId: lease.numberId, visitId: lease.visitId, holdSeconds: pool.holdSeconds };
  }

  async startLease(row: LeaseTable) {
    this.writer.insertLease(row);
    const { id, project_id, visit_id, pool_id, shared, expires_at } = row;
    const lease = this.remember({
      id,
      project_id,
      visit_id,
      pool_id,
      number_id: row.tracking_number_id,
      shared,
      expires_at,
    });
    const visitor = this.visitors.get(visitorKey(row.project_id, row.visitor_id));
    if (visitor) visitor.leaseId = lease.id;
  }

  async setLeaseSeen(leaseId: string, at: number, expiresAt: number) {
    const lease = this.leases.get(leaseId);
    if (lease) lease.expiresAt = expiresAt;
    this.writer.touchLease(leaseId, at, expiresAt);
  }

  async endLease(leaseId: string, at: number) {
    const lease = this.leases.get(leaseId);
    if (lease) lease.expiresAt = at;
    this.writer.touchLease(leaseId, undefined, at);
  }

  async claimNumber(poolId: string, now: number, until: number, share: boolean) {
    const { numbers } = await this.pool(poolId);
    const top = numbers.peek();
    const shared = top !== undefined && top.releasedAt > now;
    if (!top || (shared && !share)) return undefined;
    numbers.holdUntil(top.id, until);
    this.writer.claimNumber(top.id, until);
    return { id: top.id, e164: top.e164, shared };
  }

  async holdNumberUntil(numberId: string, until: number) {
    this.numberPools.get(numberId)?.numbers.holdUntil(numberId, until);
    this.writer.holdNumber(numberId, until);
  }

  /** The lease's number, while the lease lasts and the number is still active in its pool. */
  private async liveNumber(lease: MemoryLease, now: number) {
    if (lease.expiresAt <= now || !lease.poolId) return undefined;
    return (await this.pool(lease.poolId)).numbers.get(lease.numberId);
  }

  private async visitor(projectId: string, visitorId: string, since: number): Promise<Visitor> {
    const key = visitorKey(projectId, visitorId);
    const known = this.visitors.get(key);
    if (known) return known;
    // The latest lease alive at any time since `since`: whether it still is, memory decides at each page view.
    const { visit, lease: live } = await repo.findVisitor(this.db, projectId, visitorId, since);
    // Another page view of this visitor may have loaded it meanwhile; its entry is at least as fresh.
    const raced = this.visitors.get(key);
    if (raced) return raced;
    const visitor: Visitor = { visit: undefined, leaseId: undefined };
    if (visit) {
      const pending = this.writer.pendingVisit(visit.id);
      visitor.visit = { ...visit, lastSeenAt: Math.max(visit.last_seen_at, pending?.lastSeenAt ?? 0) };
      this.visitsById.set(visit.id, visitor.visit);
    }
    if (live) {
      const lease = this.leases.get(live.id) ?? this.remember(live);
      visitor.leaseId = lease.id;
    }
    this.visitors.set(key, visitor);
    return visitor;
  }

  private remember(row: {
    id: string;
    project_id: string;
    visit_id: string;
    pool_id: string | null;
    number_id: string;
    shared: number;
    expires_at: number;
  }): MemoryLease {
    const pending = this.writer.pendingLease(row.id);
    const lease: MemoryLease = {
      id: row.id,
      projectId: row.project_id,
      visitId: row.visit_id,
      poolId: row.pool_id,
      numberId: row.number_id,
      shared: row.shared,
      expiresAt: pending ? pending.expiresAt : row.expires_at,
    };
    this.leases.set(lease.id, lease);
    return lease;
  }

  private pool(poolId: string): PoolState | Promise<PoolState> {
    const known = this.pools.get(poolId);
    if (known) return known;
    const pools = this.pools;
    const numberPools = this.numberPools;
    const loading = repo.loadPoolNumbers(this.db, poolId).then(({ holdSeconds, numbers }) => {
      const held = numbers.map((n) => ({
        ...n,
        releasedAt: Math.max(n.releasedAt, this.writer.pendingHold(n.id) ?? 0),
      }));
      const state: PoolState = { holdSeconds, numbers: new NumberHeap(held) };
      if (pools.get(poolId) === loading) {
        pools.set(poolId, state);
        for (const n of numbers) numberPools.set(n.id, state);
      }
      return state;
    });
    pools.set(poolId, loading);
    loading.catch(() => pools.get(poolId) === loading && pools.delete(poolId));
    return loading;
  }

  /** Drops visitors whose visit and lease have both long ended; at most once a minute. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, visitor] of this.visitors) {
      const lease = visitor.leaseId ? this.leases.get(visitor.leaseId) : undefined;
      const lastSeen = visitor.visit?.lastSeenAt ?? 0;
      if (now - lastSeen < SWEEP_AFTER_MS || (lease && lease.expiresAt > now)) continue;
      this.visitors.delete(key);
      if (visitor.visit) this.visitsById.delete(visitor.visit.id);
    }
    for (const [id, lease] of this.leases) if (now - lease.expiresAt > SWEEP_AFTER_MS) this.leases.delete(id);
  }
}
