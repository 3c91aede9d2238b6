import type { Db, DialectName } from '../../db/connect.js';
import type { TrackerStore } from './tracker-store.js';
import * as repo from './tracking.repository.js';

/** Statements that move times of existing rows, to run after the page view's transaction has committed. */
export type Touches = (() => Promise<void>)[];

/**
 * The tracker's state in the database only: every read is a query, new rows and number claims are statements of
 * the caller's transaction. Claims lock their row with SKIP LOCKED on PostgreSQL, so any number of instances can
 * share one database. Updates of existing rows (a visit's last page view, a lease's heartbeat or end, a number's
 * hold) are collected in `touches` and run after the commit, each alone: a group transaction then never waits for
 * a row lock, and two groups that touch the same visits in different orders cannot deadlock.
 */
export function sqlTrackerStore(trx: Db, dialect: DialectName, db: Db, touches: Touches): TrackerStore {
  const later = (work: () => Promise<unknown>) => {
    touches.push(async () => {
      await work();
    });
    return Promise.resolve();
  };
  return {
    async recentVisit(projectId, visitorId, since) {
      const row = await repo.findRecentVisit(trx, projectId, visitorId, since);
      return row && { ...row, lastSeenAt: row.last_seen_at };
    },
    startVisit: (row) => repo.insertVisit(trx, row),
    continueVisit: (visitId, at) => later(() => repo.touchVisits(db, [[visitId, at, 1]])),
    seeVisit: (visitId, at) => later(() => repo.touchVisits(db, [[visitId, at, 0]])),
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
    setLeaseSeen: (leaseId, at, expiresAt) => later(() => repo.setLeaseSeen(db, leaseId, at, expiresAt)),
    endLease: (leaseId, at) => later(() => repo.endLease(db, leaseId, at)),
    claimNumber: (poolId, now, until, share) => repo.claimNumber(trx, dialect, poolId, now, until, share),
    holdNumberUntil: (numberId, until) => later(() => repo.holdNumberUntil(db, numberId, until)),
  };
}
