import type { Db } from '../../db/connect.js';
import type { SpendTable } from '../../db/database.js';

/**
 * Replaces one ad network's spend for a period with new rows, in one transaction: a re-import of the same
 * period never doubles, and a failed import leaves the old rows in place.
 */
export async function replaceSpend(
  db: Db,
  projectId: string,
  adNetwork: string,
  period: { from: string; to: string },
  rows: SpendTable[],
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom('spend')
      .where('project_id', '=', projectId)
      .where('ad_network', '=', adNetwork)
      .where('day', '>=', period.from)
      .where('day', '<=', period.to)
      .executeTakeFirst();
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .insertInto('spend')
        .values(rows.slice(i, i + 500))
        .execute();
    }
    return Number(deleted.numDeletedRows);
  });
}

export interface SpendFilter {
  from?: string;
  to?: string;
  adNetwork?: string;
  after?: string;
  limit: number;
}

export function listSpend(db: Db, projectId: string, filter: SpendFilter) {
  let query = db.selectFrom('spend').selectAll().where('project_id', '=', projectId);
  if (filter.from) query = query.where('day', '>=', filter.from);
  if (filter.to) query = query.where('day', '<=', filter.to);
  if (filter.adNetwork) query = query.where('ad_network', '=', filter.adNetwork);
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
}

export const listRates = (db: Db, projectId: string) =>
  db
    .selectFrom('currency_rate')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('currency')
    .execute();

export async function upsertRates(
  db: Db,
  rows: { project_id: string; currency: string; rate: string; updated_at: number }[],
) {
  if (rows.length === 0) return;
  await db
    .insertInto('currency_rate')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['project_id', 'currency']).doUpdateSet((eb) => ({
        rate: eb.ref('excluded.rate'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

export async function deleteRate(db: Db, projectId: string, currency: string): Promise<boolean> {
  const result = await db
    .deleteFrom('currency_rate')
    .where('project_id', '=', projectId)
    .where('currency', '=', currency)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
