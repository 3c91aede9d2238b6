// POST /t/visit (visit upsert + number lease) on SQLite and PostgreSQL, against a bare Fastify route.
//
// Each server runs in a child process of its own (lib/ring-server.ts, lib/bare-server.ts) and the load generators
// run here, so on a 2-core machine the server has one core and the load generator the other. Per server: a
// warm-up, throughput at saturation (autocannon, --connections for --seconds), then latency at a fixed rate
// (--rate req/s) twice: with a paced open-loop sender (the headline: evenly spaced requests) and with autocannon's
// overallRate (bursty; see lib/load.ts). Every answer is checked: a 200 whose body has a non-empty `swap` (the bare
// route answers the same shape); anything else is counted and printed as an error.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { closedLoop, type LoadResult, paced, type Traffic } from './lib/load.js';
import { cpuSnapshot, otherCores, threadBreakdown } from './lib/machine.js';
import { CHROME_AGENTS, MIX, PageViews } from './lib/page-views.js';
import { summarize } from './lib/profile-summary.js';
import { type Health, type ServerProcess, startServer } from './lib/server-process.js';

const { values: opt } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rate: { type: 'string', default: '1000' },
    'rate-seconds': { type: 'string', default: '8' },
    pool: { type: 'string', default: '1000' },
    hold: { type: 'string', default: '900' },
    only: { type: 'string', default: 'bare,sqlite,postgres,postgres-memory' },
    postgres: {
      type: 'string',
      default: process.env.RINGTRACE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
    profile: { type: 'string' },
    timeline: { type: 'string' },
    'trace-sql': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(`options (defaults in brackets):
  --connections N    autocannon connections at saturation [50]
  --seconds S        length of the saturation run [10]; --warmup S before it [3]
  --rate R           fixed rate for the latency runs, req/s [1000]; --rate-seconds S [8]
  --pool N           numbers in the pool [1000]; --hold S pool hold time, seconds [900]
  --only LIST        any of bare,sqlite,postgres,postgres-memory [all]; postgres-memory: one instance with
                     TRACKER_STATE=memory (lease state in memory, batched writes) instead of the default shared
  --postgres URL     PostgreSQL server [$RINGTRACE_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test]
  --profile DIR      also write a CPU profile of each server's saturation run (bare Fastify's too) to DIR and summarise it
  --timeline DIR     write each paced request's send moment and latency to DIR/visit-lease-SERVER-TIME.csv
  --trace-sql        time every SQL statement in the Ringtrace servers' saturation runs and list the costliest
  (--profile and --trace-sql slow the server down: take throughput and latency from a run without them)`);
  process.exit(0);
}
const num = (name: keyof typeof opt) => Number(opt[name]);
const only = new Set(String(opt.only).split(','));
const settings = {
  connections: num('connections'),
  seconds: num('seconds'),
  warmup: num('warmup'),
  rate: num('rate'),
  rateSeconds: num('rate-seconds'),
};

interface Measured {
  name: string;
  saturation: LoadResult;
  /** Server CPU time per answered request at saturation, microseconds. */
  cpuPerRequest: number;
  paced: LoadResult & { lagP99: number; unanswered: number };
  bursty: LoadResult;
  stats: Record<string, unknown>;
  profile: string | undefined;
  /** Cores other processes kept busy during the saturation run (undefined off Linux). */
  noise: number | undefined;
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
/** Whether the server answered (nearly) every request of the fixed-rate run, in time. */
const sustains = (r: LoadResult & { unanswered: number }) =>
  r.unanswered === 0 && r.rps >= 0.95 * settings.rate && r.latency.p99 < 1000;
const health = (h: Health) =>
  `event loop blocked p99 ${ms(h.loopP99Ms)}, max ${ms(h.loopMaxMs)}; GC ${ms(h.gcMs)} in all, longest pause ${ms(h.gcMaxMs)}`;
/** Other processes' CPU use, the noise in a measurement: PostgreSQL's own work counts there too. */
const others = (cores: number | undefined, name: string) =>
  cores === undefined
    ? 'other processes: unknown (no /proc/stat)'
    : `other processes${name.startsWith('postgres') ? ' (PostgreSQL included)' : ''}: ${cores.toFixed(2)} cores busy${cores > 0.25 && !name.startsWith('postgres') ? ' - NOISY' : ''}`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function report(label: string, r: LoadResult): void {
  const l = r.latency;
  console.log(
    `  ${label.padEnd(28)} ${fmt(r.rps).padStart(6)} req/s   p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  p99.9 ${ms(l.p999)}  max ${ms(l.max)}`,
  );
  for (const [problem, count] of r.errors) console.log(`    ERROR x${count}: ${problem}`);
}

async function measure(name: string, server: ServerProcess, traffic: () => Traffic): Promise<Measured> {
  console.log(`\n${name} (${server.url})`);
  const t = traffic();
  report(
    'warm-up',
    await closedLoop(server.url, t, { connections: settings.connections, seconds: settings.warmup }),
  );
  const profile = opt.profile
    ? join(opt.profile, `visit-lease-${name.split(' ')[0]}-${Date.now()}.cpuprofile`)
    : undefined;
  if (profile) await server.profileStart();
  if (opt['trace-sql']) await server.traceReset();
  const before = await server.cpu();
  const machineBefore = cpuSnapshot();
  const saturation = await closedLoop(server.url, t, {
    connections: settings.connections,
    seconds: settings.seconds,
  });
  const after = await server.cpu();
  const machineAfter = cpuSnapshot();
  if (profile) {
    await server.profileStop(profile);
    console.log(`  profile: ${profile} (saturation run; the profiler slows the server, so figures differ)`);
  }
  report(`saturation (${settings.connections} conn)`, saturation);
  const sql = opt['trace-sql'] && name !== 'bare fastify' ? await server.stats() : undefined;
  const cpuPerRequest = (1000 * (after.ms - before.ms)) / Math.max(1, saturation.requests);
  console.log(
    `    server: CPU ${cpuPerRequest.toFixed(0)} µs per request, RSS ${(after.rss / 2 ** 20).toFixed(0)} MB; ${health(after.health)}`,
  );
  const threads = threadBreakdown(before.threads, after.threads, after.pid);
  if (threads.length > 0) {
    const perRequest = (t: { ms: number }) => ((1000 * t.ms) / Math.max(1, saturation.requests)).toFixed(0);
    const busiest = threads.slice(0, 5).map((t) => `${t.thread} ${perRequest(t)}`);
    console.log(`    server threads, CPU µs per request: ${busiest.join(', ')}`);
  }
  const noise = otherCores(machineBefore, machineAfter, after.ms - before.ms);
  console.log(`    ${others(noise, name)}`);
  const machinePaced = cpuSnapshot();
  const timeline = opt.timeline
    ? join(opt.timeline, `visit-lease-${name.replace(/[^a-z0-9]+/gi, '-')}-${Date.now()}.csv`)
    : undefined;
  const even = await paced(server.url, t, {
    rate: settings.rate,
    seconds: settings.rateSeconds,
    ...(timeline && { timeline }),
  });
  if (timeline) console.log(`  timeline of the paced run: ${timeline}`);
  const afterPaced = await server.cpu();
  const pacedNoise = otherCores(machinePaced, cpuSnapshot(), afterPaced.ms - after.ms);
  report(`${fmt(settings.rate)} req/s, paced`, even);
  console.log(
    `    server: ${health(afterPaced.health)}; sender lag p99 ${ms(even.lagP99)}${sustains(even) ? '' : '; the server did NOT keep up with this rate'}`,
  );
  console.log(`    ${others(pacedNoise, name)}`);
  const bursty = await closedLoop(server.url, t, {
    connections: 10,
    seconds: Math.min(5, settings.rateSeconds),
    overallRate: settings.rate,
  });
  report(`${fmt(settings.rate)} req/s, autocannon`, bursty);
  const { sql: _, ...stats } = await server.stats();
  if (Object.keys(stats).length > 0) console.log(`  database after the runs: ${JSON.stringify(stats)}`);
  if (sql?.sql) printSql(sql.sql as SqlLine[], saturation.requests);
  return { name, saturation, cpuPerRequest, paced: even, bursty, stats, profile, noise };
}

type SqlLine = { sql: string; count: number; prepareUs: number; executeUs: number; totalMs: number };
function printSql(lines: SqlLine[], requests: number): void {
  console.log(
    `  SQL during the saturation run (per statement: calls per request, prepare and execute µs per call):`,
  );
  for (const l of lines) {
    console.log(
      `    ${(l.count / requests).toFixed(2).padStart(5)}/req  prepare ${String(l.prepareUs).padStart(5)}  execute ${String(l.executeUs).padStart(6)}  ${l.sql}`,
    );
  }
}

function bareTraffic(): Traffic {
  const body = JSON.stringify({
    k: 'pk_bench',
    u: 'https://okna.example.ru/',
    l: 'ru-RU',
    s: '1920x1080',
    sv: 1,
  });
  const headers = { 'content-type': 'application/json', 'user-agent': CHROME_AGENTS[0] as string };
  return {
    path: '/bare',
    next: () => ({ body, headers }),
    check: (status, text) =>
      status === 200 && text.includes('"swap":[{') ? undefined : `${status} ${text.slice(0, 200)}`,
  };
}

function visitTraffic(publicKey: string): () => Traffic {
  return () => {
    const views = new PageViews(publicKey);
    return {
      path: '/t/visit',
      next() {
        const { body, userAgent } = views.next();
        return { body, headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': userAgent } };
      },
      check: (status, text) => views.check(status, text),
    };
  };
}

// On Ctrl-C or SIGTERM: end the server, then remove the temp database or drop the schema, then leave.
const cleanups: (() => unknown)[] = [];
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
    process.exit(130);
  });
}

async function withServer<T>(server: ServerProcess, run: (s: ServerProcess) => Promise<T>): Promise<T> {
  const kill = () => server.kill();
  cleanups.push(kill);
  try {
    return await run(server);
  } finally {
    cleanups.splice(cleanups.indexOf(kill), 1);
    await server.stop();
  }
}

const ringArgs = [String(opt.pool), String(opt.hold)];
const traceOption = { traceSql: opt['trace-sql'] };
const results: Measured[] = [];
console.log(
  `visit-lease: Node ${process.version}, ${settings.connections} connections x ${settings.seconds} s at saturation, ` +
    `${fmt(settings.rate)} req/s x ${settings.rateSeconds} s for latency; pool ${opt.pool} numbers, hold ${opt.hold} s; ` +
    `page views: ${100 * (1 - MIX.nextPage - MIX.newAd)}% new visitors, ${100 * MIX.nextPage}% next page, ${100 * MIX.newAd}% back from a new ad`,
);
console.log(`machine: ${availableParallelism()} cores, load average ${load()} at the start`);

if (only.has('bare')) {
  results.push(
    await withServer(await startServer('bare-server', []), (s) => measure('bare fastify', s, bareTraffic)),
  );
}

if (only.has('sqlite')) {
  const dir = mkdtempSync(join(tmpdir(), 'ringtrace-bench-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const server = await startServer(
      'ring-server',
      [`sqlite:${join(dir, 'bench.db')}`, ...ringArgs],
      traceOption,
    );
    results.push(
      await withServer(server, (s) => measure('sqlite (file, WAL)', s, visitTraffic(s.publicKey))),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let postgresSkipped: string | undefined;
const postgresRuns = (
  [
    ['postgres', []],
    ['postgres, state in memory', ['--tracker-state=memory']],
  ] as const
).filter(([name]) => only.has(name === 'postgres' ? 'postgres' : 'postgres-memory'));
if (postgresRuns.length > 0) {
  const url = String(opt.postgres);
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    postgresSkipped = `PostgreSQL at ${url} is unreachable (${(error as Error).message}): skipped`;
    console.log(`\n${postgresSkipped}`);
  }
  for (const [name, extra] of postgresSkipped ? [] : postgresRuns) {
    const schema = `rt_bench_${randomBytes(6).toString('hex')}`;
    await admin.query(`create schema ${schema}`);
    cleanups.push(() => admin.query(`drop schema if exists ${schema} cascade`));
    try {
      const scoped = new URL(url);
      scoped.searchParams.set('options', `-c search_path=${schema}`);
      const server = await startServer(
        'ring-server',
        [scoped.toString(), ...ringArgs, ...extra],
        traceOption,
      );
      results.push(await withServer(server, (s) => measure(name, s, visitTraffic(s.publicKey))));
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
    }
  }
  await admin.end().catch(() => {});
}

for (const r of results) {
  if (r.profile) console.log(`\n${r.name}: ${summarize(JSON.parse(readFileSync(r.profile, 'utf8')), 15)}`);
}

// Summary table and the headline (the last line).
const noisy = results
  .filter((r) => !r.name.startsWith('postgres') && (r.noise ?? 0) > 0.25)
  .map((r) => r.name);
console.log(
  `\nload average ${load()} at the end (this benchmark's own processes count there)` +
    (noisy.length > 0 ? `; other processes were busy during: ${noisy.join(', ')} - figures are noisy` : ''),
);
const bare = results.find((r) => r.name === 'bare fastify');
/** Wrong answers and connection errors; requests of the paced run abandoned unanswered are counted apart. */
const errorCount = (r: Measured) =>
  [r.saturation, r.paced, r.bursty].reduce(
    (n, x) => n + [...x.errors.values()].reduce((a, b) => a + b, 0),
    0,
  ) - r.paced.unanswered;
/** The paced p99, or a lower bound when the server could not keep up with the rate. */
const p99 = (r: Measured) =>
  sustains(r.paced)
    ? ms(r.paced.latency.p99)
    : `> ${(r.paced.latency.p99 / 1000).toFixed(1)} s, rate not sustained${r.paced.unanswered > 0 ? `: ${fmt(r.paced.unanswered)} of ${fmt(r.paced.requests)} unanswered` : ''}`;
console.log(
  `\n| server | req/s at saturation | of bare | server CPU per request | p99 at ${fmt(settings.rate)} req/s paced | p99 autocannon overallRate | wrong answers | other CPU |`,
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const errors = errorCount(r);
  const ratio = bare ? (r.saturation.rps / bare.saturation.rps).toFixed(2) : '–';
  console.log(
    `| ${r.name} | ${fmt(r.saturation.rps)} | ${ratio} | ${r.cpuPerRequest.toFixed(0)} µs | ${p99(r)} | ${ms(r.bursty.latency.p99)} | ${errors} | ${r.noise === undefined ? '?' : `${r.noise.toFixed(2)} cores`} |`,
  );
}
if (postgresSkipped) console.log(`| postgres | ${postgresSkipped} | | | | | | |`);

const headline = (r: Measured | undefined, label: string) =>
  r
    ? `${bare ? `${(r.saturation.rps / bare.saturation.rps).toFixed(2)} of bare fastify` : `${fmt(r.saturation.rps)} req/s`} on ${label} (p99 ${p99(r)} at ${fmt(settings.rate)} req/s${errorCount(r) > 0 ? `, ${fmt(errorCount(r))} ERRORS` : ''})`
    : undefined;
const parts = [
  headline(
    results.find((r) => r.name.startsWith('sqlite')),
    'SQLite',
  ),
  headline(
    results.find((r) => r.name === 'postgres'),
    'PostgreSQL',
  ) ?? (postgresSkipped ? 'PostgreSQL skipped (unreachable)' : undefined),
  headline(
    results.find((r) => r.name === 'postgres, state in memory'),
    'PostgreSQL with the state in memory',
  ),
].filter(Boolean);
console.log(
  `visit-lease: ${parts.length > 0 ? parts.join('; ') : `bare fastify ${fmt(bare?.saturation.rps ?? 0)} req/s`}`,
);
