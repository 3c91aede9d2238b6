import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/** Telephony provider accounts of a project: where its call webhooks come from and how they are verified. */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('provider_account')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON: the provider's secrets (Twilio auth token, Mango key and salt, a generic HMAC secret…).
    .addColumn('credentials', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('provider_account_project_idx')
    .on('provider_account')
    .column('project_id')
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('provider_account').execute();
}
