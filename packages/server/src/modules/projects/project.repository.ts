import type { Db } from '../../db/connect.js';
import type { ProjectTable } from '../../db/database.js';

export type ProjectRow = ProjectTable;

export const findProject = (db: Db, id: string) =>
  db.selectFrom('project').selectAll().where('id', '=', id).executeTakeFirst();

export const findProjectByPublicKey = (db: Db, publicKey: string) =>
  db.selectFrom('project').selectAll().where('public_key', '=', publicKey).executeTakeFirst();

export function listProjects(db: Db, ids?: readonly string[]) {
  let query = db.selectFrom('project').selectAll().orderBy('id');
  if (ids !== undefined) {
    if (ids.length === 0) return Promise.resolve([]);
    query = query.where('id', 'in', ids);
  }
  return query.execute();
}

export async function insertProject(db: Db, row: ProjectRow): Promise<void> {
  await db.insertInto('project').values(row).execute();
}

export async function updateProject(db: Db, id: string, patch: Partial<ProjectRow>): Promise<void> {
  await db.updateTable('project').set(patch).where('id', '=', id).execute();
}

/** Removes a project with everything it owns, in one transaction. */
export async function deleteProject(db: Db, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Tables without foreign keys first; the rest cascade from project.
    for (const table of ['outbox_event', 'spend', 'deal', 'call', 'lease', 'visit'] as const) {
      await trx.deleteFrom(table).where('project_id', '=', id).execute();
    }
    await trx.deleteFrom('static_channel').where('project_id', '=', id).execute();
    await trx.deleteFrom('api_key_project').where('project_id', '=', id).execute();
    await trx.deleteFrom('project').where('id', '=', id).execute();
  });
}
