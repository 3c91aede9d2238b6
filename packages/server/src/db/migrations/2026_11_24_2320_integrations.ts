import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * Outbound integrations of a project (signed webhooks, GA4, Yandex Metrica) and the outbox columns their
 * deliveries need: which integration an event goes to, when it was given up, and a note on a delivered event that
 * was skipped (e.g. a call without a GA client id). Outbox events carry no foreign key: they outlive a deleted
 * integration (and are marked failed), so nothing sent or owed is ever lost.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('integration')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON: what is not secret (a URL, a measurement id, a counter id…).
    .addColumn('settings', 'text', (c) => c.notNull())
    // JSON, sealed (sealed.ts): signing secrets, API secrets, OAuth tokens.
    .addColumn('secrets', 'text', (c) => c.notNull())
    // JSON array of event types: call.started, call.ended.
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('integration_project_idx').on('integration').column('project_id').execute();

  // SQLite adds one column per statement.
  await db.schema.alterTable('outbox_event').addColumn('integration_id', 'text').execute();
  await db.schema.alterTable('outbox_event').addColumn('failed_at', 'bigint').execute();
  await db.schema.alterTable('outbox_event').addColumn('note', 'text').execute();
  // The dispatcher's claim reads only what is still owed; delivered and failed events stay out of its index.
  await db.schema.dropIndex('outbox_pending_idx').execute();
  await db.schema
    .createIndex('outbox_due_idx')
    .on('outbox_event')
    .column('available_at')
    .where(sql.ref('delivered_at'), 'is', null)
    .where(sql.ref('failed_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('outbox_integration_idx')
    .on('outbox_event')
    .columns(['integration_id', 'id'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex('outbox_integration_idx').execute();
  await db.schema.dropIndex('outbox_due_idx').execute();
  await db.schema
    .createIndex('outbox_pending_idx')
    .on('outbox_event')
    .columns(['delivered_at', 'available_at'])
    .execute();
  await db.schema.alterTable('outbox_event').dropColumn('note').execute();
  await db.schema.alterTable('outbox_event').dropColumn('failed_at').execute();
  await db.schema.alterTable('outbox_event').dropColumn('integration_id').execute();
  await db.schema.dropTable('integration').execute();
}
