import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import { migrateOrThrow } from '../../src/db/migrate.js';
import { leasesAround } from '../../src/modules/tracking/tracking.repository.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { type TestDatabase, testDatabases } from '../helpers/databases.js';
import { createNumber, createProject } from '../helpers/factories.js';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const MINUTE = 60_000;

// Both lease-state modes on every database: in memory (one writer) and shared (decisions in the database); and an
// SQLite file, where the in-memory state's writes go through the writer thread and checkpoints through their own.
const sqliteFile: TestDatabase = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'ringtrace-tracking-'));
    const handle = connectDatabase(`sqlite:${join(dir, 'tracking.db')}`);
    await migrateOrThrow(handle.db);
    return {
      ...handle,
      async close() {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
const cases = [
  ...testDatabases().flatMap((database) =>
    (['memory', 'shared'] as const).map((state) => ({ name: database.name, state, database })),
  ),
  { name: 'sqlite file', state: 'memory' as const, database: sqliteFile },
];

describe.each(cases)('dynamic number insertion on $name, $state lease state', ({ database, state }) => {
  let t: TestApp;
  let project: { id: string; publicKey: string };
  let direct: { id: string; numbers: string[] };
  let yandex: { id: string; numbers: string[] };
  let billboard: string;
  let fallback: string;
  let ipCounter = 0;

  /** A page view from its own address (so that rate limits do not interfere unless a test wants them to). */
  const visit = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.call({
      method: 'POST',
      url: '/t/visit',
      token: null,
      payload: JSON.stringify({ k: project.publicKey, u: 'https://okna.example.ru/', ...body }),
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME, ...headers },
      remoteAddress: headers['x-test-ip'] ?? `10.0.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`,
    });
  const ping = (lease: string) =>
    t.call({
      method: 'POST',
      url: '/t/ping',
      token: null,
      payload: JSON.stringify({ k: project.publicKey, lease }),
      headers: { 'content-type': 'text/plain' },
    });
  const shown = (res: { json(): { swap: { to: string }[] } }) => res.json().swap[0]?.to;

  beforeAll(async () => {
    t = await createTestApp(await database.open(), {
      TRACKER_RATE_BURST: '5',
      TRACKER_RATE_PER_MINUTE: '5',
      TRACKER_STATE: state,
    });
    project = await createProject(t, { siteNumbers: ['+7 (495) 123-45-67', '8 800 555-35-35'] });
    const make = async (count: number) =>
      Promise.all(Array.from({ length: count }, () => createNumber(t, project.id)));
    const pool = async (
      name: string,
      numbers: { id: string; number: string }[],
      extra: Record<string, unknown>,
    ) => {
      const res = await t.call({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/pools`,
        payload: { name, numberIds: numbers.map((n) => n.id), ...extra },
      });
      expect(res.statusCode).toBe(201);
      return { id: res.json().id as string, numbers: numbers.map((n) => n.number.slice(1)) };
    };
    const fallbackNumber = await createNumber(t, project.id);
    fallback = fallbackNumber.number.slice(1);
    yandex = await pool('Яндекс Директ', await make(2), {
      priority: 10,
      holdSeconds: 600,
      exhaustionPolicy: 'fallback',
      fallbackNumberId: fallbackNumber.id,
      match: { all: [{ field: 'ad_network', op: 'equals', value: 'yandex_direct' }] },
    });
    direct = await pool('Весь сайт', await make(2), {
      priority: 100,
      holdSeconds: 900,
      exhaustionPolicy: 'reuse_oldest',
    });
    const board = await createNumber(t, project.id);
    billboard = board.number.slice(1);
    await t.call({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/static-channels`,
      payload: {
        name: 'Билборд',
        kind: 'offline',
        offlineMedium: 'billboard',
        numberId: board.id,
        swapMatch: { all: [{ field: 'utm_source', op: 'equals', value: 'billboard' }] },
      },
    });
  });
  afterAll(() => t.close());

  it('gives a visitor a number of their own and records the visit with its tags', async () => {
    const res = await visit({
      u: 'https://okna.example.ru/?utm_source=yandex&utm_medium=cpc&utm_campaign=okna_msk&utm_term=пластиковые+окна&yclid=123456',
      r: 'https://yandex.ru/',
      ga: '1234567.89',
      ym: '1700000000123456',
      gs: '_ga_R7X2K9=GS2.1.s1732456789$o3$g1$t1732457000$j0$l0$h0',
      l: 'ru-RU',
      s: '1920x1080',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const body = res.json();
    expect(body.swap).toEqual([
      { from: '74951234567', to: expect.any(String), cc: '7' },
      { from: '78005553535', to: body.swap[0].to, cc: '7' },
    ]);
    expect(yandex.numbers).toContain(body.swap[0].to);
    expect(body.lease).toMatch(/^[0-9a-f-]{36}\.[\w-]{22}$/);
    expect(body.hb).toBe(30);
    const row = await t.deps.database.db
      .selectFrom('visit')
      .selectAll()
      .where('id', '=', body.visit)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      visitor_id: body.vid,
      channel: 'paid',
      source: 'yandex',
      medium: 'cpc',
      ad_network: 'yandex_direct',
      campaign: 'okna_msk',
      keyword: 'пластиковые окна',
      utm_term: 'пластиковые окна',
      ga_client_id: '1234567.89',
      ym_client_id: '1700000000123456',
      device_type: 'desktop',
      browser: 'Chrome',
      pool_id: yandex.id,
      is_returning: 0,
    });
    expect(JSON.parse(row.click_ids)).toEqual({ yclid: '123456' });
    expect(JSON.parse(row.ga_sessions ?? 'null')).toEqual({ 'G-R7X2K9': '1732456789' });
    const lease = await t.deps.database.db
      .selectFrom('lease')
      .selectAll()
      .where('visit_id', '=', body.visit)
      .executeTakeFirstOrThrow();
    expect(lease).toMatchObject({
      pool_id: yandex.id,
      shared: 0,
      started_at: t.clock.now(),
      expires_at: t.clock.now() + 600_000,
    });
  });

  it('keeps the number across reloads, and two visitors never share one while numbers are free', async () => {
    const first = await visit({});
    const { vid } = first.json();
    t.clock.advance(MINUTE);
    const reload = await visit({ vid, u: 'https://okna.example.ru/prices' });
    expect(shown(reload)).toBe(shown(first));
    expect(reload.json().visit).toBe(first.json().visit);
    const other = await visit({});
    expect(shown(other)).not.toBe(shown(first));
    expect(direct.numbers).toEqual(expect.arrayContaining([shown(first), shown(other)]));
    // Page counts and last-seen times are written within a second, not before the answer.
    await t.deps.services.tracking.flush();
    const row = await t.deps.database.db
      .selectFrom('visit')
      .select(['page_views', 'last_seen_at'])
      .where('id', '=', first.json().visit)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ page_views: 2, last_seen_at: t.clock.now() });
  });

  it('shares the longest-silent number when a reuse pool runs out, and counts the exhaustion', async () => {
    t.clock.advance(60 * MINUTE);
    const a = await visit({});
    t.clock.advance(MINUTE);
    const b = await visit({});
    t.clock.advance(MINUTE);
    const c = await visit({});
    expect(shown(c)).toBe(shown(a));
    const lease = await t.deps.database.db
      .selectFrom('lease')
      .selectAll()
      .where('visit_id', '=', c.json().visit)
      .executeTakeFirstOrThrow();
    expect(lease.shared).toBe(1);
    expect(shown(b)).not.toBe(shown(a));
    // Exhaustion is counted within a second (flushed here), not on every page view.
    await t.deps.services.tracking.flush();
    const pool = (
      await t.call({ method: 'GET', url: `/api/v1/projects/${project.id}/pools/${direct.id}` })
    ).json();
    expect(pool.exhaustedCount).toBe(1);
    expect(pool.lastExhaustedAt).toBe(t.clock.now());
  });

  it('shows the fallback number when a fallback pool runs out, without a lease', async () => {
    const ad = { u: 'https://okna.example.ru/?yclid=1' };
    t.clock.advance(60 * MINUTE);
    const got = [await visit(ad), await visit(ad), await visit(ad)];
    expect(got.slice(0, 2).map(shown).sort()).toEqual([...yandex.numbers].sort());
    expect(shown(got[2] as never)).toBe(fallback);
    expect(got[2]?.json().lease).toBeUndefined();
  });

  it('returns a closed page’s number to the pool after the hold, least-recently-released first', async () => {
    t.clock.advance(60 * MINUTE);
    const a = await visit({});
    t.clock.advance(MINUTE);
    const b = await visit({});
    t.clock.advance(15 * MINUTE + 1);
    // a's lease ended a minute before b's: a's number is the one lent next.
    const c = await visit({});
    expect(shown(c)).toBe(shown(a));
    expect(shown(b)).not.toBe(shown(a));
  });

  it('keeps a lease alive with heartbeats, and answers 410 once it has ended', async () => {
    t.clock.advance(60 * MINUTE);
    const a = await visit({});
    const { lease } = a.json();
    for (let i = 0; i < 40; i++) {
      t.clock.advance(MINUTE);
      expect((await ping(lease)).statusCode).toBe(204);
    }
    // 40 minutes on, with a 15-minute hold: still a's, so a newcomer gets the other number.
    const b = await visit({});
    expect(shown(b)).not.toBe(shown(a));
    await t.deps.services.tracking.flush();
    const seen = await t.deps.database.db
      .selectFrom('visit')
      .select('last_seen_at')
      .where('id', '=', a.json().visit)
      .executeTakeFirstOrThrow();
    expect(seen.last_seen_at).toBe(t.clock.now());
    t.clock.advance(15 * MINUTE + 1);
    const gone = await ping(lease);
    expect(gone.statusCode).toBe(410);
    expect(gone.json().error.code).toBe('lease_expired');
    expect((await ping(`${lease.split('.')[0]}.forgedsignatureforgedsig`)).statusCode).toBe(400);
  });

  it('serves the site script cacheable and readable from any origin', async () => {
    const res = await t.call({ method: 'GET', url: '/rt.js', token: null });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('shows a static channel’s number to visitors its rules match', async () => {
    const res = await visit({ u: 'https://okna.example.ru/?utm_source=billboard&utm_medium=offline' });
    expect(shown(res)).toBe(billboard);
    expect(res.json().lease).toBeUndefined();
  });

  it('keeps the number for a visitor who comes back from a new ad, but credits the new visit', async () => {
    t.clock.advance(60 * MINUTE);
    const first = await visit({});
    t.clock.advance(2 * MINUTE);
    const back = await visit({
      vid: first.json().vid,
      u: 'https://okna.example.ru/?utm_source=google&utm_medium=cpc&utm_campaign=x',
    });
    expect(back.json().visit).not.toBe(first.json().visit);
    expect(shown(back)).toBe(shown(first));
    const numberId = (
      await t.deps.database.db
        .selectFrom('tracking_number')
        .select('id')
        .where('e164', '=', `+${shown(first)}`)
        .executeTakeFirstOrThrow()
    ).id;
    await t.deps.services.tracking.flush();
    const history = await leasesAround(t.deps.database.db, numberId, t.clock.now(), 0);
    expect(history[0]?.visit_id).toBe(back.json().visit);
    expect(history[1]?.visit_id).toBe(first.json().visit);
    expect(history[1]?.expires_at).toBe(t.clock.now());
    const row = await t.deps.database.db
      .selectFrom('visit')
      .select('is_returning')
      .where('id', '=', back.json().visit)
      .executeTakeFirstOrThrow();
    expect(row.is_returning).toBe(1);
  });

  it('gives bots and headless browsers no number and stores nothing', async () => {
    const before = (await t.deps.database.db.selectFrom('visit').select('id').execute()).length;
    for (const ua of [
      'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
      'Mozilla/5.0 HeadlessChrome/120.0.0.0 Safari/537.36',
      'curl/8.0',
      '',
    ]) {
      const res = await visit({}, { 'user-agent': ua });
      expect(res.statusCode).toBe(200);
      expect(res.json().swap).toEqual([]);
    }
    expect((await t.deps.database.db.selectFrom('visit').select('id').execute()).length).toBe(before);
    expect(t.deps.services.tracking.drops.bot).toBeGreaterThanOrEqual(4);
  });

  it('limits page views per address so that one client cannot drain a pool', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await visit({}, { 'x-test-ip': '203.0.113.9' })).statusCode);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
  });

  it('counts what it dropped per day and reason for the project’s owner', async () => {
    const day = new Date(t.clock.now()).toISOString().slice(0, 10);
    const drops = (query: string) =>
      t.call({ method: 'GET', url: `/api/v1/projects/${project.id}/tracker/drops?${query}` });
    const before = (await drops(`from=${day}&to=${day}`)).json().total;
    await visit({}, { 'user-agent': 'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)' });
    await visit({}, { 'user-agent': 'curl/8.0' });
    await visit({ u: 'javascript:alert(1)' });
    const res = await drops(`from=${day}&to=${day}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().days).toEqual([expect.objectContaining({ day })]);
    expect(res.json().total).toEqual({
      bot: before.bot + 2,
      rate_limited: before.rate_limited,
      invalid_url: before.invalid_url + 1,
    });
    expect((await drops(`from=${day}&to=2020-01-01`)).json().error.code).toBe('validation_failed');
    expect((await drops('from=yesterday&to=today')).statusCode).toBe(400);
  });

  it.each([
    ['malformed JSON', '{"k":', 400, 'invalid_json'],
    ['a missing page URL', JSON.stringify({ k: 'x' }), 400, 'validation_failed'],
    [
      'a non-http page URL',
      JSON.stringify({ k: 'pk_x', u: 'javascript:alert(1)' }),
      400,
      'validation_failed',
    ],
    ['an unknown project key', JSON.stringify({ k: 'pk_unknown', u: 'https://a.ru/' }), 404, 'not_found'],
    [
      'an oversized body',
      JSON.stringify({ k: 'pk_x', u: `https://a.ru/?q=${'x'.repeat(9000)}` }),
      413,
      'payload_too_large',
    ],
  ])('answers %s with %i', async (_name, payload, status, code) => {
    const before = (await t.deps.database.db.selectFrom('visit').select('id').execute()).length;
    const res = await t.call({
      method: 'POST',
      url: '/t/visit',
      token: null,
      payload,
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
      remoteAddress: '198.51.100.1',
    });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect((await t.deps.database.db.selectFrom('visit').select('id').execute()).length).toBe(before);
  });
});

describe('dynamic number insertion on an SQLite file while a checkpoint holds writers back', () => {
  it('answers the page view once the write lock is free, with its visit and lease written', async () => {
    const handle = await sqliteFile.open();
    const t = await createTestApp(handle, { TRACKER_STATE: 'memory' });
    const other = new SqliteDatabase(handle.file as string);
    try {
      const project = await createProject(t, { siteNumbers: ['+7 (495) 123-45-67'] });
      const number = await createNumber(t, project.id);
      const pool = await t.call({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/pools`,
        payload: { name: 'Весь сайт', numberIds: [number.id] },
      });
      expect(pool.statusCode).toBe(201);

      // What a RESTART checkpoint does for a few milliseconds: hold the write lock.
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      const answer = t.call({
        method: 'POST',
        url: '/t/visit',
        token: null,
        payload: JSON.stringify({ k: project.publicKey, u: 'https://okna.example.ru/' }),
        headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      other.exec('COMMIT');
      const res = await answer;
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().swap[0].to).toBe(number.number.slice(1));
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      const visit = await handle.db
        .selectFrom('visit')
        .select('id')
        .where('id', '=', res.json().visit)
        .execute();
      expect(visit).toHaveLength(1);
      const leases = await handle.db.selectFrom('lease').select('visit_id').execute();
      expect(leases).toEqual([{ visit_id: res.json().visit }]);
    } finally {
      other.close();
      await t.close();
    }
  });
});
