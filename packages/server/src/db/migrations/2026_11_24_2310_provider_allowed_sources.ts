import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * The addresses a provider account's webhooks may come from (a JSON array of IPs and CIDR ranges; null: any).
 * Zadarma signs only part of its notifications and nothing against replays, so its own advice is to accept only
 * its addresses; any provider that publishes its ranges can be held to them.
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('provider_account').addColumn('allowed_sources', 'text').execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable('provider_account').dropColumn('allowed_sources').execute();
}
