import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { CrmLinkTable, DealTable } from '../../db/database.js';

export const findDealByExternal = (db: Db, projectId: string, source: string, externalId: string) =>
  db
    .selectFrom('deal')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .executeTakeFirst();

export const findDeal = (db: Db, projectId: string, id: string) =>
  db
    .selectFrom('deal')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();

export async function insertDeal(db: Db, row: DealTable): Promise<void> {
  await db.insertInto('deal').values(row).execute();
}

export async function updateDeal(db: Db, id: string, patch: Partial<DealTable>): Promise<void> {
  await db.updateTable('deal').set(patch).where('id', '=', id).execute();
}

export interface DealFilter {
  status?: 'open' | 'won' | 'lost';
  linked?: boolean;
  after?: string;
  limit: number;
}

export function listDeals(db: Db, projectId: string, filter: DealFilter) {
  let query = db.selectFrom('deal').selectAll().where('project_id', '=', projectId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.linked !== undefined) query = query.where('linked_by', filter.linked ? 'is not' : 'is', null);
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
}

const DAY = 86_400_000;

/**
 * Links the project's unlinked deals (or just one) to what their identifiers name, strongest key first: our call
 * id, the caller's phone (their latest call up to a day after the deal opened), the analytics client id (GA, then
 * Metrica), the visitor id. Set-based UPDATEs, so a report can run it first at almost no cost when nothing waits.
 */
export async function linkPendingDeals(db: Db, projectId: string, dealId?: string): Promise<number> {
  const only = dealId === undefined ? sql`` : sql` and deal.id = ${dealId}`;
  const pending = sql`deal.project_id = ${projectId} and deal.linked_by is null${only}`;
  let linked = 0;
  const run = async (query: ReturnType<typeof sql>) => {
    const result = await query.execute(db);
    linked += Number(result.numAffectedRows ?? 0);
  };
  await run(sql`update deal set call_id = deal.call_ref, linked_by = 'call_id'
    where ${pending} and deal.call_ref is not null
      and exists (select 1 from call c where c.id = deal.call_ref and c.project_id = deal.project_id)`);
  const phoneCall = sql`(select c.id from call c where c.project_id = deal.project_id and c.caller = deal.phone
      order by case when c.started_at <= deal.opened_at + ${sql.lit(DAY)} then 0 else 1 end, c.started_at desc limit 1)`;
  await run(sql`update deal set call_id = ${phoneCall}, linked_by = 'phone'
    where ${pending} and deal.phone is not null
      and exists (select 1 from call c where c.project_id = deal.project_id and c.caller = deal.phone)`);
  for (const column of ['ga_client_id', 'ym_client_id'] as const) {
    const ref = sql.ref(`v.${column}`);
    const visit = sql`(select v.id from visit v where v.project_id = deal.project_id and ${ref} = deal.client_id
        order by case when v.started_at <= deal.opened_at then 0 else 1 end, v.started_at desc limit 1)`;
    await run(sql`update deal set visit_id = ${visit}, credit_of = null, linked_by = 'client_id'
      where ${pending} and deal.client_id is not null
        and exists (select 1 from visit v where v.project_id = deal.project_id and ${ref} = deal.client_id)`);
  }
  const visitorVisit = sql`(select v.id from visit v where v.project_id = deal.project_id and v.visitor_id = deal.visitor_id
      order by case when v.started_at <= deal.opened_at then 0 else 1 end, v.started_at desc limit 1)`;
  await run(sql`update deal set visit_id = ${visitorVisit}, credit_of = null, linked_by = 'visitor_id'
    where ${pending} and deal.visitor_id is not null
      and exists (select 1 from visit v where v.project_id = deal.project_id and v.visitor_id = deal.visitor_id)`);
  return linked;
}

export const insertCrmLink = (db: Db, row: CrmLinkTable) => db.insertInto('crm_link').values(row).execute();
export const listCrmLinks = (db: Db, projectId: string) =>
  db.selectFrom('crm_link').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
export const findCrmLink = (db: Db, id: string) =>
  db.selectFrom('crm_link').selectAll().where('id', '=', id).executeTakeFirst();
export async function deleteCrmLink(db: Db, projectId: string, id: string): Promise<boolean> {
  const r = await db
    .deleteFrom('crm_link')
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The project a webhook link belongs to: webhooks carry no API key, so no principal can read it for us. */
export const findProjectRef = (db: Db, id: string) =>
  db.selectFrom('project').select(['id', 'currency', 'country']).where('id', '=', id).executeTakeFirst();
