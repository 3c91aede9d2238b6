import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';

const serverDir = resolve(import.meta.dirname, '../..');
const main = join(serverDir, 'dist/cli/main.js');

/** The CLI as an operator runs it: the built binary in a child process with its own environment. */
function run(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [main, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `serve` on a free port; the log file tells where it listens. */
let starts = 0;
async function startServer(env: Record<string, string>) {
  const logFile = join(env.DATA_DIR ?? '', `ringtrace-${++starts}.log`);
  const child: ChildProcess = spawn(process.execPath, [main, 'serve'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_FILE: logFile, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const address = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${stderr}`);
    if (!existsSync(logFile)) return undefined;
    const line = readFileSync(logFile, 'utf8')
      .split('\n')
      .find((l) => l.includes('ringtrace listening'));
    return line ? (JSON.parse(line) as { address: string }).address : undefined;
  }, 'the server to listen');
  return {
    address,
    logFile,
    stdout: () => stdout,
    async stop() {
      child.kill('SIGTERM');
      await waitFor(() => (child.exitCode !== null ? true : undefined), 'the server to stop');
      return child.exitCode;
    },
  };
}

describe('the ringtrace command', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringtrace-cli-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    if (!existsSync(main)) execFileSync('npm', ['run', 'build'], { cwd: serverDir, stdio: 'ignore' });
  }, 120_000);
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('on first start prints an admin key to the console only, which then creates a project', async () => {
    const dataDir = tempDir();
    const server = await startServer({ DATA_DIR: dataDir });
    const token = /(rt_[A-Za-z0-9]{8}_[A-Za-z0-9]{32})/.exec(server.stdout())?.[1];
    expect(token).toBeDefined();
    expect((await fetch(`${server.address}/healthz`)).status).toBe(200);
    const created = await fetch(`${server.address}/api/v1/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Окна Москвы' }),
    });
    expect(created.status).toBe(201);
    expect(await server.stop()).toBe(0);
    expect(readFileSync(server.logFile, 'utf8')).not.toContain(token);
    expect(existsSync(join(dataDir, 'ringtrace.db'))).toBe(true);

    // A restart keeps the key and prints no new one.
    const again = await startServer({ DATA_DIR: dataDir });
    expect(again.stdout()).not.toMatch(/rt_[A-Za-z0-9]{8}_/);
    const list = await fetch(`${again.address}/api/v1/projects`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await list.json()) as unknown[]).toHaveLength(1);
    await again.stop();
  });

  it('takes the admin key from RINGTRACE_ADMIN_TOKEN for automation', async () => {
    const token = `rt_Autom8ed_${'x'.repeat(16)}${'Y'.repeat(16)}`;
    const server = await startServer({ DATA_DIR: tempDir(), RINGTRACE_ADMIN_TOKEN: token });
    expect(server.stdout()).not.toContain('rt_');
    const res = await fetch(`${server.address}/api/v1/projects`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    await server.stop();
  });

  it('refuses a second server on the same SQLite database while the first runs, and lets one start after it', async () => {
    const dataDir = tempDir();
    const first = await startServer({ DATA_DIR: dataDir });
    const second = run(['serve'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    expect(second.status).toBe(2);
    expect(second.stderr).toContain('already serves this SQLite database');
    expect(await first.stop()).toBe(0);
    expect(existsSync(join(dataDir, 'ringtrace.db.lock'))).toBe(false);
    const after = await startServer({ DATA_DIR: dataDir });
    await after.stop();
  });

  it('reports every invalid setting at once and exits 2', () => {
    const result = run(['serve'], {
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      SECRET_KEY: 'short',
    });
    expect(result.status).toBe(2);
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'SECRET_KEY'])
      expect(result.stderr).toContain(name);
  });

  it('migrates, checks itself with doctor, and manages projects, keys and numbers', () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    const all = Object.keys(migrations);
    expect(run(['doctor'], env).stdout).toContain(`${all.length} migration(s) pending`);
    const migrated = run(['migrate'], env).stdout;
    for (const name of all) expect(migrated).toContain(`applied ${name}`);
    const doctor = run(['doctor'], env);
    expect(doctor.status).toBe(0);
    expect(doctor.stdout).toContain('none pending');
    expect(doctor.stdout).toContain(`recordings ${join(dataDir, 'recordings')} (copies on)`);

    const project = JSON.parse(run(['project', 'create', '--name', 'Автосалон'], env).stdout) as {
      id: string;
    };
    const key = run(['apikey', 'create', '--name', 'ci', '--role', 'analyst', '--project', project.id], env);
    expect(key.stdout).toMatch(/rt_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}/);

    const csv = join(dataDir, 'numbers.csv');
    writeFileSync(csv, 'number,label\n+7 495 100-00-01,Директ\n8 495 100-00-02,Google\nnope,broken\n');
    const strict = run(['numbers', 'import', csv, '--project', project.id], env);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('1 of 3 rows are invalid; nothing was imported');
    const partial = run(['numbers', 'import', csv, '--project', project.id, '--partial'], env);
    expect(partial.stdout).toContain('imported 2, already present 0, rejected 1');
    expect(partial.stdout).toContain('row 4 "nope"');

    const unknown = run(['numbers', 'import', csv, '--project', 'nope'], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('project nope not found');
    expect(run(['frobnicate'], env).status).toBe(2);
  });

  it('doctor fails when the recordings cannot be written there', () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'not-a-folder');
    writeFileSync(file, '');
    const result = run(['doctor'], { DATA_DIR: dataDir, RECORDINGS_DIR: join(file, 'recordings') });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`FAIL  recordings: ${file} is not a directory`);
    const off = run(['doctor'], {
      DATA_DIR: dataDir,
      RECORDINGS_DIR: join(file, 'recordings'),
      RECORDINGS_COPY: 'false',
    });
    expect(off.stdout).toContain('(copies off)');
  });

  it('doctor says plainly when the database cannot be reached', () => {
    const result = run(['doctor'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('FAIL  database');
  });
});
