import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { KeyPart } from './report.js';
import { partExprs, periodExpr, type ReportQuery } from './report.repository.js';
import type { OffsetSegment } from './report-time.js';
import { MONTH_PREFIX } from './visit-rollup.js';

export const findState = (db: Db, projectId: string) =>
  db.selectFrom('visit_rollup_state').selectAll().where('project_id', '=', projectId).executeTakeFirst();

export async function saveState(db: Db, projectId: string, timezone: string, watermark: string | null) {
  await db
    .insertInto('visit_rollup_state')
    .values({ project_id: projectId, timezone, watermark })
    .onConflict((oc) => oc.column('project_id').doUpdateSet({ timezone, watermark }))
    .execute();
}

export const listProjects = (db: Db) => db.selectFrom('project').select(['id', 'timezone']).execute();

/** When the project's first visit started, if it has any. */
export const firstVisitAt = async (db: Db, projectId: string): Promise<number | undefined> => {
  const row = await db
    .selectFrom('visit')
    .select((eb) => eb.fn.min('started_at').as('at'))
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
};

/** The highest visit id of all projects: one step down the primary key. */
export const maxVisitId = async (db: Db): Promise<string | null> =>
  (
    await db
      .selectFrom('visit')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst()
  )?.id ?? null;

/** Start times of the project's visits written since `after` (ids are time-ordered), up to `upTo`. */
export const visitsWrittenSince = (db: Db, projectId: string, after: string, upTo: string) =>
  db
    .selectFrom('visit')
    .select('started_at')
    .where('id', '>', after)
    .where('id', '<=', upTo)
    .where('project_id', '=', projectId)
    .execute();

/** Drops the rollup of these days and of their months (every grouping), or of everything; in one transaction. */
export async function dropDays(db: Db, projectId: string, days?: number[], months?: number[]): Promise<void> {
  if (days?.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const table of ['visit_rollup_day', 'visit_rollup'] as const) {
      let query = trx.deleteFrom(table).where('project_id', '=', projectId);
      if (days)
        query = query.where((eb) =>
          eb.or([
            eb.and([eb('dims', 'not like', `${MONTH_PREFIX}%`), eb('day', 'in', days)]),
            eb.and([eb('dims', 'like', `${MONTH_PREFIX}%`), eb('day', 'in', months ?? [])]),
          ]),
        );
      await query.execute();
    }
  });
}

export const builtDays = async (db: Db, projectId: string, dims: string, from: number, to: number) =>
  (
    await db
      .selectFrom('visit_rollup_day')
      .select('day')
      .where('project_id', '=', projectId)
      .where('dims', '=', dims)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute()
  ).map((r) => Number(r.day));

/** Marks days as built; returns those this call marked (another report may be building the rest). */
export const claimDays = async (db: Db, projectId: string, dims: string, days: number[]) =>
  (
    await db
      .insertInto('visit_rollup_day')
      .values(days.map((day) => ({ project_id: projectId, dims, day })))
      .onConflict((oc) => oc.columns(['project_id', 'dims', 'day']).doNothing())
      .returning('day')
      .execute()
  ).map((r) => Number(r.day));

/**
 * Counts the visits of [from, to) (whole local days) per day and key into the rollup. `segments`: the zone's
 * offsets over that range, so that SQL finds each visit's local day.
 */
export async function buildDays(
  db: Db,
  q: ReportQuery,
  dims: KeyPart[],
  range: { from: number; to: number; segments: OffsetSegment[] },
): Promise<void> {
  const keyExprs = partExprs({ ...q, parts: dims }, false);
  const keys = [0, 1, 2].map((i) => keyExprs[i] ?? sql`cast(null as text)`);
  const day = periodExpr(sql`cv.started_at`, { kind: 'day', segments: range.segments });
  const groupBy = sql.join(
    Array.from({ length: 1 + keyExprs.length }, (_, i) => sql.lit(i + 3)),
    sql`, `,
  );
  await sql`insert into visit_rollup (project_id, dims, day, k0, k1, k2, visits)
    select ${q.projectId}, ${dims.join(',')}, ${day}, ${sql.join(keys)}, count(*) from visit cv
    where cv.project_id = ${q.projectId} and cv.started_at >= ${range.from} and cv.started_at < ${range.to}
    group by ${groupBy}`.execute(db);
}

/** Sums a month's days into its month row, if all its days are built (a report may have just dropped one). */
export async function buildMonth(db: Db, projectId: string, dims: string, month: number, next: number) {
  const built = await builtDays(db, projectId, dims, month, next - 1);
  if (built.length !== next - month) return false;
  await sql`insert into visit_rollup (project_id, dims, day, k0, k1, k2, visits)
    select ${projectId}, ${MONTH_PREFIX + dims}, ${month}, k0, k1, k2, sum(visits) from visit_rollup
    where project_id = ${projectId} and dims = ${dims} and day >= ${month} and day < ${next}
    group by k0, k1, k2`.execute(db);
  return true;
}

/** Visits per key over the days [from, to] from the rollup; per day too when `byDay`. */
export async function readRollup(
  db: Db,
  projectId: string,
  dims: string,
  from: number,
  to: number,
  byDay: boolean,
) {
  const day = byDay ? sql`day, ` : sql`0 as day, `;
  const groupBy = byDay ? sql`day, k0, k1, k2` : sql`k0, k1, k2`;
  const result = await sql<{
    day: number | string;
    k0: string | null;
    k1: string | null;
    k2: string | null;
    visits: number | string;
  }>`select ${day}k0, k1, k2, sum(visits) as visits from visit_rollup
    where project_id = ${projectId} and dims = ${dims} and day >= ${from} and day <= ${to}
    group by ${groupBy}`.execute(db);
  return result.rows;
}
