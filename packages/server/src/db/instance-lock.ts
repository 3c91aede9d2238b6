import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import pg from 'pg';
import { ConfigError } from '../config.js';
import type { DbHandle } from './connect.js';

export interface InstanceLock {
  release(): Promise<void>;
}

const REMEDY =
  'only one instance may keep the tracker state in memory; to run several instances on one PostgreSQL database, ' +
  'set TRACKER_STATE=shared on every one of them';

/**
 * Guards the tracker's in-memory lease state: an instance that keeps it (`exclusive`) must be the database's only
 * writer of visits and leases, and instances that share the database (`shared`) must not start beside one.
 * PostgreSQL: a session advisory lock, exclusive or shared, on a connection held while the process runs, keyed by
 * schema (installations in different schemas of one database do not collide). SQLite: a lock file beside the
 * database, holding the owner's process id (a file left by a crashed process is taken over).
 */
export async function acquireInstanceLock(
  database: Pick<DbHandle, 'dialect' | 'file' | 'schema'>,
  url: string,
  mode: 'exclusive' | 'shared',
): Promise<InstanceLock> {
  if (database.dialect === 'postgres') return advisoryLock(url, database.schema ?? 'public', mode);
  if (!database.file) return { release: async () => {} };
  return lockFile(`${database.file}.lock`, mode);
}

async function advisoryLock(
  url: string,
  schema: string,
  mode: 'exclusive' | 'shared',
): Promise<InstanceLock> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  const fn = mode === 'exclusive' ? 'pg_try_advisory_lock' : 'pg_try_advisory_lock_shared';
  // Two int4 keys: a fixed one for Ringtrace's tracker, and one derived from the schema name.
  const { rows } = await client.query<{ ok: boolean }>(`select ${fn}(1382576487, hashtext($1)) as ok`, [
    schema,
  ]);
  if (!rows[0]?.ok) {
    await client.end();
    throw new ConfigError([
      mode === 'exclusive'
        ? `another Ringtrace instance already serves this PostgreSQL database (schema "${schema}"): ${REMEDY}`
        : `a Ringtrace instance keeps the tracker state of this database (schema "${schema}") in memory: ${REMEDY}`,
    ]);
  }
  return { release: () => client.end() };
}

function lockFile(path: string, mode: 'exclusive' | 'shared'): InstanceLock {
  const holder = readHolder(path);
  if (holder !== undefined && holder !== process.pid && isAlive(holder))
    throw new ConfigError([
      `process ${holder} already serves this SQLite database with the tracker state in memory (${path}); ` +
        'stop it first, or use PostgreSQL with TRACKER_STATE=shared to run several instances',
    ]);
  if (mode === 'shared') return { release: async () => {} };
  rmSync(path, { force: true });
  const fd = openSync(path, 'wx');
  writeSync(fd, String(process.pid));
  closeSync(fd);
  return {
    async release() {
      if (readHolder(path) === process.pid) rmSync(path, { force: true });
    },
  };
}

function readHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
