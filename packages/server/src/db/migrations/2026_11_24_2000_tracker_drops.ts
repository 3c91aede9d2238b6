import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/** Page views the tracker dropped (bots, floods, bad URLs), counted per project, UTC day and reason. */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('tracker_drop')
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tracker_drop_pk', ['project_id', 'day', 'reason'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('tracker_drop').execute();
}
