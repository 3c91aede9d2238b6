import type { Db } from '../../db/connect.js';
import type { ProviderAccountTable } from '../../db/database.js';

export const listAccounts = (db: Db, projectId: string) =>
  db.selectFrom('provider_account').selectAll().where('project_id', '=', projectId).orderBy('id').execute();

export const findAccount = (db: Db, id: string) =>
  db.selectFrom('provider_account').selectAll().where('id', '=', id).executeTakeFirst();

export async function insertAccount(db: Db, row: ProviderAccountTable): Promise<void> {
  await db.insertInto('provider_account').values(row).execute();
}

export async function updateAccount(db: Db, row: ProviderAccountTable): Promise<void> {
  await db
    .updateTable('provider_account')
    .set({ name: row.name, allowed_sources: row.allowed_sources, updated_at: row.updated_at })
    .where('id', '=', row.id)
    .execute();
}

export async function deleteAccount(db: Db, projectId: string, id: string): Promise<number> {
  const result = await db
    .deleteFrom('provider_account')
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
