import type { Db, DialectName } from '../../db/connect.js';
import type { TrackerStore } from './tracker-store.js';
import * as repo from './tracking.repository.js';

/**
 * The tracker's state in the database only: every read is a query, every write a statement of the caller's
 * transaction. Number claims lock their row (SKIP LOCKED on PostgreSQL), so any number of instances can share
 * one database.
 */
export function sqlTrackerStore(trx: Db, dialect: DialectName): TrackerStore {
  return {
    async recentVisit(projectId, visitorId, since) {
      const row = await repo.findRecentVisit(trx, projectId, visitorId, since);
      return row && { ...row, lastSeenAt: row.last_seen_at };
    },
    startVisit: (row) => repo.insertVisit(trx, row),
    continueVisit: (visitId, at) => repo.touchVisits(trx, [[visitId, at, 1]]),
    seeVisit: (visitId, at) => repo.touchVisits(trx, [[visitId, at, 0]]),
    async liveLease(projectId, visitorId, now) {
      const row = await repo.findLiveLease(trx, projectId, visitorId, now);
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
    setLeaseSeen: (leaseId, at, expiresAt) => repo.setLeaseSeen(trx, leaseId, at, expiresAt),
    endLease: (leaseId, at) => repo.endLease(trx, leaseId, at),
    claimNumber: (poolId, now, until, share) => repo.claimNumber(trx, dialect, poolId, now, until, share),
    holdNumberUntil: (numberId, until) => repo.holdNumberUntil(trx, numberId, until),
  };
}
