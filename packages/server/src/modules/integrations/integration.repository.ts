import type { Db } from '../../db/connect.js';
import type { IntegrationTable } from '../../db/database.js';

export const listIntegrations = (db: Db, projectId: string) =>
  db.selectFrom('integration').selectAll().where('project_id', '=', projectId).orderBy('id').execute();

/** The enabled integrations of a project and the events they take: what the call path asks on every call. */
export const listSubscriptions = (db: Db, projectId: string) =>
  db
    .selectFrom('integration')
    .select(['id', 'events'])
    .where('project_id', '=', projectId)
    .where('enabled', '=', 1)
    .orderBy('id')
    .execute();

export const findIntegration = (db: Db, projectId: string, id: string) =>
  db
    .selectFrom('integration')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();

export const findIntegrationById = (db: Db, id: string) =>
  db.selectFrom('integration').selectAll().where('id', '=', id).executeTakeFirst();

export async function insertIntegration(db: Db, row: IntegrationTable): Promise<void> {
  await db.insertInto('integration').values(row).execute();
}

export async function updateIntegration(db: Db, row: IntegrationTable): Promise<void> {
  await db
    .updateTable('integration')
    .set({
      name: row.name,
      settings: row.settings,
      secrets: row.secrets,
      events: row.events,
      enabled: row.enabled,
      updated_at: row.updated_at,
    })
    .where('project_id', '=', row.project_id)
    .where('id', '=', row.id)
    .execute();
}

export async function deleteIntegration(db: Db, projectId: string, id: string): Promise<number> {
  const result = await db
    .deleteFrom('integration')
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
