// Channel and keyword reports over 1M visits, 100k calls, 20k deals and a year of spend, against hand-written SQL.
//
// Per database (SQLite file, PostgreSQL in a fresh schema): migrate, create a project through the API, bulk-insert
// the data of lib/report-data.ts (deterministic; SQLite: prepared inserts in transactions on a second
// better-sqlite3 connection; PostgreSQL: INSERT … SELECT FROM unnest(arrays) per batch), ANALYZE. The bulk load
// bypasses the call and deal services, so the calls and deals are then credited once by the report's catch-up step
// (timed apart). Then ReportService.run (in process, the path GET /api/v1/projects/{id}/reports?groupBy=…&from=…&to=…
// takes after validation) for groupBy=channel and groupBy=keyword over the whole year: the first run (which builds
// the visit rollup of the closed days) is shown apart, then --runs timed runs, median. Baselines: one hand-written SQL
// statement computing the same core figures per group (visits, calls, target calls, deals, revenue, spend, last
// non-direct click) over the raw visit table, crediting calls and deals (a) by the credits stored on them and (b) by
// the read-time correlated subquery the report used before; totals are checked against the report's, and (a) and
// (b) must agree group by group. The report's queries are also timed one by one, to show where the time goes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import type { Db, DbHandle } from '../packages/server/src/db/connect.js';
import type { ReportQuery, SpendColumn } from '../packages/server/src/modules/analytics/report.repository.js';
import { type DataSize, generate, type TableBatch } from './lib/report-data.js';
import { openRingtrace } from './lib/ringtrace-app.js';
import { fromBuild } from './lib/server-build.js';

const { systemClock } = await fromBuild<typeof import('../packages/server/src/clock.js')>('clock.js');
const { CreditService } = await fromBuild<
  typeof import('../packages/server/src/modules/analytics/credit.service.js')
>('modules/analytics/credit.service.js');
const { KEY_PARTS } = await fromBuild<typeof import('../packages/server/src/modules/analytics/report.js')>(
  'modules/analytics/report.js',
);
const repo = await fromBuild<typeof import('../packages/server/src/modules/analytics/report.repository.js')>(
  'modules/analytics/report.repository.js',
);
const { epochDay, isoOfEpochDay, localMidnight } = await fromBuild<
  typeof import('../packages/server/src/modules/analytics/report-time.js')
>('modules/analytics/report-time.js');
const { VisitRollupService } = await fromBuild<
  typeof import('../packages/server/src/modules/analytics/visit-rollup.service.js')
>('modules/analytics/visit-rollup.service.js');

const { values: opt } = parseArgs({
  options: {
    visits: { type: 'string', default: '1000000' },
    calls: { type: 'string', default: '100000' },
    deals: { type: 'string', default: '20000' },
    'pg-visits': { type: 'string' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: 'sqlite,postgres' },
    postgres: {
      type: 'string',
      default: process.env.RINGTRACE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(`options (defaults in brackets):
  --visits N --calls N --deals N   data size [1000000, 100000, 20000]; a year of daily spend for 200 campaigns
  --pg-visits N      visits on PostgreSQL if different (calls and deals scale with it) [--visits]
  --runs N           timed runs per query after one warm-up [3]
  --only LIST        any of sqlite,postgres [both]
  --postgres URL     PostgreSQL server [$RINGTRACE_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test]`);
  process.exit(0);
}
const runs = Number(opt.runs);
const only = new Set(String(opt.only).split(','));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const DAYS = 365;
type Grouping = 'channel' | 'keyword';

async function timed<T>(run: () => Promise<T>): Promise<{ firstMs: number; ms: number[]; result: T }> {
  const t0 = performance.now();
  let result = await run(); // warm-up
  const firstMs = performance.now() - t0;
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await run();
    ms.push(performance.now() - t);
  }
  return { firstMs, ms, result };
}

/**
 * The hand-written aggregate: one statement, each source aggregated per group, then the groups merged. `stored`:
 * credit calls and deals by the credited visits the app stores on them and read their keys from credited_visit
 * (what a hand-written query on today's schema would do); otherwise credit by the read-time correlated subquery
 * over the visit table, as the report did before.
 */
function handWritten(
  db: Db,
  g: Grouping,
  p: { projectId: string; from: number; to: number; fromDay: string; toDay: string },
  stored: boolean,
) {
  const keys = g === 'channel' ? ['k0'] : ['k0', 'k1', 'k2'];
  const visitKey =
    g === 'channel' ? sql`cv.channel as k0` : sql`cv.ad_network as k0, cv.campaign as k1, cv.keyword as k2`;
  const touchKey = g === 'channel' ? sql`coalesce(cv.channel, t.channel) as k0` : visitKey;
  const spendKey = g === 'channel' ? sql`'paid' as k0` : sql`ad_network as k0, campaign as k1, keyword as k2`;
  const groupBy = sql.raw(keys.map((_, i) => String(i + 1)).join(', '));
  const keyList = sql.raw(keys.join(', '));
  const credit: RawBuilder<unknown> = sql`case when v.id is null or v.channel <> 'direct' then v.id else coalesce((
      select p.id from visit p where p.project_id = v.project_id and p.visitor_id = v.visitor_id
        and p.started_at < v.started_at and p.started_at >= v.started_at - ${sql.lit(90 * 86_400_000)}
        and p.channel <> 'direct' order by p.started_at desc limit 1), v.id) end`;
  const storedCredit = (x: string) =>
    sql.raw(`case when ${x}.credit_of = ${x}.visit_id then ${x}.credit_last_id else ${x}.visit_id end`);
  // The credited visits' keys: their narrow copy, or the visit table itself.
  const keyTable = sql.table(stored ? 'credited_visit' : 'visit');
  const cc = stored
    ? sql`select c.is_target, c.channel, ${storedCredit('c')} as vid from call c`
    : sql`select c.is_target, c.channel, ${credit} as vid from call c left join visit v on v.id = c.visit_id`;
  const dd = stored
    ? sql`select d.status, d.revenue_minor, c.channel,
        case when c.visit_id is not null then ${storedCredit('c')} else ${storedCredit('d')} end as vid
        from deal d left join call c on c.id = d.call_id`
    : sql`select d.status, d.revenue_minor, c.channel, ${credit} as vid from deal d left join call c on c.id = d.call_id
        left join visit v on v.id = coalesce(c.visit_id, d.visit_id)`;
  return sql<Record<string, unknown>>`with
    cc as (${cc}
      where c.project_id = ${p.projectId} and c.started_at >= ${p.from} and c.started_at < ${p.to}),
    dd as (${dd}
      where d.project_id = ${p.projectId} and d.opened_at >= ${p.from} and d.opened_at < ${p.to}),
    u as (
      select ${visitKey}, count(*) as visits, 0 as calls, 0 as target_calls, 0 as deals, 0 as revenue, 0 as spend
        from visit cv where cv.project_id = ${p.projectId} and cv.started_at >= ${p.from} and cv.started_at < ${p.to}
        group by ${groupBy}
      union all
      select ${touchKey}, 0, count(*), sum(t.is_target), 0, 0, 0 from cc t left join ${keyTable} cv on cv.id = t.vid group by ${groupBy}
      union all
      select ${touchKey}, 0, 0, 0, count(*), sum(case when t.status = 'won' then t.revenue_minor else 0 end), 0
        from dd t left join ${keyTable} cv on cv.id = t.vid group by ${groupBy}
      union all
      select ${spendKey}, 0, 0, 0, 0, 0, sum(cost_minor) from spend
        where project_id = ${p.projectId} and day >= ${p.fromDay} and day <= ${p.toDay} group by ${groupBy})
    select ${keyList}, sum(visits) as visits, sum(calls) as calls, sum(target_calls) as target_calls, sum(deals) as deals,
      sum(revenue) as revenue_minor, sum(spend) as spend_minor
    from u group by ${groupBy}`.execute(db);
}

interface Outcome {
  grouping: Grouping;
  firstMs: number;
  reportMs: number;
  handMs: number;
  oldHandMs: number;
  rows: number;
  handRows: number;
  match: boolean;
  parts: Record<string, number>;
}

async function benchDatabase(
  url: string,
  size: DataSize,
  bulk: (handle: DbHandle, b: TableBatch) => Promise<void>,
) {
  const started = performance.now();
  const { database, deps, app, api } = await openRingtrace({ DATABASE_URL: url });
  try {
    const project = await api<{ id: string; timezone: string; currency: string }>(
      'POST',
      '/api/v1/projects',
      {
        name: 'Okna Reports',
      },
    );
    await app.close();

    // The period: the last 365 days up to today in the project's time zone.
    const now = Date.now();
    const toDay = isoOfEpochDay(epochDay(new Date(now).toISOString().slice(0, 10)));
    const fromDay = isoOfEpochDay(epochDay(toDay) - (DAYS - 1));
    const from = localMidnight(fromDay, project.timezone);
    const to = localMidnight(isoOfEpochDay(epochDay(toDay) + 1), project.timezone);

    const counts: Record<string, number> = {};
    await generate(
      {
        projectId: project.id,
        currency: project.currency,
        from,
        until: Math.min(now, to - 1),
        firstDay: fromDay,
        size,
        batch: 20_000,
      },
      async (b) => {
        await bulk(database, b);
        counts[b.table] = (counts[b.table] ?? 0) + (b.values[0]?.length ?? 0);
      },
    );
    await sql`analyze`.execute(database.db);
    const loadedMs = performance.now() - started;
    // The bulk load bypassed the call and deal services, so nothing is credited yet: catch up once, as the
    // migration's backfill does for existing rows.
    const t0 = performance.now();
    const credited = await new CreditService({ db: database.db }).creditPending(project.id);
    const creditMs = performance.now() - t0;
    // The catch-up rewrote every call and deal row; on PostgreSQL, vacuum now rather than let autovacuum run during
    // the timed runs (rows credited when written, as in production, leave no such churn).
    await sql.raw(database.dialect === 'postgres' ? 'vacuum analyze' : 'analyze').execute(database.db);
    console.log(
      `  data: ${Object.entries(counts)
        .map(([t, n]) => `${fmt(n)} ${t}`)
        .join(
          ', ',
        )}; ${fromDay} to ${toDay} (${project.timezone}); generated, inserted and analysed in ${sec(loadedMs)}`,
    );
    console.log(
      `  credited ${fmt(credited)} calls and deals written without credits in ${sec(creditMs)} (once)`,
    );

    const outcomes: Outcome[] = [];
    for (const grouping of ['channel', 'keyword'] as const) {
      const report = await timed(() =>
        deps.services.reports.run(project, { groupBy: grouping, from: fromDay, to: toDay }),
      );
      const period = { projectId: project.id, from, to, fromDay, toDay };
      const hand = await timed(() => handWritten(database.db, grouping, period, true));
      const oldHand = await timed(() => handWritten(database.db, grouping, period, false));
      // The same core figures? Totals of the report against the sums of the hand-written rows.
      const t = report.result.totals;
      const sum = (k: string) => hand.result.rows.reduce((a, r) => a + Number(r[k] ?? 0), 0);
      const pairs: [string, number, number][] = [
        ['visits', t.visits, sum('visits')],
        ['calls', t.calls, sum('calls')],
        ['target calls', t.targetCalls, sum('target_calls')],
        ['deals', t.deals, sum('deals')],
        ['revenue', Math.round(t.revenue * 100), sum('revenue_minor')],
        ['spend', Math.round(t.spend * 100), sum('spend_minor')],
      ];
      const mismatches = pairs.filter(([, a, b]) => a !== b);
      // Stored credits against read-time crediting: the same figures in every group?
      const canon = (rows: Record<string, unknown>[]) =>
        JSON.stringify(
          rows
            .map((r) => JSON.stringify(Object.values(r).map((v) => (v === null ? null : String(v)))))
            .sort(),
        );
      const sameGroups = canon(hand.result.rows) === canon(oldHand.result.rows);
      // Where the report's time goes: each of its queries alone (sequentially; the service runs them concurrently).
      const q: ReportQuery = {
        projectId: project.id,
        dialect: database.dialect,
        from,
        to,
        fromDay,
        toDay,
        parts: KEY_PARTS[grouping],
        model: 'last_non_direct_click',
        targetOnly: false,
      };
      const parts: Record<string, number> = {};
      const spendCols: SpendColumn[] =
        grouping === 'channel' ? ['ad_network'] : ['ad_network', 'campaign', 'keyword'];
      for (const [name, run] of [
        ['relink', () => deps.services.deals.relinkPending(project.id)],
        ['credit', () => new CreditService({ db: database.db }).creditPending(project.id)],
        [
          'visits',
          () =>
            new VisitRollupService({
              db: database.db,
              dialect: database.dialect,
              clock: systemClock,
            }).visitSums(project, q, {
              fromDay: epochDay(fromDay),
              toDay: epochDay(toDay),
              periodOf: (day) => day,
            }),
        ],
        ['calls', () => repo.callSums(database.db, q)],
        ['callers', () => repo.totalCallers(database.db, q)],
        ['deals', () => repo.dealSums(database.db, q)],
        ['spend', () => repo.spendSums(database.db, q, spendCols)],
      ] as [string, () => Promise<unknown>][]) {
        const t0 = performance.now();
        await run();
        parts[name] = performance.now() - t0;
      }
      const outcome: Outcome = {
        grouping,
        firstMs: report.firstMs,
        reportMs: median(report.ms),
        handMs: median(hand.ms),
        oldHandMs: median(oldHand.ms),
        rows: report.result.rows.length,
        handRows: hand.result.rows.length,
        match: mismatches.length === 0 && sameGroups,
        parts,
      };
      outcomes.push(outcome);
      console.log(
        `  ${grouping.padEnd(8)} report ${sec(outcome.reportMs)} (runs ${report.ms.map((x) => x.toFixed(0)).join(', ')} ms; ${outcome.rows} rows)   ` +
          `hand-written ${sec(outcome.handMs)} (runs ${hand.ms.map((x) => x.toFixed(0)).join(', ')} ms; ${outcome.handRows} groups)   ` +
          `ratio ${(outcome.reportMs / outcome.handMs).toFixed(2)}×; first run ${sec(outcome.firstMs)}; ` +
          `hand-written with read-time crediting ${sec(outcome.oldHandMs)} (runs ${oldHand.ms.map((x) => x.toFixed(0)).join(', ')} ms)`,
      );
      console.log(
        `           report queries alone, one run each (ms): ${Object.entries(parts)
          .map(([k, v]) => `${k} ${v.toFixed(0)}`)
          .join(', ')}`,
      );
      if (!sameGroups)
        console.log('           GROUPS DIFFER between stored credits and read-time crediting (hand-written)');
      console.log(
        mismatches.length === 0
          ? `           totals agree: ${pairs.map(([k, a]) => `${k} ${fmt(a)}`).join(', ')}`
          : `           TOTALS DIFFER: ${mismatches.map(([k, a, b]) => `${k} report ${fmt(a)} vs hand-written ${fmt(b)}`).join('; ')}`,
      );
    }
    return outcomes;
  } finally {
    await database.close();
  }
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

console.log(
  `reports: Node ${process.version}; ${availableParallelism()} cores, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}; ${runs} timed runs after a warm-up, median`,
);
const size: DataSize = {
  visits: Number(opt.visits),
  calls: Number(opt.calls),
  deals: Number(opt.deals),
  days: DAYS,
  campaigns: 200,
  keywords: 5000,
};
const results: { label: string; outcomes: Outcome[]; note?: string }[] = [];
const cleanups: (() => unknown)[] = [];
process.once('SIGINT', async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
  process.exit(130);
});

if (only.has('sqlite')) {
  const dir = mkdtempSync(join(tmpdir(), 'ringtrace-bench-reports-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'reports.db');
  console.log(`\nSQLite (file, WAL: ${file})`);
  let writer: BetterSqlite3.Database | undefined;
  const statements = new Map<string, BetterSqlite3.Statement>();
  try {
    const outcomes = await benchDatabase(`sqlite:${file}`, size, async (_handle, b) => {
      writer ??= new BetterSqlite3(file);
      writer.pragma('busy_timeout = 5000');
      let insert = statements.get(b.table);
      if (!insert) {
        insert = writer.prepare(
          `insert into "${b.table}" (${b.columns.map(([c]) => `"${c}"`).join(', ')}) values (${placeholders(b.columns.length)})`,
        );
        statements.set(b.table, insert);
      }
      const stmt = insert;
      const n = b.values[0]?.length ?? 0;
      writer.transaction(() => {
        for (let i = 0; i < n; i++) stmt.run(b.values.map((col) => col[i] ?? null));
      })();
    });
    results.push({ label: 'SQLite', outcomes });
  } finally {
    writer?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (only.has('postgres')) {
  const url = String(opt.postgres);
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  const schema = `rt_bench_${randomBytes(6).toString('hex')}`;
  let skipped: string | undefined;
  try {
    await admin.connect();
    await admin.query(`create schema ${schema}`);
  } catch (error) {
    skipped = `PostgreSQL at ${url} is unreachable (${(error as Error).message}): skipped`;
    console.log(`\n${skipped}`);
  }
  if (!skipped) {
    const drop = () => admin.query(`drop schema ${schema} cascade`);
    cleanups.push(drop);
    const pgVisits = opt['pg-visits'] ? Number(opt['pg-visits']) : size.visits;
    const scale = pgVisits / size.visits;
    const pgSize = {
      ...size,
      visits: pgVisits,
      calls: Math.round(size.calls * scale),
      deals: Math.round(size.deals * scale),
    };
    console.log(`\nPostgreSQL (${url}, schema ${schema})`);
    try {
      const scoped = new URL(url);
      scoped.searchParams.set('options', `-c search_path=${schema}`);
      const outcomes = await benchDatabase(scoped.toString(), pgSize, async (handle, b) => {
        const cols = sql.raw(b.columns.map(([c]) => `"${c}"`).join(', '));
        const arrays = sql.join(b.columns.map(([, type], i) => sql`${b.values[i]}::${sql.raw(type)}[]`));
        await sql`insert into ${sql.table(b.table)} (${cols}) select * from unnest(${arrays})`.execute(
          handle.db,
        );
      });
      results.push({
        label: 'PostgreSQL',
        outcomes,
        ...(scale !== 1 && { note: `scaled to ${fmt(pgVisits)} visits` }),
      });
    } finally {
      await drop();
      cleanups.splice(cleanups.indexOf(drop), 1);
    }
  }
  await admin.end().catch(() => {});
}

console.log(
  '\n| database | report | report time (first run) | hand-written | ratio | hand-written, read-time crediting | ≤ 1 s | ≤ 1.5× | figures agree |',
);
console.log('|---|---|---:|---:|---:|---:|---|---|---|');
for (const r of results) {
  for (const o of r.outcomes) {
    const ratio = o.reportMs / o.handMs;
    console.log(
      `| ${r.label}${r.note ? ` (${r.note})` : ''} | ${o.grouping} | ${sec(o.reportMs)} (${sec(o.firstMs)}) | ${sec(o.handMs)} | ${ratio.toFixed(2)}× | ${sec(o.oldHandMs)} | ${o.reportMs <= 1000 ? 'yes' : 'NO'} | ${ratio <= 1.5 ? 'yes' : 'NO'} | ${o.match ? 'yes' : 'NO'} |`,
    );
  }
}
console.log(
  `reports: ${results
    .map(
      (r) =>
        `${r.outcomes.map((o) => `${o.grouping} ${sec(o.reportMs)} (${(o.reportMs / o.handMs).toFixed(1)}× hand-written${o.match ? '' : ', TOTALS DIFFER'})`).join(', ')} on ${r.label}${r.note ? ` (${r.note})` : ''}`,
    )
    .join('; ')}`,
);
