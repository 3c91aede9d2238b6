import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

/**
 * Copies of the calls' recordings kept by Ringtrace (providers delete theirs after a while): one row per call with a
 * recording, waiting (`pending`, due at `due_at`), `stored` in a file under RECORDINGS_DIR (since `due_at`),
 * `failed` for good, or `expired` (deleted after RECORDINGS_KEEP_DAYS).
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('recording_archive')
    .addColumn('call_id', 'text', (c) => c.primaryKey().references('call.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('recording_url', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('file', 'text')
    .addColumn('content_type', 'text')
    .addColumn('bytes', 'bigint')
    .addColumn('stored_at', 'bigint')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('recording_archive_due_idx')
    .on('recording_archive')
    .columns(['state', 'due_at'])
    .execute();
  // The recordings of calls made before: they are the ones a provider deletes first.
  await sql`insert into recording_archive (call_id, project_id, recording_url, state, attempts, due_at)
    select id, project_id, recording_url, 'pending', 0, ${Date.now()} from call
    where recording_url is not null and provider in ('twilio', 'zadarma', 'mango')`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('recording_archive').execute();
}
