import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * How often the WAL is copied back into the database file. Small and frequent: a checkpoint's fsync slows the
 * writer thread's commits while it runs (every 10 s: 150-300 ms waits; every 1 s: p99 14-33 ms at 1,000 page
 * views/s; every 250 ms: 14-16 ms).
 */
const EVERY_MS = 250;
/**
 * Under steady writes the WAL never starts over by itself: SQLite rewinds it only when a commit finds every frame
 * copied back, and new frames land while each PASSIVE checkpoint runs. Past this size (128 MB of 4-KB pages) a
 * RESTART checkpoint right after the PASSIVE one copies the few frames left and syncs while holding writers back,
 * and the next commit writes the WAL from its start again, into blocks the file already has. That costs commits
 * ~10 ms every few seconds at full load. The TRUNCATE used before also emptied the file, and its regrowth (new
 * blocks through ext4's journal) stalled commits for 35-55 ms every second or so: p99 at 1,000 page views/s went
 * from 14-23 ms to 4-5 ms with this change (docs/benchmarks.md).
 */
const RESTART_ABOVE_PAGES = 32_768;
/** Bytes the WAL file is cut back to when it starts over, after a burst made it longer than the above. */
export const WAL_SIZE_LIMIT = RESTART_ABOVE_PAGES * 4096 * 1.25;

// Plain JavaScript, so that it runs the same under tsc's output, tsx and vitest. PASSIVE checkpoints never block
// writers or readers. RESTART waits for the writer's current batch, then holds writers back while it waits for
// readers: a short busy_timeout bounds that hold (a long report reading would otherwise hold page views for it),
// and a RESTART that gives up returns busy: the next round tries again.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 10');
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result && result.log > workerData.restartAbove) db.pragma('wal_checkpoint(RESTART)');
  } catch {
    // Busy or locked: the next round tries again.
  }
};
const timer = setInterval(checkpoint, workerData.every);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage('stopped');
});
`;

/** Checkpoints an SQLite file's WAL from a thread of its own, until stopped. */
export function startCheckpointer(
  path: string,
  { everyMs = EVERY_MS, restartAbovePages = RESTART_ABOVE_PAGES } = {},
): { stop(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: { path, driver, every: everyMs, restartAbove: restartAbovePages },
  });
  worker.unref();
  let exited = false;
  worker.on('exit', () => {
    exited = true;
  });
  worker.on('error', () => {});
  return {
    async stop() {
      if (exited) return;
      worker.ref();
      await new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      });
      await worker.terminate();
    },
  };
}
