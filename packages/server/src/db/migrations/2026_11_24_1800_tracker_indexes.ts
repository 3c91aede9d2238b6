import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * The visitor indexes of visits and leases keyed by start instead of by a time that moves: last_seen_at and
 * expires_at change on every page view and heartbeat, and an index on them was rewritten each time. Starts never
 * change, a visitor has few visits and leases, and "the visitor's latest" is the latest started.
 */
export async function up(db: Db): Promise<void> {
  await db.schema.dropIndex('visit_project_visitor_idx').execute();
  await db.schema
    .createIndex('visit_project_visitor_idx')
    .on('visit')
    .columns(['project_id', 'visitor_id', 'started_at'])
    .execute();
  await db.schema.dropIndex('lease_visitor_idx').execute();
  await db.schema
    .createIndex('lease_visitor_idx')
    .on('lease')
    .columns(['project_id', 'visitor_id', 'started_at'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex('visit_project_visitor_idx').execute();
  await db.schema
    .createIndex('visit_project_visitor_idx')
    .on('visit')
    .columns(['project_id', 'visitor_id', 'last_seen_at'])
    .execute();
  await db.schema.dropIndex('lease_visitor_idx').execute();
  await db.schema
    .createIndex('lease_visitor_idx')
    .on('lease')
    .columns(['project_id', 'visitor_id', 'expires_at'])
    .execute();
}
