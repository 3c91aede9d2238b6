import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { connectDatabase, type DbHandle } from '../../src/db/connect.js';
import { migrateOrThrow } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { SYSTEM_PRINCIPAL } from '../../src/modules/access/access.js';

const serverDir = resolve(import.meta.dirname, '../..');
const main = join(serverDir, 'dist/cli/main.js');
const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const postgresUrl = inject('postgresUrl');

/**
 * Several app instances on one PostgreSQL must never lend one number to two visitors at once. Two real `serve`
 * processes take parallel page views; every lease in the database is then checked. Needs a real server: PGlite is
 * one process, and SQLite deployments are one process by design.
 */
describe.skipIf(!postgresUrl)('number leasing across two server processes on PostgreSQL', () => {
  const secret = randomBytes(24).toString('hex');
  const schema = `rt_conc_${randomBytes(5).toString('hex')}`;
  let url: string;
  let handle: DbHandle;
  let dir: string;
  let publicKey: string;
  const servers: { child: ChildProcess; address: string }[] = [];
  const POOL = 40;

  async function start(n: number) {
    const logFile = join(dir, `server-${n}.log`);
    const child = spawn(process.execPath, [main, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: url,
        DATA_DIR: dir,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_FILE: logFile,
        SECRET_KEY: secret,
        TRACKER_RATE_PER_MINUTE: '1000000',
        TRACKER_RATE_BURST: '1000000',
      },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const line = existsSync(logFile)
        ? readFileSync(logFile, 'utf8')
            .split('\n')
            .find((l) => l.includes('ringtrace listening'))
        : undefined;
      if (line) return { child, address: (JSON.parse(line) as { address: string }).address };
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server ${n} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    if (!existsSync(main)) execFileSync('npm', ['run', 'build'], { cwd: serverDir, stdio: 'ignore' });
    const admin = new pg.Client({ connectionString: postgresUrl as string });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const scoped = new URL(postgresUrl as string);
    scoped.searchParams.set('options', `-c search_path=${schema}`);
    url = scoped.toString();
    dir = mkdtempSync(join(tmpdir(), 'ringtrace-conc-'));
    handle = connectDatabase(url);
    await migrateOrThrow(handle.db, handle.schema);
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' });
    const deps = createDeps({
      config,
      log: createLogger(config),
      database: handle,
      secretKey: secret,
      clock: new ManualClock(Date.now()),
    });
    await deps.services.apiKeys.bootstrapAdmin(undefined);
    const project = await deps.services.projects.create(SYSTEM_PRINCIPAL, {
      name: 'concurrency',
      siteNumbers: ['+74951234567'],
    });
    publicKey = project.publicKey;
    const rows = Array.from({ length: POOL }, (_, i) => ({
      line: i + 1,
      input: { number: `+7495300${String(i).padStart(4, '0')}` },
    }));
    const { imported } = await deps.services.numbers.import(project, rows, { partial: false });
    await deps.services.pools.create(project.id, {
      name: 'all',
      numberIds: imported.map((n) => n.id),
      exhaustionPolicy: 'reuse_oldest',
    });
    servers.push(await start(1), await start(2));
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) s.child.kill('SIGTERM');
    await handle?.close();
    const admin = new pg.Client({ connectionString: postgresUrl as string });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const hit = async (i: number) => {
    const server = servers[i % 2] as { address: string };
    const res = await fetch(`${server.address}/t/visit`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
      body: JSON.stringify({ k: publicKey, u: `https://site.example.ru/?n=${i}` }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { swap: { to: string }[] }).swap[0]?.to;
  };

  it('gives parallel visitors on both instances distinct numbers while the pool lasts', async () => {
    const shown = await Promise.all(Array.from({ length: POOL }, (_, i) => hit(i)));
    expect(shown.every((n) => n !== undefined)).toBe(true);
    expect(new Set(shown).size).toBe(POOL);
  });

  it('then shares numbers (marked shared) and never holds one number for two unshared leases at once', async () => {
    const more = await Promise.all(Array.from({ length: 20 }, (_, i) => hit(POOL + i)));
    expect(more.every((n) => n !== undefined)).toBe(true);
    const leases = await handle.db
      .selectFrom('lease')
      .selectAll()
      .orderBy('tracking_number_id')
      .orderBy('started_at')
      .execute();
    expect(leases).toHaveLength(POOL + 20);
    expect(leases.filter((l) => l.shared === 1)).toHaveLength(20);
    const byNumber = new Map<string, typeof leases>();
    for (const lease of leases.filter((l) => l.shared === 0)) {
      byNumber.set(lease.tracking_number_id, [...(byNumber.get(lease.tracking_number_id) ?? []), lease]);
    }
    for (const list of byNumber.values()) {
      for (let i = 1; i < list.length; i++) {
        expect(list[i]?.started_at).toBeGreaterThanOrEqual(list[i - 1]?.expires_at ?? 0);
      }
      expect(list).toHaveLength(1);
    }
  });
});
