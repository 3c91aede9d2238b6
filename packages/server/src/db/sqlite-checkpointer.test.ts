import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './sqlite-checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openFile() {
  const dir = mkdtempSync(join(tmpdir(), 'ringtrace-ckpt-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const db = new SqliteDatabase(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE row (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return { db, path };
}

/** A few rows per commit and a millisecond between commits for `ms`, as the tracker's writer thread writes. */
async function writeSteadily(db: SqliteDatabase.Database, ms: number): Promise<number> {
  const insert = db.prepare('INSERT INTO row (body) VALUES (?)');
  const commit = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run('x'.repeat(3000));
  });
  const end = performance.now() + ms;
  let rows = 0;
  while (performance.now() < end) {
    commit(5);
    rows += 5;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return rows;
}

describe('the SQLite checkpointer', () => {
  it('makes the WAL start over under steady writes, so that it does not grow without end', async () => {
    const { db, path } = openFile();
    const checkpoints = startCheckpointer(path, { everyMs: 20, restartAbovePages: 200 });
    const rows = await writeSteadily(db, 1_500);
    await checkpoints.stop();
    // Every row took a 4-KB page of WAL or more: without restarts the WAL would hold them all.
    const walBytes = statSync(`${path}-wal`).size;
    expect(rows).toBeGreaterThan(1_000);
    expect(walBytes).toBeLessThan((rows * 4096) / 4);
    expect(db.prepare('SELECT count(*) AS n FROM row').get()).toEqual({ n: rows });
    db.close();
  });

  it('copies every commit back into the database file when stopped', async () => {
    const { db, path } = openFile();
    const checkpoints = startCheckpointer(path, { everyMs: 1_000_000 });
    const rows = await writeSteadily(db, 200);
    await checkpoints.stop();
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    expect(result?.checkpointed).toBe(result?.log);
    db.close();
    // Opened without its WAL, the file alone holds every row.
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    const alone = new SqliteDatabase(path, { readonly: true });
    expect(alone.prepare('SELECT count(*) AS n FROM row').get()).toEqual({ n: rows });
    alone.close();
  });
});
