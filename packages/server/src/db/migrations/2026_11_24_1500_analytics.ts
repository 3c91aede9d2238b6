import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * End-to-end analytics: currency rates per project, CRM webhook links, how a deal was linked, and the indexes
 * that deal linking (analytics client ids, callers) and spend replacement (network + day) need.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('currency_rate')
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('currency', 'text', (c) => c.notNull())
    // Decimal text exactly as the user gave it: 1 unit of `currency` = `rate` units of the project currency.
    .addColumn('rate', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('currency_rate_pk', ['project_id', 'currency'])
    .execute();

  await db.schema
    .createTable('crm_link')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // Random path segment of the webhook URL; the CRM proves itself by knowing it.
    .addColumn('secret', 'text', (c) => c.notNull())
    // JSON: Bitrix24 application token and REST URL, amoCRM status ids, field names, default currency.
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('crm_link_project_idx').on('crm_link').column('project_id').execute();

  // call_id/visit_id of a deal are what it was linked to; linked_by says by which key (null = not linked yet).
  await db.schema.alterTable('deal').addColumn('linked_by', 'text').execute();
  await db.schema.alterTable('deal').addColumn('call_ref', 'text').execute();
  await db.schema
    .createIndex('deal_project_unlinked_idx')
    .on('deal')
    .columns(['project_id', 'linked_by'])
    .execute();

  await db.schema
    .createIndex('spend_project_network_day_idx')
    .on('spend')
    .columns(['project_id', 'ad_network', 'day'])
    .execute();
  await db.schema
    .createIndex('visit_project_ga_idx')
    .on('visit')
    .columns(['project_id', 'ga_client_id'])
    .where('ga_client_id', 'is not', null)
    .execute();
  await db.schema
    .createIndex('visit_project_ym_idx')
    .on('visit')
    .columns(['project_id', 'ym_client_id'])
    .where('ym_client_id', 'is not', null)
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex('visit_project_ym_idx').execute();
  await db.schema.dropIndex('visit_project_ga_idx').execute();
  await db.schema.dropIndex('spend_project_network_day_idx').execute();
  await db.schema.dropIndex('deal_project_unlinked_idx').execute();
  await db.schema.alterTable('deal').dropColumn('call_ref').execute();
  await db.schema.alterTable('deal').dropColumn('linked_by').execute();
  await db.schema.dropTable('crm_link').execute();
  await db.schema.dropTable('currency_rate').execute();
}
