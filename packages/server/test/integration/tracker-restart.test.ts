import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DbHandle } from '../../src/db/connect.js';
import { migrateOrThrow } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { TrackingService, type VisitAnswer } from '../../src/modules/tracking/tracking.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { CHROME_UA, createNumber, createProject } from '../helpers/factories.js';

const MINUTE = 60_000;

// The in-memory lease state must survive what a process does not: a crash (nothing flushed) and a restart. A new
// service over the same SQLite file stands for the restarted process; the old one is simply dropped.
describe('in-memory lease state across a crash and a restart (SQLite file)', () => {
  let dir: string;
  let handle: DbHandle;
  let t: TestApp;
  let project: { id: string; publicKey: string };
  let pool: string[];

  const service = () =>
    new TrackingService({
      db: handle.db,
      dialect: 'sqlite',
      clock: t.clock,
      log: createLogger({ logLevel: 'silent', logFile: undefined }),
      secretKey: 'test-secret-key-0123456789abcdef0123',
      rateLimit: { perMinute: 1000, burst: 1000 },
      state: 'memory',
      sqliteFile: handle.file,
    });
  const view = async (tracking: TrackingService, vid?: string): Promise<VisitAnswer> => {
    const result = await tracking.recordVisit({
      publicKey: project.publicKey,
      visitorId: vid,
      url: 'https://okna.example.ru/',
      referrer: undefined,
      gaClientId: undefined,
      ymClientId: undefined,
      gaSessions: undefined,
      language: 'ru-RU',
      screen: undefined,
      userAgent: CHROME_UA,
      ip: '198.51.100.7',
      headers: { 'user-agent': CHROME_UA },
      at: t.clock.now(),
    });
    if (!result.ok) throw new Error(result.reason);
    return result.answer;
  };
  const shown = (answer: VisitAnswer) => answer.swap[0]?.to;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ringtrace-restart-'));
    handle = connectDatabase(`sqlite:${join(dir, 'ringtrace.db')}`);
    await migrateOrThrow(handle.db);
    t = await createTestApp(handle);
    project = await createProject(t, { siteNumbers: ['+7 (495) 123-45-67'] });
    const numbers = [await createNumber(t, project.id), await createNumber(t, project.id)];
    pool = numbers.map((n) => n.number.slice(1));
    const res = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/pools`,
      payload: { name: 'Весь сайт', numberIds: numbers.map((n) => n.id), holdSeconds: 900 },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every answered visitor’s number and never lends a held one twice', async () => {
    const before = service();
    const a = await view(before);
    expect(pool).toContain(shown(a));
    t.clock.advance(MINUTE);
    await view(before, a.vid); // a next page: only a touch, not yet written
    // Crash: `before` is dropped without a flush. What was answered is on disk; the restarted process reloads it.
    const after = service();
    t.clock.advance(MINUTE);
    const again = await view(after, a.vid);
    expect(shown(again)).toBe(shown(a));
    expect(again.visit).toBe(a.visit);
    const b = await view(after);
    expect(shown(b)).not.toBe(shown(a));
    const c = await view(after); // both numbers are held: c shares the one whose holder went silent first
    expect(pool).toContain(shown(c));
    await after.close();
    const leases = await handle.db.selectFrom('lease').select(['shared']).orderBy('started_at').execute();
    expect(leases.map((l) => l.shared)).toEqual([0, 0, 1]);
  });

  it('answers heartbeats for leases it has never seen (they were made before the restart)', async () => {
    const before = service();
    t.clock.advance(60 * MINUTE);
    const a = await view(before);
    await before.close();
    const after = service();
    t.clock.advance(5 * MINUTE);
    expect(await after.heartbeat(project.publicKey, a.lease as string)).toBe('alive');
    t.clock.advance(16 * MINUTE);
    expect(await after.heartbeat(project.publicKey, a.lease as string)).toBe('expired');
    await after.close();
  });
});
