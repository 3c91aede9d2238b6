import type { Db, DialectName } from '../../db/connect.js';
import type { LeaseTable, VisitTable } from '../../db/database.js';

/** The visitor's latest visit, if it was seen after `since`. */
export const findRecentVisit = (db: Db, projectId: string, visitorId: string, since: number) =>
  db
    .selectFrom('visit')
    .select(['id', 'last_seen_at', 'channel', 'source', 'campaign', 'pool_id'])
    .where('project_id', '=', projectId)
    .where('visitor_id', '=', visitorId)
    .where('last_seen_at', '>=', since)
    .orderBy('last_seen_at', 'desc')
    .limit(1)
    .executeTakeFirst();

export async function insertVisit(db: Db, row: VisitTable): Promise<void> {
  await db.insertInto('visit').values(row).execute();
}

export async function touchVisit(db: Db, id: string, at: number): Promise<void> {
  await db
    .updateTable('visit')
    .set((eb) => ({ last_seen_at: at, page_views: eb('page_views', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function seeVisit(db: Db, id: string, at: number): Promise<void> {
  await db
    .updateTable('visit')
    .set({ last_seen_at: at })
    .where('id', '=', id)
    .where('last_seen_at', '<', at)
    .execute();
}

/** The visitor's lease that is still alive, newest first. */
export const findLiveLease = (db: Db, projectId: string, visitorId: string, now: number) =>
  db
    .selectFrom('lease')
    .innerJoin('tracking_number', 'tracking_number.id', 'lease.tracking_number_id')
    .select([
      'lease.id',
      'lease.visit_id',
      'lease.pool_id',
      'lease.shared',
      'lease.expires_at',
      'tracking_number.id as number_id',
      'tracking_number.e164',
    ])
    .where('lease.project_id', '=', projectId)
    .where('lease.visitor_id', '=', visitorId)
    .where('lease.expires_at', '>', now)
    .where('tracking_number.status', '=', 'active')
    .orderBy('lease.started_at', 'desc')
    .limit(1)
    .executeTakeFirst();

/**
 * Lends a number and holds it until `until`, in one statement: the least-recently-released free number, or (for
 * sharing, `free` false) the busy one whose holder went silent first, whose hold is then only ever extended. On
 * PostgreSQL the chosen row is locked and locked rows are skipped, so concurrent instances never lend the same free
 * number; SQLite has one writer at a time, which gives the same guarantee.
 */
export async function claimNumber(
  db: Db,
  dialect: DialectName,
  poolId: string,
  now: number,
  until: number,
  free: boolean,
) {
  let pick = db
    .selectFrom('tracking_number')
    .select('id')
    .where('pool_id', '=', poolId)
    .where('status', '=', 'active')
    .where('released_at', free ? '<=' : '>', now)
    .orderBy('released_at')
    .orderBy('id')
    .limit(1);
  if (dialect === 'postgres') pick = pick.forUpdate().skipLocked();
  return db
    .updateTable('tracking_number')
    .set((eb) => ({
      released_at: free
        ? until
        : eb.case().when('released_at', '<', until).then(eb.val(until)).else(eb.ref('released_at')).end(),
    }))
    .where('id', '=', pick)
    .returning(['id', 'e164'])
    .executeTakeFirst();
}

/** Moves the number's release moment later (never earlier: a shared number is busy until its last holder leaves). */
export async function holdNumberUntil(db: Db, numberId: string, until: number): Promise<void> {
  await db
    .updateTable('tracking_number')
    .set({ released_at: until })
    .where('id', '=', numberId)
    .where('released_at', '<', until)
    .execute();
}

export async function insertLease(db: Db, row: LeaseTable): Promise<void> {
  await db.insertInto('lease').values(row).execute();
}

/** Ends a lease now (its visitor moved on to a new visit that takes the number over). */
export async function endLease(db: Db, id: string, at: number): Promise<void> {
  await db.updateTable('lease').set({ expires_at: at }).where('id', '=', id).execute();
}

/** Extends a live lease; returns its number and hold, or undefined when it has already ended. */
export async function extendLease(db: Db, id: string, projectId: string, now: number) {
  const lease = await db
    .selectFrom('lease')
    .innerJoin('tracking_number', 'tracking_number.id', 'lease.tracking_number_id')
    .leftJoin('pool', 'pool.id', 'lease.pool_id')
    .select(['lease.id', 'lease.tracking_number_id', 'lease.visit_id', 'pool.hold_seconds'])
    .where('lease.id', '=', id)
    .where('lease.project_id', '=', projectId)
    .where('lease.expires_at', '>', now)
    .where('tracking_number.status', '=', 'active')
    .executeTakeFirst();
  return lease;
}

export async function setLeaseSeen(db: Db, id: string, now: number, expiresAt: number): Promise<void> {
  await db
    .updateTable('lease')
    .set({ last_seen_at: now, expires_at: expiresAt })
    .where('id', '=', id)
    .execute();
}

export async function countExhaustion(db: Db, poolId: string, count: number, at: number): Promise<void> {
  await db
    .updateTable('pool')
    .set((eb) => ({ exhausted_count: eb('exhausted_count', '+', count), last_exhausted_at: at }))
    .where('id', '=', poolId)
    .execute();
}

/** Everything the tracker needs about a project's setup, read once and cached by the service. */
export async function loadTrackingSetup(db: Db, projectId: string) {
  const [pools, channels, numbers] = await Promise.all([
    db.selectFrom('pool').selectAll().where('project_id', '=', projectId).execute(),
    db
      .selectFrom('static_channel')
      .select(['id', 'swap_match', 'tracking_number_id'])
      .where('project_id', '=', projectId)
      .execute(),
    db
      .selectFrom('tracking_number')
      .select(['id', 'e164', 'status', 'pool_id'])
      .where('project_id', '=', projectId)
      .where('pool_id', 'is', null)
      .execute(),
  ]);
  return { pools, channels, unpooledNumbers: numbers };
}

export const findProjectByKey = (db: Db, publicKey: string) =>
  db
    .selectFrom('project')
    .select(['id', 'country', 'site_numbers'])
    .where('public_key', '=', publicKey)
    .executeTakeFirst();

/** Leases of a number that may have been alive at `at`: newest first, for attribution. */
export const leasesAround = (db: Db, numberId: string, at: number, lookbackMs: number) =>
  db
    .selectFrom('lease')
    .selectAll()
    .where('tracking_number_id', '=', numberId)
    .where('started_at', '<=', at)
    .where('expires_at', '>=', at - lookbackMs)
    .orderBy('started_at', 'desc')
    .limit(20)
    .execute();
