import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { LeaseTable, VisitTable } from '../../db/database.js';
import { WAL_SIZE_LIMIT } from '../../db/sqlite-checkpointer.js';
import type { BatchSink, TrackerBatch } from './tracker-writer.js';
import { BATCH_UPDATES, type BatchUpdate, batchUpdateSql } from './tracking.repository.js';

/**
 * The writer thread: its own better-sqlite3 connection to the same file, running each batch as one transaction.
 * SQLite's work (B-tree inserts, WAL writes, checkpoints) then happens beside the event loop instead of in it, and
 * checkpoints (fsyncs) are another thread's. Plain JavaScript so that it runs the same under tsc's
 * output, tsx and vitest; it only executes the SQL text and parameters it is sent.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
// A checkpoint that holds writers back (db/sqlite-checkpointer.ts) is waited out below in steps of a quarter of a
// millisecond: SQLite's own busy handler sleeps 1, 2, 5, 10, … ms, turning a 6-ms hold into an 8-ms wait and a
// 9-ms one into 18.
db.pragma('busy_timeout = 0');
// Checkpoints are the checkpointer thread's (db/sqlite-checkpointer.ts), never inside a batch's commit.
db.pragma('wal_autocheckpoint = 0');
db.pragma('journal_size_limit = ' + workerData.walSizeLimit);
// Multi-row statements keep a statement journal: in memory, not in a temporary file created for each batch.
db.pragma('temp_store = MEMORY');
// Index pages of a day's visits stay cached between batches (the default is 2 MB).
db.pragma('cache_size = -65536');
const prepared = new Map();
const decoder = new TextDecoder();
const batch = db.transaction((statements) => {
  for (const [key, params] of statements) prepared.get(key).run(params);
});
const nap = new Int32Array(new SharedArrayBuffer(4));
const run = (statements) => {
  // IMMEDIATE: the write lock is taken (or found busy) at BEGIN, before any work is done.
  for (let waited = 0; ; waited += 0.25) {
    try {
      return batch.immediate(statements);
    } catch (error) {
      if (!(error && error.code === 'SQLITE_BUSY') || waited >= 5000) throw error;
      Atomics.wait(nap, 0, 0, 0.25);
    }
  }
};
parentPort.on('message', (message) => {
  if (message.close) {
    db.close();
    parentPort.postMessage({ id: message.id, ok: true });
    return;
  }
  try {
    for (const [key, sql] of message.texts) prepared.set(key, db.prepare(sql));
    run(JSON.parse(decoder.decode(message.statements)));
    parentPort.postMessage({ id: message.id, ok: true });
  } catch (error) {
    parentPort.postMessage({ id: message.id, ok: false, message: String((error && error.message) || error) });
  }
});
`;

const encoder = new TextEncoder();

/** A statement by the key of its SQL text (the thread is sent each text once), and its parameters. */
type Statement = [key: string, params: unknown[]];

export function sqliteWriterThread(path: string): BatchSink {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: { path, driver, walSizeLimit: WAL_SIZE_LIMIT },
  });
  const pending = new Map<number, { resolve(): void; reject(error: Error): void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (m: { id: number; ok: boolean; message?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.ok) p?.resolve();
    else p?.reject(new Error(m.message));
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the SQLite writer thread exited (code ${code})`)));
  // The thread keeps the process alive only while a batch is in flight.
  worker.unref();

  const known = new Set<string>();
  const send = (message: object, transfer: ArrayBuffer[] = []) =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...message, id }, transfer);
    });

  return {
    write(batch) {
      const list = statements(batch);
      const texts: [string, string][] = [];
      for (const [key] of list)
        if (!known.has(key)) {
          known.add(key);
          texts.push([key, textOf(key)]);
        }
      // The statements cross to the thread as JSON bytes, moved rather than copied: much cheaper than the
      // structured clone of thousands of values.
      const bytes = encoder.encode(JSON.stringify(list));
      return send({ texts, statements: bytes }, [bytes.buffer as ArrayBuffer]);
    },
    async close() {
      if (!failure) await send({ close: true });
      await worker.terminate();
    },
  };
}

/** The batch as SQLite statements: rows in multi-row INSERTs, times in UPDATE … FROM (VALUES …). */
function statements(batch: TrackerBatch): Statement[] {
  const out: Statement[] = [];
  insertRows(out, 'visit', batch.visits);
  insertRows(out, 'lease', batch.leases);
  updateRows(out, BATCH_UPDATES.holds, batch.claims);
  updateRows(out, BATCH_UPDATES.visits, batch.visitTouches);
  updateRows(out, BATCH_UPDATES.leases, batch.leaseTouches);
  updateRows(out, BATCH_UPDATES.holds, batch.numberHolds);
  return out;
}

const CHUNK = 64;
/** SQL texts by key, built once per statement shape (table and row count). */
const texts = new Map<string, string>();
const textOf = (key: string) => texts.get(key) as string;
const placeholders = (rows: number, columns: number) => {
  const row = `(${Array(columns).fill('?').join(',')})`;
  return Array(rows).fill(row).join(',');
};

function insertRows(out: Statement[], table: 'visit' | 'lease', rows: readonly (VisitTable | LeaseTable)[]) {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first) as (keyof typeof first)[];
  for (let at = 0; at < rows.length; at += CHUNK) {
    const chunk = rows.slice(at, at + CHUNK);
    const key = `${table}:${chunk.length}:${columns.join(',')}`;
    if (!texts.has(key))
      texts.set(
        key,
        `insert into "${table}" (${columns.map((c) => `"${String(c)}"`).join(',')}) values ${placeholders(chunk.length, columns.length)}`,
      );
    const params: unknown[] = [];
    for (const row of chunk)
      for (const c of columns) params.push((row as unknown as Record<string, unknown>)[c] ?? null);
    out.push([key, params]);
  }
}

function updateRows(out: Statement[], update: BatchUpdate, rows: readonly (readonly unknown[])[]) {
  for (let at = 0; at < rows.length; at += CHUNK) {
    const chunk = rows.slice(at, at + CHUNK);
    const key = `${update.table}:update:${chunk.length}`;
    if (!texts.has(key))
      texts.set(key, batchUpdateSql(update, placeholders(chunk.length, update.types.length)));
    out.push([key, chunk.flat()]);
  }
}
