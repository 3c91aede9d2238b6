import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * Which provider account reported the call: playing its recording needs that account's credentials. No foreign
 * key: a disconnected account leaves its calls (and their recordings are then unavailable).
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('call').addColumn('provider_account_id', 'text').execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable('call').dropColumn('provider_account_id').execute();
}
