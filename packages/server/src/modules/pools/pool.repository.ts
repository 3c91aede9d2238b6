import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { PoolTable } from '../../db/database.js';
import type { HourCount } from './pool-sizing.js';

export const listPools = (db: Db, projectId: string) =>
  db
    .selectFrom('pool')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('priority')
    .orderBy('id')
    .execute();

export const findPool = (db: Db, projectId: string, id: string) =>
  db
    .selectFrom('pool')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();

/** Member numbers of each pool, oldest-released first. */
export async function poolMembers(db: Db, poolIds: readonly string[]): Promise<Map<string, string[]>> {
  const members = new Map<string, string[]>(poolIds.map((id) => [id, []]));
  if (poolIds.length === 0) return members;
  const rows = await db
    .selectFrom('tracking_number')
    .select(['id', 'pool_id'])
    .where('pool_id', 'in', poolIds)
    .orderBy('released_at')
    .orderBy('id')
    .execute();
  for (const row of rows) if (row.pool_id) members.get(row.pool_id)?.push(row.id);
  return members;
}

/** The numbers as a pool would take them: in the project, with what each already serves. */
export const numbersForPool = (db: Db, projectId: string, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('tracking_number')
        .leftJoin('static_channel', 'static_channel.tracking_number_id', 'tracking_number.id')
        .select(['tracking_number.id', 'tracking_number.pool_id', 'static_channel.id as channel_id'])
        .where('tracking_number.project_id', '=', projectId)
        .where('tracking_number.id', 'in', ids)
        .execute();

/** Writes the pool and makes exactly `numberIds` its members, in one transaction. */
export async function savePool(
  db: Db,
  row: PoolTable,
  numberIds: readonly string[] | undefined,
  mode: 'insert' | 'update',
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (mode === 'insert') await trx.insertInto('pool').values(row).execute();
    else
      await trx
        .updateTable('pool')
        .set(row)
        .where('id', '=', row.id)
        .where('project_id', '=', row.project_id)
        .execute();
    if (numberIds === undefined) return;
    let release = trx.updateTable('tracking_number').set({ pool_id: null }).where('pool_id', '=', row.id);
    if (numberIds.length > 0) release = release.where('id', 'not in', numberIds);
    await release.execute();
    if (numberIds.length > 0) {
      await trx
        .updateTable('tracking_number')
        .set({ pool_id: row.id })
        .where('project_id', '=', row.project_id)
        .where('id', 'in', numberIds)
        .execute();
    }
  });
}

export async function deletePool(db: Db, projectId: string, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('tracking_number').set({ pool_id: null }).where('pool_id', '=', id).execute();
    await trx.deleteFrom('pool').where('project_id', '=', projectId).where('id', '=', id).execute();
  });
}

/**
 * Leases of these numbers that started at or after `since`, with the moments that decide each number's state. A
 * lease ends after it starts, so `expires_at >= since` adds nothing but lets lease_number_expires_idx find them.
 */
export async function leasesOfNumbers(db: Db, numberIds: readonly string[], since: number) {
  const rows: {
    numberId: string;
    startedAt: number;
    lastSeenAt: number;
    expiresAt: number;
    shared: number;
  }[] = [];
  // Chunks keep each statement under SQLite's bound-parameter limit.
  for (let i = 0; i < numberIds.length; i += 500) {
    rows.push(
      ...(await db
        .selectFrom('lease')
        .select([
          'tracking_number_id as numberId',
          'started_at as startedAt',
          'last_seen_at as lastSeenAt',
          'expires_at as expiresAt',
          'shared',
        ])
        .where('tracking_number_id', 'in', numberIds.slice(i, i + 500))
        .where('expires_at', '>=', since)
        .where('started_at', '>=', since)
        .where('kind', '=', 'dynamic')
        .execute()),
    );
  }
  return rows.map((r) => ({ ...r, shared: r.shared === 1 }));
}

/**
 * A pool's visits that started in [from, to], counted per UTC clock hour (epoch ms / 3,600,000: integer division
 * on both databases), with the sum of their lengths.
 */
export async function poolVisitsByHour(
  db: Db,
  projectId: string,
  poolId: string,
  from: number,
  to: number,
): Promise<HourCount[]> {
  const hour = sql<number>`started_at / ${sql.lit(3_600_000)}`;
  const rows = await db
    .selectFrom('visit')
    .select([
      hour.as('hour'),
      (eb) => eb.fn.countAll<number | string>().as('visits'),
      sql<number | string>`sum(last_seen_at - started_at)`.as('visit_ms'),
    ])
    .where('project_id', '=', projectId)
    .where('started_at', '>=', from)
    .where('started_at', '<=', to)
    .where('pool_id', '=', poolId)
    .groupBy(hour)
    .execute();
  // PostgreSQL answers sum(bigint) as numeric, which arrives as text.
  return rows.map((r) => ({ hour: Number(r.hour), visits: Number(r.visits), visitMs: Number(r.visit_ms) }));
}
