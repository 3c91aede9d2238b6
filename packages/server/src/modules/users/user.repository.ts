import type { Db } from '../../db/connect.js';
import { isUniqueViolation } from '../../db/constraint.js';
import type { UserSessionTable, UserTable } from '../../db/database.js';

export type UserRow = UserTable & { project_ids: string[] };

async function withProjects(db: Db, row: UserTable | undefined): Promise<UserRow | undefined> {
  if (!row) return undefined;
  const links = await db
    .selectFrom('user_project')
    .select('project_id')
    .where('user_id', '=', row.id)
    .execute();
  return { ...row, project_ids: links.map((l) => l.project_id) };
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return withProjects(
    db,
    await db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst(),
  );
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return withProjects(
    db,
    await db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst(),
  );
}

/** False when the email is taken. */
export async function insertUser(db: Db, row: UserTable, projectIds: readonly string[]): Promise<boolean> {
  try {
    await insertUserRows(db, row, projectIds);
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

async function insertUserRows(db: Db, row: UserTable, projectIds: readonly string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('app_user').values(row).execute();
    if (projectIds.length > 0) {
      await trx
        .insertInto('user_project')
        .values(projectIds.map((project_id) => ({ user_id: row.id, project_id })))
        .execute();
    }
  });
}

export async function insertSession(db: Db, row: UserSessionTable): Promise<void> {
  await db.insertInto('user_session').values(row).execute();
}

export async function findSessionByHash(db: Db, tokenHash: string): Promise<UserSessionTable | undefined> {
  return db.selectFrom('user_session').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function touchSession(db: Db, id: string, lastSeenAt: number, expiresAt: number): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
    .where('id', '=', id)
    .execute();
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('user_session').where('token_hash', '=', tokenHash).execute();
}

/** Removes a user's expired sessions (run at sign-in, so the table never grows without bound). */
export async function deleteExpiredSessions(db: Db, userId: string, now: number): Promise<void> {
  await db.deleteFrom('user_session').where('user_id', '=', userId).where('expires_at', '<=', now).execute();
}

/** Every user with the projects each may see, by email. */
export async function listUsers(db: Db): Promise<UserRow[]> {
  const rows = await db.selectFrom('app_user').selectAll().orderBy('email').execute();
  const links = await db.selectFrom('user_project').select(['user_id', 'project_id']).execute();
  const byUser = new Map<string, string[]>();
  for (const link of links) {
    const list = byUser.get(link.user_id);
    if (list) list.push(link.project_id);
    else byUser.set(link.user_id, [link.project_id]);
  }
  return rows.map((r) => ({ ...r, project_ids: (byUser.get(r.id) ?? []).sort() }));
}

/** Changes a user; with `projectIds`, makes exactly those the user's projects (one transaction). */
export async function updateUser(
  db: Db,
  id: string,
  patch: Partial<Omit<UserTable, 'id'>>,
  projectIds: readonly string[] | undefined,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (Object.keys(patch).length > 0)
      await trx.updateTable('app_user').set(patch).where('id', '=', id).execute();
    if (projectIds === undefined) return;
    await trx.deleteFrom('user_project').where('user_id', '=', id).execute();
    if (projectIds.length > 0)
      await trx
        .insertInto('user_project')
        .values(projectIds.map((project_id) => ({ user_id: id, project_id })))
        .execute();
  });
}

/** Removes a user with their sessions and project links. */
export async function deleteUser(db: Db, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('user_session').where('user_id', '=', id).execute();
    await trx.deleteFrom('user_project').where('user_id', '=', id).execute();
    await trx.deleteFrom('app_user').where('id', '=', id).execute();
  });
}

/** Ends every session of a user (after a password reset). */
export async function deleteSessionsOf(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('user_session').where('user_id', '=', userId).execute();
}
