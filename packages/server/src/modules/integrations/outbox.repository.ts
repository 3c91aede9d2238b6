import type { Db, DialectName } from '../../db/connect.js';
import type { OutboxEventTable } from '../../db/database.js';

export async function insertEvents(db: Db, rows: OutboxEventTable[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('outbox_event').values(rows).execute();
}

/**
 * Claims up to `limit` due events, oldest first, by moving their `available_at` to `leaseUntil`: no other round
 * (here or on another instance) takes them while they are being sent, and if this process dies mid-send they come
 * due again then. On PostgreSQL the rows are locked with SKIP LOCKED, so two instances claiming at once take
 * different events; SQLite has one writer.
 */
export async function claimDue(
  db: Db,
  dialect: DialectName,
  now: number,
  limit: number,
  leaseUntil: number,
): Promise<OutboxEventTable[]> {
  let due = db
    .selectFrom('outbox_event')
    .select('id')
    .where('delivered_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('available_at', '<=', now)
    .where('integration_id', 'is not', null)
    .orderBy('available_at')
    .orderBy('id')
    .limit(limit);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  const rows = await db
    .updateTable('outbox_event')
    .set({ available_at: leaseUntil })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.available_at - b.available_at || (a.id < b.id ? -1 : 1));
}

export async function markDelivered(
  db: Db,
  id: string,
  at: number,
  attempts: number,
  note: string | null,
): Promise<void> {
  await db
    .updateTable('outbox_event')
    .set({ delivered_at: at, attempts, note, last_error: null })
    .where('id', '=', id)
    .execute();
}

export async function markRetry(
  db: Db,
  id: string,
  availableAt: number,
  attempts: number,
  error: string,
): Promise<void> {
  await db
    .updateTable('outbox_event')
    .set({ available_at: availableAt, attempts, last_error: error })
    .where('id', '=', id)
    .execute();
}

export async function markFailed(
  db: Db,
  id: string,
  at: number,
  attempts: number,
  error: string,
): Promise<void> {
  await db
    .updateTable('outbox_event')
    .set({ failed_at: at, attempts, last_error: error })
    .where('id', '=', id)
    .execute();
}

export const listDeliveries = (db: Db, projectId: string, integrationId: string, limit: number) =>
  db
    .selectFrom('outbox_event')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('integration_id', '=', integrationId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();

export const findDelivery = (db: Db, projectId: string, integrationId: string, id: string) =>
  db
    .selectFrom('outbox_event')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('integration_id', '=', integrationId)
    .where('id', '=', id)
    .executeTakeFirst();

/** Makes a failed event due now, with a fresh count of attempts; its last error stays until the next attempt. */
export async function requeue(db: Db, id: string, now: number): Promise<void> {
  await db
    .updateTable('outbox_event')
    .set({ failed_at: null, available_at: now, attempts: 0 })
    .where('id', '=', id)
    .where('failed_at', 'is not', null)
    .execute();
}
