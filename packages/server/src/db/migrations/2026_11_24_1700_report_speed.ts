import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

const LOOKBACK_MS = 90 * 86_400_000;

/**
 * The credited visit of a touch whose matched visit is `visit_id`, under each report model, as the rule stood when
 * this migration was written (modules/analytics/credit.ts keeps the live rule; tests hold the two equal).
 */
function creditSql(model: 'last' | 'first') {
  const window = sql`p.project_id = v.project_id and p.visitor_id = v.visitor_id
    and p.started_at < v.started_at and p.started_at >= v.started_at - ${sql.lit(LOOKBACK_MS)}`;
  const pick =
    model === 'first'
      ? sql`(select p.id from visit p where ${window} order by p.started_at asc, p.id asc limit 1)`
      : sql`(select p.id from visit p where ${window} and p.channel <> 'direct'
          order by p.started_at desc, p.id desc limit 1)`;
  const value =
    model === 'first'
      ? sql`coalesce(${pick}, v.id)`
      : sql`case when v.channel <> 'direct' then v.id
    else coalesce(${pick}, v.id) end`;
  return (table: string) => sql`(select ${value} from visit v where v.id = ${sql.ref(`${table}.visit_id`)})`;
}

/**
 * Report speed: credited visits stored on calls and deals (written when the touch is recorded, so reports join
 * without correlated subqueries), and per-day visit counts per report grouping for closed days (built from the
 * visit table by the report, never by the tracker).
 */
export async function up(db: Db): Promise<void> {
  for (const table of ['call', 'deal']) {
    // credit_of: the visit_id the two credits were computed from (null = not credited yet).
    await db.schema.alterTable(table).addColumn('credit_of', 'text').execute();
    await db.schema.alterTable(table).addColumn('credit_last_id', 'text').execute();
    await db.schema.alterTable(table).addColumn('credit_first_id', 'text').execute();
    await db.schema
      .createIndex(`${table}_credit_pending_idx`)
      .on(table)
      .column('project_id')
      .where(sql.ref('visit_id'), 'is not', null)
      .where(sql.ref('credit_of'), 'is', null)
      .execute();
    await sql`update ${sql.table(table)} set credit_of = visit_id,
        credit_last_id = ${creditSql('last')(table)}, credit_first_id = ${creditSql('first')(table)}
      where visit_id is not null`.execute(db);
  }

  // Visits per local day (epoch day in the project's time zone) and grouping key; `dims` names the key columns.
  await db.schema
    .createTable('visit_rollup')
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('dims', 'text', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('k0', 'text')
    .addColumn('k1', 'text')
    .addColumn('k2', 'text')
    .addColumn('visits', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('visit_rollup_idx')
    .on('visit_rollup')
    .columns(['project_id', 'dims', 'day'])
    .execute();
  // Which days of which grouping are complete in visit_rollup (a day without visits has a marker and no rows).
  await db.schema
    .createTable('visit_rollup_day')
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('dims', 'text', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('visit_rollup_day_pk', ['project_id', 'dims', 'day'])
    .execute();
  // The time zone the days are in, and the highest visit id already checked for late arrivals.
  await db.schema
    .createTable('visit_rollup_state')
    .addColumn('project_id', 'text', (c) => c.primaryKey().references('project.id').onDelete('cascade'))
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('watermark', 'text')
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('visit_rollup_state').execute();
  await db.schema.dropTable('visit_rollup_day').execute();
  await db.schema.dropTable('visit_rollup').execute();
  for (const table of ['deal', 'call']) {
    await db.schema.dropIndex(`${table}_credit_pending_idx`).execute();
    await db.schema.alterTable(table).dropColumn('credit_first_id').execute();
    await db.schema.alterTable(table).dropColumn('credit_last_id').execute();
    await db.schema.alterTable(table).dropColumn('credit_of').execute();
  }
}
