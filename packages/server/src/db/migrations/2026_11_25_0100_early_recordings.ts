import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * Recordings reported before their call (Mango's recording event can overtake the summary that creates the call
 * when the call events are not sent): kept by the provider's call id until the call arrives. Gone with the
 * provider account that reported them.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('early_recording')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_call_id', 'text', (c) => c.notNull())
    .addColumn('provider_account_id', 'text', (c) =>
      c.notNull().references('provider_account.id').onDelete('cascade'),
    )
    .addColumn('recording_url', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('early_recording_pk', ['provider', 'provider_call_id'])
    .execute();
  await db.schema
    .createIndex('early_recording_account_idx')
    .on('early_recording')
    .column('provider_account_id')
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('early_recording').execute();
}
