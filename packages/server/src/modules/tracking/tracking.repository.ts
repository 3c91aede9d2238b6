import { CompiledQuery, sql } from 'kysely';
import { type Db, type DialectName, markPrepared } from '../../db/connect.js';
import type { LeaseTable, VisitTable } from '../../db/database.js';
import { visitorKey } from './tracker-store.js';

/** Many rows per statement, in chunks of 64, 32, …, 1 rows, so that only a few distinct statements exist. */
async function inChunks<R>(rows: readonly R[], run: (chunk: R[]) => Promise<unknown>) {
  let at = 0;
  for (let size = 64; size >= 1; size >>= 1)
    while (rows.length - at >= size) {
      await run(rows.slice(at, at + size));
      at += size;
    }
}

export const insertVisits = (db: Db, rows: readonly VisitTable[]) =>
  inChunks(rows, (chunk) => db.insertInto('visit').values(chunk).execute());

export const insertLeases = (db: Db, rows: readonly LeaseTable[]) =>
  inChunks(rows, (chunk) => db.insertInto('lease').values(chunk).execute());

/** Rows of (id, …) values as a derived table, with casts so that PostgreSQL knows the parameters' types. */
const valuesOf = (rows: readonly (readonly unknown[])[], types: readonly string[]) =>
  sql.join(
    rows.map(
      (row) =>
        sql`(${sql.join(row.map((value, i) => sql`cast(${value} as ${sql.raw(types[i] ?? 'text')})`))})`,
    ),
  );

/**
 * The times a tracker batch moves later, one UPDATE … FROM (VALUES …) per table; `set` reads the new values from
 * `v`. Both batch writers use these: Kysely on the app's own connection (below) and the SQLite writer thread.
 */
export const BATCH_UPDATES = {
  /** Coalesced page views of visits: each one's latest moment, and how many pages were viewed since the last write. */
  visits: {
    table: 'visit',
    types: ['text', 'bigint', 'bigint'],
    set: `last_seen_at = case when visit.last_seen_at < v.column2 then v.column2 else visit.last_seen_at end,
      page_views = visit.page_views + v.column3`,
  },
  /** Leases' latest heartbeats and end moments (a null heartbeat: only the end moves). */
  leases: {
    table: 'lease',
    types: ['text', 'bigint', 'bigint'],
    set: 'last_seen_at = coalesce(v.column2, lease.last_seen_at), expires_at = v.column3',
  },
  /** Numbers' release moments, moved later, never earlier. */
  holds: {
    table: 'tracking_number',
    types: ['text', 'bigint'],
    set: `released_at = case when tracking_number.released_at < v.column2 then v.column2
      else tracking_number.released_at end`,
  },
  /**
   * Numbers' release moments set back to what they were (column2): numbers a group claimed and did not lend. Only
   * where the claim's moment (column3) is still there: once a claim has committed, another instance may have held
   * the number since, and that hold stands.
   */
  releases: {
    table: 'tracking_number',
    types: ['text', 'bigint', 'bigint'],
    set: 'released_at = v.column2',
    guard: 'tracking_number.released_at = v.column3',
  },
} as const;
export type BatchUpdate = (typeof BATCH_UPDATES)[keyof typeof BATCH_UPDATES] & { guard?: string };

const updateHead = (u: BatchUpdate) => `update ${u.table} set ${u.set} from (values `;
const updateWhere = (u: BatchUpdate) => `${u.table}.id = v.column1${u.guard ? ` and ${u.guard}` : ''}`;
const updateTail = (u: BatchUpdate) => `) as v where ${updateWhere(u)}`;
/** The whole statement around a VALUES list the caller writes (e.g. SQLite placeholders). */
export const batchUpdateSql = (u: BatchUpdate, values: string) => updateHead(u) + values + updateTail(u);

/** A batch UPDATE as SQL, to run alone or nest in a WITH. */
const batchUpdateStatement = (u: BatchUpdate, rows: readonly (readonly unknown[])[]) =>
  sql`${sql.raw(updateHead(u))}${valuesOf(rows, u.types)}${sql.raw(updateTail(u))}`;

const batchUpdate = (db: Db, u: BatchUpdate, rows: readonly (readonly unknown[])[]) =>
  inChunks(rows, async (chunk) => {
    await batchUpdateStatement(u, chunk).execute(db);
  });

export const touchVisits = (db: Db, rows: readonly (readonly [id: string, at: number, views: number])[]) =>
  batchUpdate(db, BATCH_UPDATES.visits, rows);

export const setLeasesTimes = (
  db: Db,
  rows: readonly (readonly [id: string, lastSeenAt: number | null, expiresAt: number])[],
) => batchUpdate(db, BATCH_UPDATES.leases, rows);

export const holdNumbersUntil = (db: Db, rows: readonly (readonly [id: string, until: number])[]) =>
  batchUpdate(db, BATCH_UPDATES.holds, rows);

export const releaseNumbersAt = (
  db: Db,
  rows: readonly (readonly [id: string, releasedAt: number, claimedUntil: number])[],
) => batchUpdate(db, BATCH_UPDATES.releases, rows);

/** Columns that are not text, by name: the array type each is sent as to `unnest` on PostgreSQL. */
const NUMERIC_COLUMNS: Record<string, string> = {
  started_at: 'bigint',
  last_seen_at: 'bigint',
  expires_at: 'bigint',
  page_views: 'integer',
  is_returning: 'integer',
  shared: 'integer',
};

/**
 * One statement of data-modifying CTEs for PostgreSQL with each column's values as one array parameter
 * (`unnest`): its text depends on the batch's shape only, never on its size, and is a few string joins to build.
 * Kysely building the same statement a value at a time took ~20% of the event loop in shared mode.
 */
class ArrayStatement {
  private readonly parts: string[] = [];
  private readonly params: unknown[] = [];

  /** `insert into T (columns) select * from unnest(…)`; the columns are the first row's keys. */
  insert(name: string, table: 'visit' | 'lease', rows: readonly object[]): this {
    if (rows.length === 0) return this;
    const columns = Object.keys(rows[0] as object);
    const from = this.arrays(
      columns.map((c) => NUMERIC_COLUMNS[c] ?? 'text'),
      columns.map((c) => rows.map((row) => (row as Record<string, unknown>)[c] ?? null)),
    );
    const list = columns.map((c) => `"${c}"`).join(', ');
    this.parts.push(`${name} as (insert into ${table} (${list}) select * from ${from})`);
    return this;
  }

  /** A batch update (BATCH_UPDATES) of rows of (id, …) values. */
  update(name: string, u: BatchUpdate, rows: readonly (readonly unknown[])[]): this {
    if (rows.length === 0) return this;
    const from = this.arrays(
      u.types,
      u.types.map((_, i) => rows.map((row) => row[i] ?? null)),
    );
    const alias = u.types.map((_, i) => `column${i + 1}`).join(', ');
    this.parts.push(
      `${name} as (update ${u.table} set ${u.set} from ${from} as v(${alias}) where ${updateWhere(u)})`,
    );
    return this;
  }

  /** `prepared`: for markPrepared, which see. */
  async execute(db: Db, options: { prepared?: boolean } = {}): Promise<void> {
    if (this.parts.length === 0) return;
    const text = `with ${this.parts.join(', ')} select 1`;
    await db.executeQuery(CompiledQuery.raw(options.prepared ? markPrepared(text) : text, this.params));
  }

  /** `unnest($n::type[], …)`, numbering on from the parameters already taken. */
  private arrays(types: readonly string[], columns: unknown[][]): string {
    const first = this.params.length + 1;
    this.params.push(...columns);
    return `unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(', ')})`;
  }
}

/**
 * New visits and leases, the holds of the numbers they claim and the numbers given back, in one statement of
 * data-modifying CTEs on PostgreSQL (it runs as one atomic transaction, checking the leases' foreign keys at its
 * end): one round trip instead of BEGIN, an INSERT per table, the UPDATEs and COMMIT, so the page views waiting
 * for it wait that much less.
 */
export async function insertBatchAtOnce(
  db: Db,
  visits: readonly VisitTable[],
  leases: readonly LeaseTable[],
  holds: readonly (readonly [id: string, until: number])[],
  releases: readonly (readonly [id: string, releasedAt: number, claimedUntil: number])[] = [],
): Promise<void> {
  await new ArrayStatement()
    .insert('new_visits', 'visit', visits)
    .insert('new_leases', 'lease', leases)
    .update('holds', BATCH_UPDATES.holds, holds)
    .update('releases', BATCH_UPDATES.releases, releases)
    // Inserts, and updates of numbers by id (the planner's choice there only grows with the table, which ANALYZE
    // tells it; the shared mode's vacuum analyzes the table every few seconds): prepared (markPrepared).
    .execute(db, { prepared: true });
}

/**
 * A group's moved times in shared mode (visits, leases, numbers), written after its rows. On PostgreSQL in one
 * statement, its updates as CTEs: one round trip instead of up to three. The rows come in order of id, so two such
 * statements lock shared rows in one order; a deadlock with a group's insert (which holds numbers too) is still
 * possible, if rare (twice in a session of benchmarks): PostgreSQL then fails one statement, which is tried once more.
 */
export async function writeTouches(
  db: Db,
  dialect: DialectName,
  touches: {
    visits: readonly (readonly [id: string, at: number, views: number])[];
    leases: readonly (readonly [id: string, lastSeenAt: number | null, expiresAt: number])[];
    holds: readonly (readonly [id: string, until: number])[];
  },
): Promise<void> {
  if (dialect !== 'postgres') {
    await touchVisits(db, touches.visits);
    await setLeasesTimes(db, touches.leases);
    await holdNumbersUntil(db, touches.holds);
    return;
  }
  const statement = new ArrayStatement()
    .update('visits', BATCH_UPDATES.visits, touches.visits)
    .update('leases', BATCH_UPDATES.leases, touches.leases)
    .update('holds', BATCH_UPDATES.holds, touches.holds);
  try {
    await statement.execute(db);
  } catch (error) {
    if ((error as { code?: string }).code !== '40P01') throw error;
    await statement.execute(db);
  }
}

/**
 * The visitor's latest visit seen since `since`; of visits started in the same millisecond (a visitor's tabs from
 * two ads at once), the one made last (ids count up within a millisecond, ids.ts). The keys are values, or the
 * columns of an outer query (`sql.ref`, as the keys of a LATERAL subquery). SQL templates rather than the query
 * builder: the shared mode runs these for every group of page views, and building them with Kysely's builder had
 * cost more of the event loop than the query's round trip.
 */
const latestVisitSql = (projectId: unknown, visitorId: unknown, since: number) =>
  sql`select id, last_seen_at, channel, source, campaign, pool_id from visit
    where project_id = ${projectId} and visitor_id = ${visitorId} and last_seen_at >= ${since}
    order by started_at desc, id desc limit 1`;

/**
 * The visitor's newest lease alive after `after`, on a number still active in the lease's pool; of leases started in
 * the same millisecond, the one made last: the others were ended by it, and taking one of them for the newest made
 * the visitor's next page view claim another number (seen in the benchmark, a few visits in 10,000).
 */
const liveLeaseSql = (projectId: unknown, visitorId: unknown, after: number) =>
  sql`select lease.id, lease.project_id, lease.visit_id, lease.pool_id, lease.shared, lease.expires_at,
      tracking_number.id as number_id, tracking_number.e164
    from lease inner join tracking_number on tracking_number.id = lease.tracking_number_id
    where lease.project_id = ${projectId} and lease.visitor_id = ${visitorId} and lease.expires_at > ${after}
      and tracking_number.status = 'active' and tracking_number.pool_id = lease.pool_id
    order by lease.started_at desc, lease.id desc limit 1`;

/** What the visitor queries select: the visit's columns, then the lease's (each side null when there is none). */
const VISITOR_COLUMNS = sql.raw(`v.id as visit_id, v.last_seen_at, v.channel, v.source, v.campaign,
  v.pool_id as visit_pool_id, l.id as lease_id, l.project_id, l.visit_id as lease_visit_id, l.pool_id, l.shared,
  l.expires_at, l.number_id, l.e164`);

/**
 * The visitor's latest visit seen since `since`, and their latest lease alive at any moment since then (whether it
 * still is, the caller decides at its own moment), in one query: a page view of a returning visitor needs both,
 * and one round trip instead of two is what the shared mode on PostgreSQL is short of.
 */
export async function findVisitor(db: Db, projectId: string, visitorId: string, since: number) {
  const { rows } = await sql<VisitorRow>`select ${VISITOR_COLUMNS} from (select 1 as one) as one
    left join (${latestVisitSql(projectId, visitorId, since)}) as v on true
    left join (${liveLeaseSql(projectId, visitorId, since)}) as l on true`.execute(db);
  return visitorOf(rows[0] as VisitorRow);
}

export type FoundVisitor = Awaited<ReturnType<typeof findVisitor>>;

/**
 * `findVisitor` for many visitors at once, keyed by `visitorKey`: what a group of page views in shared mode
 * reads before it runs. On PostgreSQL one query over the keys as two arrays, with `findVisitor`'s subqueries as
 * LATERAL joins (each on a visitor index, newest first); SQLite, without LATERAL and without round trips, asks for
 * each in turn.
 */
export async function findVisitors(
  db: Db,
  dialect: DialectName,
  keys: readonly { projectId: string; visitorId: string }[],
  since: number,
): Promise<Map<string, FoundVisitor>> {
  const found = new Map<string, FoundVisitor>();
  if (dialect !== 'postgres') {
    for (const k of keys)
      found.set(visitorKey(k.projectId, k.visitorId), await findVisitor(db, k.projectId, k.visitorId, since));
    return found;
  }
  if (keys.length === 0) return found;
  const project = sql.ref('k.project_id');
  const visitor = sql.ref('k.visitor_id');
  const projectIds = keys.map((k) => k.projectId);
  const visitorIds = keys.map((k) => k.visitorId);
  type Row = VisitorRow & { key_project_id: string; key_visitor_id: string };
  const query = sql<Row>`
    select k.project_id as key_project_id, k.visitor_id as key_visitor_id, ${VISITOR_COLUMNS}
    from unnest(${projectIds}::text[], ${visitorIds}::text[]) as k(project_id, visitor_id)
    left join lateral (${latestVisitSql(project, visitor, since)}) as v on true
    left join lateral (${liveLeaseSql(project, visitor, since)}) as l on true`.compile(db);
  // Index lookups by key whatever the keys: a generic plan serves (markPrepared).
  const { rows } = await db.executeQuery<Row>({ ...query, sql: markPrepared(query.sql) });
  for (const row of rows) found.set(visitorKey(row.key_project_id, row.key_visitor_id), visitorOf(row));
  return found;
}

interface VisitorRow {
  visit_id: string | null;
  last_seen_at: number | string | null;
  channel: string | null;
  source: string | null;
  campaign: string | null;
  visit_pool_id: string | null;
  lease_id: string | null;
  project_id: string | null;
  lease_visit_id: string | null;
  pool_id: string | null;
  shared: number | string | null;
  expires_at: number | string | null;
  number_id: string | null;
  e164: string | null;
}

function visitorOf(row: VisitorRow) {
  return {
    visit:
      row.visit_id === null
        ? undefined
        : {
            id: row.visit_id,
            last_seen_at: Number(row.last_seen_at),
            channel: row.channel as string,
            source: row.source as string,
            campaign: row.campaign,
            pool_id: row.visit_pool_id,
          },
    lease:
      row.lease_id === null
        ? undefined
        : {
            id: row.lease_id,
            project_id: row.project_id as string,
            visit_id: row.lease_visit_id as string,
            pool_id: row.pool_id,
            shared: Number(row.shared),
            expires_at: Number(row.expires_at),
            number_id: row.number_id as string,
            e164: row.e164 as string,
          },
  };
}

/**
 * Lends up to `count` numbers of a pool and holds them until `until`: the least-recently-released free numbers
 * first, then (when `share` allows it) the busy ones whose holders went silent first, whose holds are then only
 * ever extended. Answers them in lending order, each with its previous release moment (later than now: it was
 * busy, and is now shared). On PostgreSQL the chosen rows are locked and locked rows are skipped, so concurrent
 * instances never lend the same free number; SQLite has one writer at a time, which gives the same guarantee.
 */
export async function claimNumbers(
  db: Db,
  dialect: DialectName,
  poolId: string,
  now: number,
  until: number,
  share: boolean,
  count: number,
): Promise<{ id: string; e164: string; previous: number }[]> {
  let rows: { id: string; e164: string; previous: string | number }[];
  if (dialect === 'postgres')
    rows = await db
      .executeQuery<(typeof rows)[number]>(CompiledQuery.raw(CLAIM, [poolId, until, count, now, share]))
      .then((r) => r.rows);
  else rows = await claimOnSqlite(db, poolId, now, until, share, count);
  return rows
    .map((r) => ({ id: r.id, e164: r.e164, previous: Number(r.previous) }))
    .sort((a, b) => a.previous - b.previous || (a.id < b.id ? -1 : 1));
}

/**
 * The claim on PostgreSQL as fixed text ($1 pool, $2 until, $3 count, $4 now, $5 whether busy numbers may be
 * shared): it runs for every group of new leases in shared mode, and building it with Kysely's query builder took
 * more of the event loop than running it. Both picks read tracking_number_pool_idx in order, so the first unlocked
 * entries are the answer, and `previous` is the locked row's latest version.
 *
 * Free numbers first, then as many busy ones as are still missing, in one statement (one round trip, where two
 * statements had cost a group another ~1–2 ms under load). The rows are ordered by the statement's snapshot, and a
 * number another instance lent (and committed) since then still sorts as free there; only the free pick's
 * condition on `released_at` makes PostgreSQL re-check it against the row's latest version when it locks it, and
 * skip it (ordered by the snapshot alone, such numbers were lent again as if free while free ones were left: seen
 * in the two-process test). The busy pick may take such a number, as a busy one: its `previous` is then the latest
 * release moment, so the lease is marked shared.
 */
const CLAIM = markPrepared(`with free as (
    select id, released_at as previous from tracking_number
    where pool_id = $1 and status = 'active' and released_at <= $4
    order by released_at, id limit $3 for update skip locked),
  busy as (
    select id, released_at as previous from tracking_number
    where $5::boolean and pool_id = $1 and status = 'active' and id not in (select id from free)
    order by released_at, id limit greatest(0, $3 - (select count(*) from free)) for update skip locked),
  pick as (select * from free union all select * from busy)
  update tracking_number
  set released_at = case when tracking_number.released_at < $2 then $2 else tracking_number.released_at end
  from pick where tracking_number.id = pick.id
  returning tracking_number.id, tracking_number.e164, pick.previous`);

async function claimOnSqlite(
  db: Db,
  poolId: string,
  now: number,
  until: number,
  share: boolean,
  count: number,
) {
  let pick = db
    .selectFrom('tracking_number')
    .select(['id', 'released_at as previous'])
    .where('pool_id', '=', poolId)
    .where('status', '=', 'active')
    .orderBy('released_at')
    .orderBy('id')
    .limit(count);
  if (!share) pick = pick.where('released_at', '<=', now);
  // SQLite's RETURNING cannot name the FROM table; it has one writer at a time, so two statements are safe.
  const chosen = await pick.execute();
  if (chosen.length === 0) return [];
  const previous = new Map(chosen.map((c) => [c.id, c.previous]));
  const held = await db
    .updateTable('tracking_number')
    .set((eb) => ({
      released_at: eb
        .case()
        .when('released_at', '<', until)
        .then(eb.val(until))
        .else(eb.ref('released_at'))
        .end(),
    }))
    .where('id', 'in', [...previous.keys()])
    .returning(['id', 'e164'])
    .execute();
  return held.map((r) => ({ ...r, previous: previous.get(r.id) as number }));
}

/** Extends a live lease; returns its number and hold, or undefined when it has already ended. */
export async function extendLease(db: Db, id: string, projectId: string, now: number) {
  const lease = await db
    .selectFrom('lease')
    .innerJoin('tracking_number', 'tracking_number.id', 'lease.tracking_number_id')
    .leftJoin('pool', 'pool.id', 'lease.pool_id')
    .select(['lease.id', 'lease.tracking_number_id', 'lease.visit_id', 'pool.hold_seconds'])
    .where('lease.id', '=', id)
    .where('lease.project_id', '=', projectId)
    .where('lease.expires_at', '>', now)
    .where('tracking_number.status', '=', 'active')
    .whereRef('tracking_number.pool_id', '=', 'lease.pool_id')
    .executeTakeFirst();
  return lease;
}

/** A lease by id with its number, whatever its state (the in-memory tracker checks liveness itself). */
export const findLease = (db: Db, id: string) =>
  db
    .selectFrom('lease')
    .innerJoin('tracking_number', 'tracking_number.id', 'lease.tracking_number_id')
    .select([
      'lease.id',
      'lease.project_id',
      'lease.visitor_id',
      'lease.visit_id',
      'lease.pool_id',
      'lease.shared',
      'lease.expires_at',
      'tracking_number.id as number_id',
      'tracking_number.e164',
    ])
    .where('lease.id', '=', id)
    .executeTakeFirst();

/** A pool's hold time and its active numbers with their release moments. */
export async function loadPoolNumbers(db: Db, poolId: string) {
  const [pool, numbers] = await Promise.all([
    db.selectFrom('pool').select('hold_seconds').where('id', '=', poolId).executeTakeFirst(),
    db
      .selectFrom('tracking_number')
      .select(['id', 'e164', 'released_at as releasedAt'])
      .where('pool_id', '=', poolId)
      .where('status', '=', 'active')
      .execute(),
  ]);
  return { holdSeconds: pool?.hold_seconds ?? 900, numbers };
}

export async function countExhaustion(db: Db, poolId: string, count: number, at: number): Promise<void> {
  await db
    .updateTable('pool')
    .set((eb) => ({ exhausted_count: eb('exhausted_count', '+', count), last_exhausted_at: at }))
    .where('id', '=', poolId)
    .execute();
}

/**
 * Takes this hour's `pool.exhausted` alert of a pool: marks it sent at `at` unless one went out less than
 * `intervalMs` before (by any instance: the update matches for one of them only). The pool as the alert tells of
 * it, or undefined when its alert is not due.
 */
export async function takeExhaustionAlert(db: Db, poolId: string, at: number, intervalMs: number) {
  const pool = await db
    .updateTable('pool')
    .set({ exhaustion_alerted_at: at })
    .where('id', '=', poolId)
    .where((eb) =>
      eb.or([eb('exhaustion_alerted_at', 'is', null), eb('exhaustion_alerted_at', '<=', at - intervalMs)]),
    )
    .returning(['id', 'name', 'hold_seconds', 'exhaustion_policy', 'exhausted_count'])
    .executeTakeFirst();
  if (!pool) return undefined;
  const { n } = await db
    .selectFrom('tracking_number')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('pool_id', '=', poolId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return { ...pool, numbers: Number(n) };
}

/** Everything the tracker needs about a project's setup, read once and cached by the service. */
export async function loadTrackingSetup(db: Db, projectId: string) {
  const [pools, channels, numbers] = await Promise.all([
    db.selectFrom('pool').selectAll().where('project_id', '=', projectId).execute(),
    db
      .selectFrom('static_channel')
      .select(['id', 'swap_match', 'tracking_number_id'])
      .where('project_id', '=', projectId)
      .execute(),
    db
      .selectFrom('tracking_number')
      .select(['id', 'e164', 'status', 'pool_id'])
      .where('project_id', '=', projectId)
      .where('pool_id', 'is', null)
      .execute(),
  ]);
  return { pools, channels, unpooledNumbers: numbers };
}

export const findProjectByKey = (db: Db, publicKey: string) =>
  db
    .selectFrom('project')
    .select(['id', 'country', 'site_numbers'])
    .where('public_key', '=', publicKey)
    .executeTakeFirst();

/** Leases of a number that may have been alive at `at`: newest first, for attribution. */
/**
 * The number's leases alive at some moment in [at − lookback, at], newest first: read by lease_number_expires_idx,
 * so only leases that ended after the look-back's start are visited, however long the number's history. The unary
 * `+` keeps `started_at` out of index choice (SQLite's documented way): SQLite, without statistics, otherwise took
 * (tracking_number_id, started_at) for the ORDER BY and walked back through all the number's older leases.
 */
export const leasesAround = (db: Db, numberId: string, at: number, lookbackMs: number) =>
  db
    .selectFrom('lease')
    .selectAll()
    .where('tracking_number_id', '=', numberId)
    .where('expires_at', '>=', at - lookbackMs)
    .where(sql<number>`+started_at`, '<=', at)
    .orderBy('started_at', 'desc')
    .limit(20)
    .execute();

/** Adds dropped page views to the per-day counts. */
export async function addDrops(
  db: Db,
  rows: readonly { projectId: string; day: string; reason: string; count: number }[],
): Promise<void> {
  for (const r of rows)
    await db
      .insertInto('tracker_drop')
      .values({ project_id: r.projectId, day: r.day, reason: r.reason, count: r.count })
      .onConflict((oc) =>
        oc.columns(['project_id', 'day', 'reason']).doUpdateSet((eb) => ({
          count: eb('tracker_drop.count', '+', eb.ref('excluded.count')),
        })),
      )
      .execute();
}

export const listDrops = (db: Db, projectId: string, from: string, to: string) =>
  db
    .selectFrom('tracker_drop')
    .select(['day', 'reason', 'count'])
    .where('project_id', '=', projectId)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .orderBy('day')
    .execute();
