import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * The visit's Google Analytics 4 session ids, a JSON object by measurement id (`{"G-XYZ":"1732456789"}`), read
 * from the site's `_ga_<stream>` cookies: GA4 credits a call sent through the Measurement Protocol to the visit's
 * session (its source and campaign) only when the event carries that session's id.
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('visit').addColumn('ga_sessions', 'text').execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable('visit').dropColumn('ga_sessions').execute();
}
