import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

const KEY_COLUMNS = [
  'channel',
  'source',
  'medium',
  'ad_network',
  'campaign',
  'ad_group',
  'ad',
  'keyword',
  'landing_url',
  'device_type',
] as const;

/**
 * The report key columns of every visit a call or deal is credited to, copied into a narrow table: reports join
 * 100k calls to it instead of to the (wide, large) visit table. A visit's key columns never change, so the copy
 * cannot go stale.
 */
export async function up(db: Db): Promise<void> {
  let table = db.schema
    .createTable('credited_visit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'));
  for (const column of KEY_COLUMNS) table = table.addColumn(column, 'text');
  await table.execute();
  const columns = sql.join(KEY_COLUMNS.map((c) => sql.ref(c)));
  const credited = sql.join(
    ['call', 'deal'].flatMap((t) =>
      ['credit_last_id', 'credit_first_id'].map((c) => sql`select ${sql.ref(c)} from ${sql.table(t)}`),
    ),
    sql` union `,
  );
  await sql`insert into credited_visit (id, project_id, ${columns})
    select id, project_id, ${columns} from visit where id in (${credited})`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('credited_visit').execute();
}
