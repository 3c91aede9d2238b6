import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';

export type TouchTable = 'call' | 'deal';

export interface VisitRow {
  id: string;
  visitor_id: string;
  channel: string;
  started_at: number;
}

export const findVisits = (db: Db, projectId: string, ids: string[]): Promise<VisitRow[]> =>
  db
    .selectFrom('visit')
    .select(['id', 'visitor_id', 'channel', 'started_at'])
    .where('project_id', '=', projectId)
    .where('id', 'in', ids)
    .execute();

/** The visitors' visits that started in [from, to]. */
export const findVisitorVisits = (
  db: Db,
  projectId: string,
  visitorIds: string[],
  from: number,
  to: number,
): Promise<VisitRow[]> =>
  db
    .selectFrom('visit')
    .select(['id', 'visitor_id', 'channel', 'started_at'])
    .where('project_id', '=', projectId)
    .where('visitor_id', 'in', visitorIds)
    .where('started_at', '>=', from)
    .where('started_at', '<=', to)
    .execute();

const KEY_COLUMNS = [
  'channel',
  'source',
  'medium',
  'ad_network',
  'campaign',
  'ad_group',
  'ad',
  'keyword',
  'landing_url',
  'device_type',
] as const;

/** Copies the report key columns of these visits into credited_visit (once each). */
export async function copyCreditedVisits(db: Db, projectId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .insertInto('credited_visit')
    .columns(['id', 'project_id', ...KEY_COLUMNS])
    .expression(
      db
        .selectFrom('visit')
        .select(['id', 'project_id', ...KEY_COLUMNS])
        .where('project_id', '=', projectId)
        .where('id', 'in', ids),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Calls or deals matched to a visit but not credited yet (a partial index holds exactly these). */
export function findUncredited(db: Db, table: TouchTable, projectId: string, limit: number, id?: string) {
  let query = db
    .selectFrom(table)
    .select(['id', 'visit_id'])
    .where('project_id', '=', projectId)
    .where('visit_id', 'is not', null)
    .where('credit_of', 'is', null);
  if (id !== undefined) query = query.where('id', '=', id);
  return query.limit(limit).execute() as Promise<{ id: string; visit_id: string }[]>;
}

export interface CreditRow {
  id: string;
  of: string;
  last: string | null;
  first: string | null;
}

/** One UPDATE for a batch; a row whose visit changed meanwhile is left for the next pass. */
export async function writeCredits(db: Db, table: TouchTable, rows: CreditRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const values = sql.join(rows.map((r) => sql`(${r.id}, ${r.of}, ${r.last}, ${r.first})`));
  const t = sql.table(table);
  const result = await sql`with x(id, credit_of, last_id, first_id) as (values ${values})
    update ${t} set credit_of = x.credit_of, credit_last_id = x.last_id, credit_first_id = x.first_id
    from x where ${t}.id = x.id and ${t}.visit_id = x.credit_of`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
