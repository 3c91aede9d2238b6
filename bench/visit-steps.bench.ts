// Where one page view's server time goes, in-process on SQLite (no HTTP): pipeline, Kysely, SQLite, the rest.
//
// TrackingService.recordVisit is called directly, 50 page views at a time (as 50 connections would), with the same
// page-view mix as visit-lease, and every SQL statement is timed (lib/sql-trace.ts). Separately measured: the
// ingest pipeline alone, and Kysely alone (the same repository calls against a driver that does nothing). Then the
// same run once more with better-sqlite3 statements cached by SQL text (a bench-only patch of `prepare`), to show
// what a prepared-statement cache in the driver would save, and once without SQLite's automatic WAL checkpoints.
// Totals are CPU time of the process (better-sqlite3 is synchronous, so that is the work of one page view, not
// inflated when other processes take the cores); per-statement times are wall time around each driver call, so on
// a busy machine they are somewhat inflated, and the remainder ("the rest") is the least exact line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { Database } from '../packages/server/src/db/database.js';
import { newId } from '../packages/server/src/ids.js';
import { classifyVisit } from '../packages/server/src/modules/ingest/classify-source.js';
import { type Hit, runPipeline } from '../packages/server/src/modules/tracking/ingest-pipeline.js';
import * as repo from '../packages/server/src/modules/tracking/tracking.repository.js';
import { compileSetup } from '../packages/server/src/modules/tracking/tracking-setup.js';
import { cpuSnapshot, otherCores } from './lib/machine.js';
import { PageViews } from './lib/page-views.js';
import { createRing } from './lib/ring-setup.js';
import { installSqlTrace, resetSqlTrace, sqlTraceReport } from './lib/sql-trace.js';

const { values: opt } = parseArgs({
  options: {
    views: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '50' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(
    'options: --views N page views per measured pass [10000]; --concurrency N page views in flight [50]',
  );
  process.exit(0);
}
const VIEWS = Number(opt.views);
const CONCURRENCY = Number(opt.concurrency);
const us = (x: number) => `${x.toFixed(0).padStart(5)} µs`;
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0).padStart(3)}%`;

installSqlTrace();
const dir = mkdtempSync(join(tmpdir(), 'ringtrace-steps-'));
const ring = await createRing(`sqlite:${join(dir, 'steps.db')}`, { poolSize: 1000, holdSeconds: 900 });
const tracking = ring.deps.services.tracking;
const views = new PageViews(ring.project.publicKey);

function hitFrom(view: { body: string; userAgent: string }): Hit {
  const b = JSON.parse(view.body) as Record<string, string | undefined>;
  return {
    publicKey: b.k as string,
    visitorId: b.vid,
    url: b.u as string,
    referrer: b.r,
    gaClientId: b.ga,
    ymClientId: b.ym,
    language: b.l,
    screen: b.s,
    userAgent: view.userAgent,
    ip: '127.0.0.1',
    headers: { 'user-agent': view.userAgent, 'content-type': 'text/plain;charset=UTF-8', host: '127.0.0.1' },
    at: Date.now(),
  };
}

/** CPU time of this process so far, ms: unlike wall time, not inflated when other processes take the cores. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Mean CPU and wall microseconds per page view of recordVisit, `count` page views, CONCURRENCY at a time. */
async function recordVisits(count: number): Promise<{ cpu: number; wall: number }> {
  const hits = Array.from({ length: count }, () => hitFrom(views.next()));
  const started = cpuMs();
  const startedWall = performance.now();
  for (let i = 0; i < count; i += CONCURRENCY) {
    const wave = hits.slice(i, i + CONCURRENCY).map(async (hit) => {
      hit.at = Date.now();
      const result = await tracking.recordVisit(hit);
      if (!result.ok || result.answer.swap.length === 0)
        throw new Error(`no number: ${JSON.stringify(result)}`);
      views.rememberVisitor(result.answer.vid);
    });
    await Promise.all(wave);
  }
  return {
    cpu: (1000 * (cpuMs() - started)) / count,
    wall: (1000 * (performance.now() - startedWall)) / count,
  };
}

// The micro-measurements use wall time, like the statement trace they are set beside.
function timeSync(count: number, run: (i: number) => void): number {
  for (let i = 0; i < Math.min(1000, count); i++) run(i);
  const started = performance.now();
  for (let i = 0; i < count; i++) run(i);
  return (1000 * (performance.now() - started)) / count;
}

async function timeAsync(count: number, run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(1000, count); i++) await run(i);
  const started = performance.now();
  for (let i = 0; i < count; i++) await run(i);
  return (1000 * (performance.now() - started)) / count;
}

// 1. The whole service call, with every statement timed.
const machineStart = cpuSnapshot();
await recordVisits(5000); // warm-up: JIT, caches, a pool already in use
resetSqlTrace();
const perView = await recordVisits(VIEWS);
const trace = sqlTraceReport(100);
const statements = trace.reduce((n, l) => n + l.count, 0) / VIEWS;
const prepareUs = trace.reduce((n, l) => n + l.count * l.prepareUs, 0) / VIEWS;
const executeUs = trace.reduce((n, l) => n + l.count * l.executeUs, 0) / VIEWS;
const queriesPerView =
  trace.filter((l) => l.sql !== 'begin' && l.sql !== 'commit').reduce((n, l) => n + l.count, 0) / VIEWS;

// 2. The ingest pipeline alone (bots, URL, rate limit, cached project setup, classification, user agent, IP hash).
const project = await repo.findProjectByKey(ring.database.db, ring.project.publicKey);
if (!project) throw new Error('no project');
const setup = compileSetup(project, await repo.loadTrackingSetup(ring.database.db, project.id));
const sampleHits = Array.from({ length: 5000 }, () => hitFrom(views.next()));
const context = {
  setupFor: async () => setup,
  allow: () => true,
  secret: 'bench-secret-key-0123456789abcdef0123',
};
const pipelineUs = await timeAsync(20_000, (i) =>
  runPipeline(sampleHits[i % sampleHits.length] as Hit, context),
);
const classifyUs = timeSync(20_000, (i) => {
  const h = sampleHits[i % sampleHits.length] as Hit;
  classifyVisit({ url: h.url, referrer: h.referrer, userAgent: h.userAgent });
});

// 3. Kysely alone: the repository's page-view queries built, compiled and "run" by a driver that does nothing.
const nothing: DatabaseConnection = {
  executeQuery: async () => ({ rows: [] }),
  // biome-ignore lint/correctness/useYield: never called
  streamQuery: async function* () {
    throw new Error('not supported');
  },
};
const idleDriver: Driver = {
  init: async () => {},
  acquireConnection: async () => nothing,
  beginTransaction: async () => {},
  commitTransaction: async () => {},
  rollbackTransaction: async () => {},
  releaseConnection: async () => {},
  destroy: async () => {},
};
const idle = new Kysely<Database>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => idleDriver,
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  },
});
const now = Date.now();
const visitRow = {
  id: newId(),
  project_id: project.id,
  visitor_id: newId(),
  started_at: now,
  last_seen_at: now,
  page_views: 1,
  landing_url: 'https://okna.example.ru/?utm_source=yandex',
  referrer: 'https://yandex.ru/',
  referrer_host: 'yandex.ru',
  utm_source: 'yandex',
  utm_medium: 'cpc',
  utm_campaign: 'okna_msk',
  utm_content: null,
  utm_term: 'окна',
  click_ids: '{"yclid":"1"}',
  channel: 'paid',
  source: 'yandex',
  medium: 'cpc',
  ad_network: 'yandex_direct',
  campaign: 'okna_msk',
  ad_group: null,
  ad: null,
  keyword: 'окна',
  device_type: 'desktop',
  browser: 'Chrome',
  os: 'Windows',
  language: 'ru-RU',
  screen: '1920x1080',
  ip_hash: 'x'.repeat(22),
  ga_client_id: null,
  ym_client_id: null,
  is_returning: 0,
  pool_id: ring.poolId,
} as Parameters<typeof repo.insertVisit>[1];
const leaseRow = {
  id: newId(),
  project_id: project.id,
  visitor_id: visitRow.visitor_id,
  visit_id: visitRow.id,
  pool_id: ring.poolId,
  tracking_number_id: newId(),
  started_at: now,
  last_seen_at: now,
  expires_at: now + 900_000,
  shared: 0,
  kind: 'dynamic',
} as Parameters<typeof repo.insertLease>[1];
const calls: (() => Promise<unknown>)[] = [
  () => repo.findRecentVisit(idle, project.id, visitRow.visitor_id, now),
  () => repo.insertVisit(idle, visitRow),
  () => repo.touchVisit(idle, visitRow.id, now),
  () => repo.findLiveLease(idle, project.id, visitRow.visitor_id, now),
  () => repo.claimNumber(idle, 'sqlite', ring.poolId, now, now + 900_000, true),
  () => repo.insertLease(idle, leaseRow),
  () => repo.holdNumberUntil(idle, leaseRow.tracking_number_id, now),
  () => repo.setLeaseSeen(idle, leaseRow.id, now, now + 900_000),
];
const kyselyPerQuery = await timeAsync(40_000, (i) => (calls[i % calls.length] as () => Promise<unknown>)());

// 4. The same service call with prepared statements cached by SQL text.
type Prepare = (this: SqliteDatabase.Database, sql: string) => SqliteDatabase.Statement;
const prototype = SqliteDatabase.prototype as unknown as { prepare: Prepare };
const uncached = prototype.prepare;
const cache = new Map<string, SqliteDatabase.Statement>();
let handle: SqliteDatabase.Database | undefined;
const cached = () => {
  prototype.prepare = function (sql) {
    handle ??= this;
    const statement = cache.get(sql) ?? uncached.call(this, sql);
    cache.set(sql, statement);
    return statement;
  };
};
// Alternated, so that drift (a busier machine, a bigger database) does not favour either.
cached();
const cachedFirst = await recordVisits(VIEWS);
prototype.prepare = uncached;
const againPerView = await recordVisits(VIEWS);
cached();
const cachedSecond = await recordVisits(VIEWS);
prototype.prepare = uncached;
const cachedPerView = { cpu: (cachedFirst.cpu + cachedSecond.cpu) / 2 };
const commitUs = (lines: ReturnType<typeof sqlTraceReport>) => {
  const commit = lines.find((l) => l.sql === 'commit');
  return commit ? (commit.count * commit.executeUs) / VIEWS : 0;
};
const commitPerView = commitUs(trace);

// 5. Once more without SQLite's automatic WAL checkpoints, whose fsyncs land in whichever commit crosses the
// 1000-page mark: what running checkpoints off the request path would take out of the commits.
if (!handle) throw new Error('no SQLite handle seen');
handle.pragma('wal_autocheckpoint = 0');
resetSqlTrace();
const noCheckpointPerView = await recordVisits(VIEWS);
const noCheckpointCommit = commitUs(sqlTraceReport(100));
handle.pragma('wal_checkpoint(TRUNCATE)');
handle.pragma('wal_autocheckpoint = 1000');

const noise = otherCores(machineStart, cpuSnapshot(), 0);
const stats = await ring.stats();
await ring.app.close();
await ring.database.close();
rmSync(dir, { recursive: true, force: true });

// The breakdown is of the traced pass, in wall time throughout; comparisons between passes are in CPU time.
const total = perView.wall;
const kyselyUs = kyselyPerQuery * queriesPerView;
const rest = total - prepareUs - executeUs - kyselyUs - pipelineUs;
const uncachedCpu = (perView.cpu + againPerView.cpu) / 2;
const line = (label: string, value: number) => `  ${label.padEnd(58)} ${us(value)}  ${pct(value, total)}`;
console.log(
  `visit-steps: TrackingService.recordVisit in-process on SQLite (file, WAL), ${VIEWS} page views per pass, ${CONCURRENCY} at a time`,
);
console.log(`database after the runs: ${JSON.stringify(stats)}`);
console.log(
  noise === undefined
    ? 'other processes: unknown (no /proc/stat)'
    : `other processes: ${noise.toFixed(2)} cores busy${noise > 0.25 ? ' - NOISY: wall times below are inflated' : ''}`,
);
console.log(
  `\nstatements per page view: ${statements.toFixed(2)} (${queriesPerView.toFixed(2)} queries + begin/commit per group)`,
);
for (const l of trace.slice(0, 12)) {
  console.log(
    `  ${(l.count / VIEWS).toFixed(2).padStart(5)}/view  prepare ${String(l.prepareUs).padStart(4)} µs  execute ${String(l.executeUs).padStart(5)} µs  ${l.sql}`,
  );
}
console.log(`\none page view, traced pass (wall time; CPU time ${us(perView.cpu).trim()}):`);
console.log(line('total', total));
console.log(line('SQLite: preparing statements', prepareUs));
console.log(line(`SQLite: executing (commit: ${commitPerView.toFixed(0)} µs)`, executeUs));
console.log(
  line(
    `Kysely: build + compile + driver, ${kyselyPerQuery.toFixed(1)} µs x ${queriesPerView.toFixed(1)}`,
    kyselyUs,
  ),
);
console.log(line(`ingest pipeline (of which classification ${classifyUs.toFixed(1)} µs)`, pipelineUs));
console.log(line('the rest: service logic, group commit, promises, GC', rest));
console.log(`\nexperiments (CPU time per page view):`);
console.log(
  `  as is (two passes: ${us(perView.cpu).trim()}, ${us(againPerView.cpu).trim()})            ${us(uncachedCpu)}`,
);
console.log(
  `  statements cached by SQL text (passes: ${us(cachedFirst.cpu).trim()}, ${us(cachedSecond.cpu).trim()})  ${us(cachedPerView.cpu)}  (${pct(uncachedCpu - cachedPerView.cpu, uncachedCpu).trim()} less)`,
);
console.log(
  `  no automatic WAL checkpoints                           ${us(noCheckpointPerView.cpu)}  (commit ${noCheckpointCommit.toFixed(0)} µs instead of ${commitPerView.toFixed(0)} µs, wall)`,
);
console.log(
  `visit-steps: ${uncachedCpu.toFixed(0)} µs CPU per page view in-process on SQLite (prepare ${pct(prepareUs, total).trim()}, execute ${pct(executeUs, total).trim()}, Kysely ${pct(kyselyUs, total).trim()}, pipeline ${pct(pipelineUs, total).trim()}); ${cachedPerView.cpu.toFixed(0)} µs with cached statements`,
);
