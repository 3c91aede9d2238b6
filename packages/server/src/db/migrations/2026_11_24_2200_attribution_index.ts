import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * "Who held number N around time T" (attribution of every incoming call) reads the number's leases that ended
 * after T minus the look-back, from this index: only the few recent ones. Through (tracking_number_id, started_at)
 * it walked back over every lease the number ever had that started before T, so each call cost more as the
 * history grew (100 leases per number: ~250 µs; a year's history would be tens of milliseconds). It replaces that
 * index rather than joining it: the pool usage's "leases started since S" is also "ended since S", and every
 * index on `lease` is one more B-tree insert per lease on the tracker's path.
 */
export async function up(db: Db): Promise<void> {
  await db.schema.dropIndex('lease_number_started_idx').execute();
  await db.schema
    .createIndex('lease_number_expires_idx')
    .on('lease')
    .columns(['tracking_number_id', 'expires_at'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex('lease_number_expires_idx').execute();
  await db.schema
    .createIndex('lease_number_started_idx')
    .on('lease')
    .columns(['tracking_number_id', 'started_at'])
    .execute();
}
