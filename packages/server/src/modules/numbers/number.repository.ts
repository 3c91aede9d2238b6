import type { Db } from '../../db/connect.js';
import { isUniqueViolation } from '../../db/constraint.js';
import type { TrackingNumberTable } from '../../db/database.js';
import { AppError } from '../../errors.js';

export interface NumberFilter {
  status?: 'active' | 'inactive';
  poolId?: string;
  after?: string;
  limit: number;
}

export function listNumbers(db: Db, projectId: string, filter: NumberFilter) {
  let query = db.selectFrom('tracking_number').selectAll().where('project_id', '=', projectId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.poolId) query = query.where('pool_id', '=', filter.poolId);
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
}

export const findNumber = (db: Db, projectId: string, id: string) =>
  db
    .selectFrom('tracking_number')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();

/** Which of these E.164 numbers exist anywhere in the installation, and in which project. */
export function findOwners(db: Db, numbers: readonly string[]) {
  if (numbers.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('tracking_number')
    .select(['e164', 'project_id'])
    .where('e164', 'in', numbers)
    .execute();
}

export async function insertNumbers(db: Db, rows: TrackingNumberTable[]): Promise<void> {
  if (rows.length === 0) return;
  try {
    await db.transaction().execute(async (trx) => {
      // Chunks keep each statement under SQLite's bound-parameter limit.
      for (let i = 0; i < rows.length; i += 500) {
        await trx
          .insertInto('tracking_number')
          .values(rows.slice(i, i + 500))
          .execute();
      }
    });
  } catch (error) {
    // Another request took one of these numbers between the service's check and this insert.
    if (isUniqueViolation(error)) throw new AppError('conflict', 'a number was added concurrently; retry');
    throw error;
  }
}

export async function updateNumber(
  db: Db,
  projectId: string,
  id: string,
  patch: Partial<TrackingNumberTable>,
) {
  await db
    .updateTable('tracking_number')
    .set(patch)
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .execute();
}

export async function deleteNumber(db: Db, projectId: string, id: string): Promise<void> {
  await db.deleteFrom('tracking_number').where('project_id', '=', projectId).where('id', '=', id).execute();
}

/** What still points at a number: a static channel, or a pool that falls back to it. */
export async function numberUsage(db: Db, id: string): Promise<{ channel?: string; fallbackOf?: string }> {
  const channel = await db
    .selectFrom('static_channel')
    .select('name')
    .where('tracking_number_id', '=', id)
    .executeTakeFirst();
  const pool = await db
    .selectFrom('pool')
    .select('name')
    .where('fallback_number_id', '=', id)
    .executeTakeFirst();
  return { channel: channel?.name, fallbackOf: pool?.name };
}
