import type { Db } from '../../db/connect.js';
import type { ApiKeyTable } from '../../db/database.js';

export type ApiKeyRow = ApiKeyTable & { project_ids: string[] };

async function withProjects(db: Db, rows: ApiKeyTable[]): Promise<ApiKeyRow[]> {
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('api_key_project')
    .select(['api_key_id', 'project_id'])
    .where(
      'api_key_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => ({
    ...r,
    project_ids: links.filter((l) => l.api_key_id === r.id).map((l) => l.project_id),
  }));
}

export async function findApiKeyByPrefix(db: Db, prefix: string): Promise<ApiKeyRow | undefined> {
  const row = await db.selectFrom('api_key').selectAll().where('prefix', '=', prefix).executeTakeFirst();
  return row ? (await withProjects(db, [row]))[0] : undefined;
}

export async function listApiKeys(db: Db, projectId?: string): Promise<ApiKeyRow[]> {
  let query = db.selectFrom('api_key').selectAll().orderBy('id');
  if (projectId !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('all_projects', '=', 1),
        eb(
          'id',
          'in',
          eb.selectFrom('api_key_project').select('api_key_id').where('project_id', '=', projectId),
        ),
      ]),
    );
  }
  return withProjects(db, await query.execute());
}

export async function insertApiKey(db: Db, row: ApiKeyTable, projectIds: readonly string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('api_key').values(row).execute();
    if (projectIds.length > 0) {
      await trx
        .insertInto('api_key_project')
        .values(projectIds.map((project_id) => ({ api_key_id: row.id, project_id })))
        .execute();
    }
  });
}

export async function countApiKeys(db: Db): Promise<number> {
  const { n } = await db
    .selectFrom('api_key')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

export async function revokeApiKey(db: Db, id: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable('api_key')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function touchApiKey(db: Db, id: string, at: number): Promise<void> {
  await db.updateTable('api_key').set({ last_used_at: at }).where('id', '=', id).execute();
}
