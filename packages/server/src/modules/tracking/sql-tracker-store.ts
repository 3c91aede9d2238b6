import type { Db, DialectName } from '../../db/connect.js';
import type { TrackerStore } from './tracker-store.js';
import * as repo from './tracking.repository.js';

/** Times of existing rows to move later, written after the page view's transaction has committed. */
export interface Touches {
  visits: [id: string, at: number, views: number][];
  leases: [id: string, lastSeenAt: number | null, expiresAt: number][];
  holds: [id: string, until: number][];
}

export const noTouches = (): Touches => ({ visits: [], leases: [], holds: [] });

/**
 * The tracker's state in the database only: every read is a query, new rows and number claims are statements of
 * the caller's transaction. Claims lock their row with SKIP LOCKED on PostgreSQL, so any number of instances can
 * share one database. Updates of existing rows (a visit's last page view, a lease's heartbeat or end, a number's
 * hold) are collected in `touches` and written after the commit (repo.writeTouches): a group transaction then never
 * waits for a row lock, and two groups that touch the same visits in different orders cannot deadlock.
 */
export function sqlTrackerStore(trx: Db, dialect: DialectName, touches: Touches): TrackerStore {
  const done = Promise.resolve();
  // A returning visitor's page view asks for their recent visit and then their live lease: both come from one
  // query, and the lease found with the visit answers the second question (nothing in between changes leases).
  let known: { key: string; lease: Awaited<ReturnType<typeof repo.findVisitor>>['lease'] } | undefined;
  return {
    async recentVisit(projectId, visitorId, since) {
      const { visit, lease } = await repo.findVisitor(trx, projectId, visitorId, since);
      known = { key: `${projectId}|${visitorId}`, lease };
      return visit && { ...visit, lastSeenAt: visit.last_seen_at };
    },
    startVisit: (row) => repo.insertVisit(trx, row),
    continueVisit: (visitId, at) => (touches.visits.push([visitId, at, 1]), done),
    seeVisit: (visitId, at) => (touches.visits.push([visitId, at, 0]), done),
    async liveLease(projectId, visitorId, now) {
      const row =
        known?.key === `${projectId}|${visitorId}`
          ? known.lease && known.lease.expires_at > now
            ? known.lease
            : undefined
          : await repo.findLiveLease(trx, projectId, visitorId, now);
      return (
        row && {
          id: row.id,
          visitId: row.visit_id,
          poolId: row.pool_id,
          numberId: row.number_id,
          e164: row.e164,
          shared: row.shared,
          expiresAt: row.expires_at,
        }
      );
    },
    async heldLease(leaseId, projectId, now) {
      const row = await repo.extendLease(trx, leaseId, projectId, now);
      return (
        row && {
          id: row.id,
          numberId: row.tracking_number_id,
          visitId: row.visit_id,
          holdSeconds: row.hold_seconds ?? 900,
        }
      );
    },
    startLease: (row) => repo.insertLease(trx, row),
    setLeaseSeen: (leaseId, at, expiresAt) => (touches.leases.push([leaseId, at, expiresAt]), done),
    endLease: (leaseId, at) => (touches.leases.push([leaseId, null, at]), done),
    claimNumber: (poolId, now, until, share) => repo.claimNumber(trx, dialect, poolId, now, until, share),
    holdNumberUntil: (numberId, until) => (touches.holds.push([numberId, until]), done),
  };
}
