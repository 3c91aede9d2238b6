import type { Db } from '../../db/connect.js';
import { isUniqueViolation } from '../../db/constraint.js';
import type { StaticChannelTable } from '../../db/database.js';
import { AppError } from '../../errors.js';

export const listChannels = (db: Db, projectId: string) =>
  db.selectFrom('static_channel').selectAll().where('project_id', '=', projectId).orderBy('id').execute();

export const findChannel = (db: Db, projectId: string, id: string) =>
  db
    .selectFrom('static_channel')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();

export async function insertChannel(db: Db, row: StaticChannelTable): Promise<void> {
  await db.insertInto('static_channel').values(row).execute().catch(numberTaken);
}

export async function updateChannel(
  db: Db,
  projectId: string,
  id: string,
  patch: Partial<StaticChannelTable>,
) {
  await db
    .updateTable('static_channel')
    .set(patch)
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .execute()
    .catch(numberTaken);
}

/** The unique number column lost a race with another request. */
function numberTaken(error: unknown): never {
  if (isUniqueViolation(error))
    throw new AppError('number_in_use', 'this number already serves another static channel');
  throw error;
}

export async function deleteChannel(db: Db, projectId: string, id: string): Promise<void> {
  await db.deleteFrom('static_channel').where('project_id', '=', projectId).where('id', '=', id).execute();
}

/** The number a channel may take: in the project, in no pool, used by no other channel. */
export const numberForChannel = (db: Db, projectId: string, numberId: string) =>
  db
    .selectFrom('tracking_number')
    .leftJoin('static_channel', 'static_channel.tracking_number_id', 'tracking_number.id')
    .select(['tracking_number.id', 'tracking_number.pool_id', 'static_channel.id as channel_id'])
    .where('tracking_number.project_id', '=', projectId)
    .where('tracking_number.id', '=', numberId)
    .executeTakeFirst();
