import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * When the pool's last `pool.exhausted` alert went out: at most one an hour per pool, whichever instance notices
 * first (the one whose update of this column matches).
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('pool').addColumn('exhaustion_alerted_at', 'bigint').execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable('pool').dropColumn('exhaustion_alerted_at').execute();
}
