import type { Db } from '../../db/connect.js';
import type { DestinationTable } from '../../db/database.js';

export const listDestinations = (db: Db, projectId: string) =>
  db.selectFrom('destination').selectAll().where('project_id', '=', projectId).orderBy('id').execute();

export const findDestination = (db: Db, projectId: string, id: string) =>
  db
    .selectFrom('destination')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();

export async function insertDestination(db: Db, row: DestinationTable): Promise<void> {
  await db.insertInto('destination').values(row).execute();
}

export async function updateDestination(
  db: Db,
  projectId: string,
  id: string,
  patch: Partial<DestinationTable>,
) {
  await db
    .updateTable('destination')
    .set(patch)
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .execute();
}

export async function deleteDestination(db: Db, projectId: string, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('project')
      .set({ default_destination_id: null })
      .where('id', '=', projectId)
      .where('default_destination_id', '=', id)
      .execute();
    await trx.deleteFrom('destination').where('project_id', '=', projectId).where('id', '=', id).execute();
  });
}
