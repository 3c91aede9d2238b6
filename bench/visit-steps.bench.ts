// Where one page view's server time goes, in-process on SQLite (no HTTP): the ingest pipeline, the lease decision
// in memory, and the batched writes.
//
// TrackingService.recordVisit is called directly, 50 page views at a time (as 50 connections would), with the same
// page-view mix as visit-lease. Measured: CPU time of the whole process per page view (all threads: the event loop,
// the SQLite writer thread, the checkpointer), and of the event loop alone (its busy time, from
// performance.eventLoopUtilization: what limits throughput, since the writer thread runs beside it); the ingest
// pipeline alone; and the same page views with the lease state in the database (TRACKER_STATE=shared), where every
// statement runs on the event loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Hit } from '../packages/server/src/modules/tracking/ingest-pipeline.js';
import { cpuSnapshot, otherCores } from './lib/machine.js';
import { PageViews } from './lib/page-views.js';
import { createRing } from './lib/ring-setup.js';
import { fromBuild } from './lib/server-build.js';

// The same modules the service under test runs (its build): the writer's batches are counted on its own class.
const { classifyVisit } = await fromBuild<
  typeof import('../packages/server/src/modules/ingest/classify-source.js')
>('modules/ingest/classify-source.js');
const { runPipeline } = await fromBuild<
  typeof import('../packages/server/src/modules/tracking/ingest-pipeline.js')
>('modules/tracking/ingest-pipeline.js');
const { TrackerWriter } = await fromBuild<
  typeof import('../packages/server/src/modules/tracking/tracker-writer.js')
>('modules/tracking/tracker-writer.js');
const repo = await fromBuild<typeof import('../packages/server/src/modules/tracking/tracking.repository.js')>(
  'modules/tracking/tracking.repository.js',
);
const { compileSetup } = await fromBuild<
  typeof import('../packages/server/src/modules/tracking/tracking-setup.js')
>('modules/tracking/tracking-setup.js');

const { values: opt } = parseArgs({
  options: {
    views: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '50' },
    'memory-only': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(
    'options: --views N page views per measured pass [20000]; --concurrency N page views in flight [50]; --memory-only (skip the shared-state pass, e.g. to profile)',
  );
  process.exit(0);
}
const VIEWS = Number(opt.views);
const CONCURRENCY = Number(opt.concurrency);
const us = (x: number) => `${x.toFixed(1).padStart(6)} µs`;

/** CPU time of this process so far, ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// Every batch the writer commits, counted.
let batches = 0;
const writerPrototype = TrackerWriter.prototype as unknown as Record<
  string,
  (...args: unknown[]) => Promise<void>
>;
const writeBatch = writerPrototype.writeBatch as (...args: unknown[]) => Promise<void>;
writerPrototype.writeBatch = function (this: unknown, ...args: unknown[]) {
  batches += 1;
  return writeBatch.apply(this, args);
};

const machineStart = cpuSnapshot();
const dir = mkdtempSync(join(tmpdir(), 'ringtrace-steps-'));

async function pass(state: 'memory' | 'shared') {
  const ring = await createRing(`sqlite:${join(dir, `${state}-${Date.now()}.db`)}`, {
    poolSize: 1000,
    holdSeconds: 900,
    env: { TRACKER_STATE: state },
  });
  const tracking = ring.deps.services.tracking;
  const views = new PageViews(ring.project.publicKey);
  const hitFrom = (view: { body: string; userAgent: string }): Hit => {
    const b = JSON.parse(view.body) as Record<string, string | undefined>;
    return {
      publicKey: b.k as string,
      visitorId: b.vid,
      url: b.u as string,
      referrer: b.r,
      gaClientId: b.ga,
      ymClientId: b.ym,
      gaSessions: b.gs,
      language: b.l,
      screen: b.s,
      userAgent: view.userAgent,
      ip: '127.0.0.1',
      headers: {
        'user-agent': view.userAgent,
        'content-type': 'text/plain;charset=UTF-8',
        host: '127.0.0.1',
      },
      at: Date.now(),
    };
  };
  const run = async (count: number) => {
    const hits = Array.from({ length: count }, () => hitFrom(views.next()));
    await tracking.flush();
    batches = 0;
    const started = cpuMs();
    const loop = performance.eventLoopUtilization();
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
    await tracking.flush(); // the touches of this pass belong to its cost
    const busy = performance.eventLoopUtilization(loop).active;
    return { cpu: (1000 * (cpuMs() - started)) / count, loop: (1000 * busy) / count, batches };
  };
  await run(5000); // warm-up: JIT, caches, a pool already in use
  const measured = await run(VIEWS);
  const stats = await ring.stats();
  return { ring, measured, stats, hitFrom, views };
}

const memory = await pass('memory');
// The ingest pipeline alone (bots, URL, rate limit, cached project setup, classification, user agent, IP hash).
const db = memory.ring.database.db;
const project = await repo.findProjectByKey(db, memory.ring.project.publicKey);
if (!project) throw new Error('no project');
const setup = compileSetup(project, await repo.loadTrackingSetup(db, project.id));
const sampleHits = Array.from({ length: 5000 }, () => memory.hitFrom(memory.views.next()));
const context = {
  setupFor: async () => setup,
  allow: () => true,
  secret: 'bench-secret-key-0123456789abcdef0123',
};
const timeCpu = async (count: number, run: (i: number) => unknown) => {
  for (let i = 0; i < 2000; i++) await run(i);
  const started = cpuMs();
  for (let i = 0; i < count; i++) await run(i);
  return (1000 * (cpuMs() - started)) / count;
};
const pipelineUs = await timeCpu(40_000, (i) =>
  runPipeline(sampleHits[i % sampleHits.length] as Hit, context),
);
const classifyUs = await timeCpu(40_000, (i) => {
  const h = sampleHits[i % sampleHits.length] as Hit;
  return classifyVisit({ url: h.url, referrer: h.referrer, userAgent: h.userAgent });
});
await memory.ring.app.close();
await memory.ring.database.close();

const shared = opt['memory-only'] ? undefined : await pass('shared');
await shared?.ring.app.close();
await shared?.ring.database.close();
rmSync(dir, { recursive: true, force: true });
const noise = otherCores(machineStart, cpuSnapshot(), 0);

const m = memory.measured;
console.log(
  `visit-steps: TrackingService.recordVisit in-process on SQLite (file, WAL), ${VIEWS} page views per pass, ${CONCURRENCY} at a time`,
);
console.log(`database after the memory-state pass: ${JSON.stringify(memory.stats)}`);
console.log(
  noise === undefined
    ? 'other processes: unknown (no /proc/stat)'
    : `other processes: ${noise.toFixed(2)} cores busy${noise > 0.25 ? ' - NOISY' : ''}`,
);
console.log(`\none page view (${m.batches} writer batches in the pass):`);
console.log(`  lease state in memory: CPU, all threads                           ${us(m.cpu)}`);
console.log(`  lease state in memory: event loop busy                            ${us(m.loop)}`);
console.log(
  `    of which the ingest pipeline (classification ${classifyUs.toFixed(1)} µs)          ${us(pipelineUs)}`,
);
console.log(
  `  lease state in the database (TRACKER_STATE=shared): CPU          ${shared ? us(shared.measured.cpu) : '-'}`,
);
console.log(
  `  lease state in the database (TRACKER_STATE=shared): event loop   ${shared ? us(shared.measured.loop) : '-'}`,
);
console.log(
  `visit-steps: ${m.loop.toFixed(0)} µs of event loop per page view in-process on SQLite with lease state in memory (${m.cpu.toFixed(0)} µs CPU in all threads, pipeline ${pipelineUs.toFixed(0)} µs); ${shared ? shared.measured.loop.toFixed(0) : '-'} µs with it in the database`,
);
