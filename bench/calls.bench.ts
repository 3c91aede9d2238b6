// Twilio voice webhook → TwiML answer (100k leases of history) against bare Fastify, and SIPp call rate through the SIP proxy.
//
// Twilio part: the server runs in a child process (lib/twilio-server.ts: SQLite file, PUBLIC_URL set, a pool of
// --pool numbers, a phone destination as the project default, a Twilio provider account and --leases leases of
// history over the last 7 days). Each request is a form post signed with the official `twilio` library, with a
// fresh CallSid (so each creates a call), a random caller and a random pool number; a good answer is a 200 whose
// body contains `<Dial`. Measured: throughput at saturation (autocannon, --connections for --seconds) and latency
// at a fixed --rate with the paced open-loop sender (lib/load.ts), against the bare Fastify route in the same run.
//
// SIP part: the proxy runs in this process (startSipProxy + sipCallRouting) with the real call service on a SQLite
// file; a number with a static channel routes to a SIP destination played by a SIPp UAS (127.0.0.93), and a SIPp
// UAC (127.0.0.91) places rate × --sip-seconds calls through the proxy (127.0.0.92) at each of --sip-rates. The
// figure is the highest rate at which every call succeeded (INVITE, 200, ACK, BYE, 200 through the proxy).
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import twilio from 'twilio';
import { runSippLoad } from '../packages/server/test/sip/sipp.js';
import { closedLoop, type LoadResult, paced, type Traffic } from './lib/load.js';
import { openRingtrace } from './lib/ringtrace-app.js';
import { fromBuild } from './lib/server-build.js';
import { type ServerProcess, startServer } from './lib/server-process.js';

const { sipCallRouting } =
  await fromBuild<typeof import('../packages/server/src/sip/call-routing.js')>('sip/call-routing.js');
const { startSipProxy } =
  await fromBuild<typeof import('../packages/server/src/sip/sip-proxy.js')>('sip/sip-proxy.js');

const { values: opt } = parseArgs({
  options: {
    connections: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rate: { type: 'string', default: '200' },
    'rate-seconds': { type: 'string', default: '10' },
    pool: { type: 'string', default: '1000' },
    leases: { type: 'string', default: '100000' },
    'sip-rates': { type: 'string', default: '100,200,300' },
    'sip-seconds': { type: 'string', default: '10' },
    'sip-transport': { type: 'string', default: 'udp' },
    only: { type: 'string', default: 'bare,twilio,sip' },
    'trace-sql': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(`options (defaults in brackets):
  --connections N    autocannon connections at saturation [20]
  --seconds S        length of the saturation run [10]; --warmup S before it [3]
  --rate R           fixed rate for the paced latency run, req/s [200]; --rate-seconds S [10]
  --pool N           numbers in the pool [1000]; --leases N lease history rows [100000]
  --sip-rates LIST   SIPp call rates to try, calls/s, ascending [100,200,300]; --sip-seconds S per rate [10]
  --sip-transport T  udp or tcp: how both SIPp peers talk to the proxy (tcp: one connection each, -t t1) [udp]
  --only LIST        any of bare,twilio,sip [all]
  --trace-sql        time every SQL statement of the webhook's saturation run and list the costliest (slows it)
  BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR" profiles the servers (written when they stop)`);
  process.exit(0);
}
const num = (name: keyof typeof opt) => Number(opt[name]);
if (opt['sip-transport'] !== 'udp' && opt['sip-transport'] !== 'tcp') {
  console.error('--sip-transport is udp or tcp');
  process.exit(2);
}
const SIP_TRANSPORT: 'udp' | 'tcp' = opt['sip-transport'];
const only = new Set(String(opt.only).split(','));
const ms = (x: number) => `${x.toFixed(1)} ms`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const errorsOf = (r: LoadResult) => [...r.errors.values()].reduce((a, b) => a + b, 0);

function report(label: string, r: LoadResult): void {
  const l = r.latency;
  console.log(
    `  ${label.padEnd(26)} ${fmt(r.rps).padStart(6)} req/s   p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  p99.9 ${ms(l.p999)}  max ${ms(l.max)}`,
  );
  for (const [problem, count] of r.errors) console.log(`    ERROR x${count}: ${problem}`);
}

// ---- Twilio webhooks ----

interface TwilioSetup {
  voiceUrl: string;
  authToken: string;
  numbers: string[];
}

/** Forks lib/twilio-server.ts with the same IPC protocol as lib/server-process.ts (ready → stop). */
async function startTwilioServer(
  args: string[],
): Promise<{ url: string; setup: TwilioSetup; stop(): Promise<void>; child: ChildProcess }> {
  const child = fork(fileURLToPath(new URL('./lib/twilio-server.ts', import.meta.url)), args, {
    // BENCH_NODE_FLAGS as for the other servers (lib/server-process.ts), e.g. `--cpu-prof --cpu-prof-dir=DIR`.
    execArgv: [
      '--import',
      import.meta.resolve('tsx'),
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number; publicKey: string }>((resolve, reject) => {
    child.on('message', (m: { type: string; port: number; publicKey: string }) => {
      if (m.type === 'ready') resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`twilio server exited (${code}) before it was ready`)));
  });
  return {
    url: `http://127.0.0.1:${ready.port}`,
    setup: JSON.parse(ready.publicKey) as TwilioSetup,
    child,
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Asks the child (lib/child-control.ts) and waits for the answer of the same type. */
async function ask<T>(child: ChildProcess, type: 'stats' | 'trace-reset'): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: { type: string; stats: T }) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m.stats);
    };
    child.on('message', onMessage);
    child.send({ type });
  });
}
const serverStats = (child: ChildProcess) => ask<Record<string, unknown>>(child, 'stats');

/** Signed voice webhooks, each with a new CallSid; the signature is computed per request (HMAC-SHA1, a few µs). */
function twilioTraffic(setup: TwilioSetup): Traffic {
  const path = new URL(setup.voiceUrl).pathname;
  const prefix = randomBytes(8).toString('hex');
  let counter = 0;
  return {
    path,
    next() {
      counter += 1;
      const params: Record<string, string> = {
        CallSid: `CA${prefix}${counter.toString(16).padStart(16, '0')}`,
        AccountSid: `AC${'1'.repeat(32)}`,
        From: `+7916${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`,
        To: setup.numbers[Math.floor(Math.random() * setup.numbers.length)] as string,
        CallStatus: 'ringing',
        Direction: 'inbound',
        ApiVersion: '2010-04-01',
      };
      return {
        body: new URLSearchParams(params).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(setup.authToken, setup.voiceUrl, params),
        },
      };
    },
    check: (status, text) =>
      status === 200 && text.includes('<Dial') ? undefined : `${status} ${text.slice(0, 200)}`,
  };
}

function bareTraffic(): Traffic {
  const body = JSON.stringify({
    k: 'pk_bench',
    u: 'https://okna.example.ru/',
    l: 'ru-RU',
    s: '1920x1080',
    sv: 1,
  });
  return {
    path: '/bare',
    next: () => ({ body, headers: { 'content-type': 'application/json' } }),
    check: (status, text) =>
      status === 200 && text.includes('"swap":[{') ? undefined : `${status} ${text.slice(0, 200)}`,
  };
}

interface Measured {
  name: string;
  saturation: LoadResult;
  paced: LoadResult & { lagP99: number; unanswered: number };
}

async function measure(name: string, url: string, traffic: Traffic, child?: ChildProcess): Promise<Measured> {
  console.log(`\n${name} (${url})`);
  report(
    'warm-up',
    await closedLoop(url, traffic, { connections: num('connections'), seconds: num('warmup') }),
  );
  const tracing = child && opt['trace-sql'];
  if (tracing) await ask(child, 'trace-reset');
  const saturation = await closedLoop(url, traffic, {
    connections: num('connections'),
    seconds: num('seconds'),
  });
  report(`saturation (${num('connections')} conn)`, saturation);
  if (tracing) {
    const sql = (await serverStats(child)).sql as {
      sql: string;
      count: number;
      prepareUs: number;
      executeUs: number;
    }[];
    console.log(
      '  SQL during the saturation run (per statement: calls per request, prepare and execute µs per call):',
    );
    for (const e of sql)
      console.log(
        `    ${(e.count / Math.max(1, saturation.requests)).toFixed(2)}/req  prepare ${String(e.prepareUs).padStart(5)}  execute ${String(e.executeUs).padStart(6)}  ${e.sql}`,
      );
  }
  const even = await paced(url, traffic, { rate: num('rate'), seconds: num('rate-seconds') });
  report(`${fmt(num('rate'))} req/s, paced`, even);
  console.log(`    sender lag p99 ${ms(even.lagP99)}`);
  return { name, saturation, paced: even };
}

// ---- SIP ----

const PEERS = { caller: '127.0.0.91', proxy: '127.0.0.92', callee: '127.0.0.93', port: 19060 };
const SIP_DID = '+74951234567';

interface SipStep {
  rate: number;
  calls: number;
  successful: number;
  failed: number;
  callsPerSecond: number;
  records: number;
}

async function sipRun(dir: string): Promise<SipStep[]> {
  const { database, deps, app, api } = await openRingtrace({ DATABASE_URL: `sqlite:${join(dir, 'sip.db')}` });
  const calleePort = PEERS.port + 2;
  const project = await api<{ id: string }>('POST', '/api/v1/projects', { name: 'SIP Bench' }, 201);
  const dest = await api<{ id: string }>(
    'POST',
    `/api/v1/projects/${project.id}/destinations`,
    {
      name: 'АТС',
      kind: 'sip',
      target: `sip:101@${PEERS.callee}:${calleePort}${SIP_TRANSPORT === 'tcp' ? ';transport=tcp' : ''}`,
    },
    201,
  );
  const number = await api<{ id: string }>(
    'POST',
    `/api/v1/projects/${project.id}/numbers`,
    { number: SIP_DID },
    201,
  );
  await api('PATCH', `/api/v1/projects/${project.id}/numbers/${number.id}`, { destinationId: dest.id }, 200);
  await api(
    'POST',
    `/api/v1/projects/${project.id}/static-channels`,
    { name: 'Радио', kind: 'offline', offlineMedium: 'radio', numberId: number.id },
    201,
  );
  const proxy = await startSipProxy({
    address: PEERS.proxy,
    port: PEERS.port,
    ringTimeoutMs: 10_000,
    ...sipCallRouting({ calls: deps.services.calls, allowedSources: new Set(), log: deps.log }),
  });
  const steps: SipStep[] = [];
  const countCalls = async () =>
    Number(
      (
        await database.db
          .selectFrom('call')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('provider', '=', 'sip')
          .where('status', '=', 'answered')
          .executeTakeFirstOrThrow()
      ).n,
    );
  try {
    for (const rate of String(opt['sip-rates']).split(',').map(Number)) {
      const calls = rate * num('sip-seconds');
      const before = await countCalls();
      const r = await runSippLoad({
        proxy: { address: proxy.address, port: proxy.port },
        callerIp: PEERS.caller,
        callerPort: PEERS.port + 1,
        calleeIp: PEERS.callee,
        calleePort,
        rate,
        calls,
        service: SIP_DID.slice(1),
        transport: SIP_TRANSPORT,
      });
      await new Promise((resolve) => setTimeout(resolve, 1000)); // onCallEnd runs after the BYE's 200
      const records = (await countCalls()) - before;
      steps.push({
        rate,
        calls,
        successful: r.successful,
        failed: r.failed,
        callsPerSecond: r.callsPerSecond,
        records,
      });
      console.log(
        `  ${String(rate).padStart(4)} calls/s x ${num('sip-seconds')} s: ${fmt(r.successful)} ok, ${fmt(r.failed)} failed, ` +
          `${r.callsPerSecond.toFixed(0)} calls/s achieved over ${(r.elapsedMs / 1000).toFixed(1)} s; ${fmt(records)} answered call records` +
          (r.failed > 0 ? `; caller exit ${r.caller.code}, traces in ${r.caller.dir}` : ''),
      );
      if (r.failed > 0) {
        console.log(`    ${r.caller.errors.split('\n').slice(-4).join('\n    ')}`);
        break;
      }
    }
  } finally {
    await proxy.close();
    await app.close();
    await database.close();
  }
  return steps;
}

// ---- run ----

console.log(
  `calls: Node ${process.version}; ${availableParallelism()} cores, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}; webhooks: ${num('connections')} connections x ${num('seconds')} s at saturation, ` +
    `${num('rate')} req/s x ${num('rate-seconds')} s paced; pool ${num('pool')} numbers, ${fmt(num('leases'))} leases`,
);
const results: Measured[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ringtrace-bench-calls-'));
process.once('SIGINT', () => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(130);
});
let sip: SipStep[] = [];
try {
  if (only.has('bare')) {
    const bare: ServerProcess = await startServer('bare-server', []);
    try {
      results.push(await measure('bare fastify', bare.url, bareTraffic()));
    } finally {
      await bare.stop();
    }
  }
  if (only.has('twilio')) {
    const started = performance.now();
    const server = await startTwilioServer([
      `sqlite:${join(dir, 'twilio.db')}`,
      String(num('pool')),
      String(num('leases')),
      ...(opt['trace-sql'] ? ['--trace-sql'] : []),
    ]);
    try {
      const before = await serverStats(server.child);
      console.log(
        `\ntwilio server ready in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
          `(${fmt(Number(before.leases))} leases, inserted in ${Number(before.leaseInsertSeconds).toFixed(1)} s)`,
      );
      results.push(
        await measure('twilio voice webhook (sqlite)', server.url, twilioTraffic(server.setup), server.child),
      );
      const after = await serverStats(server.child);
      console.log(
        `  database after the runs: ${fmt(Number(after.calls))} calls, ${fmt(Number(after.leases))} leases`,
      );
    } finally {
      await server.stop();
    }
  }
  if (only.has('sip')) {
    console.log(
      `\nSIP proxy (${PEERS.proxy}:${PEERS.port}, in process, ${SIP_TRANSPORT.toUpperCase()}) with SIPp ${PEERS.caller} → proxy → ${PEERS.callee}`,
    );
    sip = await sipRun(dir);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const bare = results.find((r) => r.name === 'bare fastify');
const hook = results.find((r) => r.name.startsWith('twilio'));
console.log(
  `\n| server | req/s at saturation | of bare | p99 at ${num('rate')} req/s paced | wrong answers |`,
);
console.log('|---|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.name} | ${fmt(r.saturation.rps)} | ${bare ? (r.saturation.rps / bare.saturation.rps).toFixed(2) : '–'} | ${ms(r.paced.latency.p99)} | ${errorsOf(r.saturation) + errorsOf(r.paced)} |`,
  );
}
const parts: string[] = [];
if (hook) {
  const errors = errorsOf(hook.saturation) + errorsOf(hook.paced);
  parts.push(
    `twilio webhook p99 ${ms(hook.paced.latency.p99)} at ${num('rate')}/s (${fmt(hook.saturation.rps)} req/s at saturation` +
      `${bare ? `, ${(hook.saturation.rps / bare.saturation.rps).toFixed(2)} of bare fastify` : ''})${errors > 0 ? `, ${fmt(errors)} ERRORS` : ''}`,
  );
}
if (only.has('sip')) {
  const clean = sip.filter((s) => s.failed === 0);
  const best = clean.at(-1);
  const broke = sip.find((s) => s.failed > 0);
  parts.push(
    best
      ? `SIP ${best.rate} calls/s with 0 failed${broke ? ` (${broke.rate}/s: ${fmt(broke.failed)} of ${fmt(broke.calls)} failed)` : ` (highest rate tried)`}`
      : `SIP: failures already at ${sip[0]?.rate ?? '?'} calls/s`,
  );
}
console.log(`calls: ${parts.join('; ')}`);
