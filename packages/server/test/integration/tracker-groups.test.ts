import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaseTable } from '../../src/db/database.js';
import { newId } from '../../src/ids.js';
import { createLogger } from '../../src/logger.js';
import { NumberVacuum } from '../../src/modules/tracking/number-vacuum.js';
import { SqlTrackerGroup } from '../../src/modules/tracking/sql-tracker-store.js';
import { TrackerGroups } from '../../src/modules/tracking/tracker-groups.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { CHROME_UA, createNumber, createProject } from '../helpers/factories.js';
import { visitRow } from './analytics-helpers.js';

const HOLD_MS = 900_000;

// The shared lease state runs page views in groups (tracker-groups.ts, sql-tracker-store.ts): a group reads its
// returning visitors at once, claims each pool's numbers at once, and inserts its rows at once.
describe.each(testDatabases())('shared lease state in groups on $name', (database) => {
  let t: TestApp;
  let project: { id: string; publicKey: string };
  let poolId: string;
  const numberIds: string[] = [];

  const releasedAt = async () => {
    const rows = await t.deps.database.db
      .selectFrom('tracking_number')
      .select(['id', 'released_at'])
      .where('pool_id', '=', poolId)
      .execute();
    return new Map(rows.map((r) => [r.id, Number(r.released_at)]));
  };
  /** Sets a number's release moment (another instance's hold, or putting it back as it was). */
  const setReleasedAt = (id: string | undefined, at: number | undefined) =>
    t.deps.database.db
      .updateTable('tracking_number')
      .set({ released_at: at as number })
      .where('id', '=', id as string)
      .execute();

  beforeAll(async () => {
    t = await createTestApp(await database.open(), {
      TRACKER_STATE: 'shared',
      TRACKER_RATE_BURST: '1000',
      TRACKER_RATE_PER_MINUTE: '100000',
    });
    project = await createProject(t, { siteNumbers: ['+7 (495) 123-45-67'] });
    for (let i = 0; i < 4; i++) numberIds.push((await createNumber(t, project.id)).id);
    const res = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/pools`,
      payload: {
        name: 'Весь сайт',
        numberIds,
        holdSeconds: HOLD_MS / 1000,
        exhaustionPolicy: 'reuse_oldest',
      },
    });
    expect(res.statusCode).toBe(201);
    poolId = res.json().id;
  });
  afterAll(() => t.close());

  it('claims the numbers a group will need at once, and gives back as they were those it did not lend', async () => {
    const before = await releasedAt();
    const now = t.clock.now();
    const { db, dialect } = t.deps.database;
    const lent = await db.transaction().execute(async (trx) => {
      // Three new visitors would need a number each; only the first asks before the group ends.
      const hint = { claim: { poolId, at: now } };
      const group = await SqlTrackerGroup.open(trx, dialect, [hint, hint, hint]);
      const first = await group.claimNumber(poolId, now, now + HOLD_MS, true);
      const second = await group.claimNumber(poolId, now + 5, now + 5 + HOLD_MS, true);
      await group.insertRows();
      // Versions of number rows written: three claimed, the second's later hold, the unused one given back.
      expect(group.numberWrites).toBe(5);
      return [first, second];
    });
    expect(lent.map((n) => n?.shared)).toEqual([false, false]);
    const first = lent[0]?.id as string;
    const second = lent[1]?.id as string;
    expect(first).not.toBe(second);
    const after = await releasedAt();
    expect(after.get(first)).toBe(now + HOLD_MS);
    // Lent from the reserve after the reserve's hold: held to its own lease's end.
    expect(after.get(second)).toBe(now + 5 + HOLD_MS);
    // The third one reserved and the fourth never touched are as they were.
    for (const id of numberIds.filter((id) => id !== first && id !== second))
      expect(after.get(id)).toBe(before.get(id));
  });

  it('gives back what a failed group claimed, unless another instance has held the number since', async () => {
    const before = await releasedAt();
    const now = t.clock.now();
    const { db, dialect } = t.deps.database;
    // As on PostgreSQL, where a group's statements commit one by one: its claims are visible before its rows.
    const hint = { claim: { poolId, at: now } };
    const group = await SqlTrackerGroup.open(db, dialect, [hint, hint]);
    const first = await group.claimNumber(poolId, now, now + HOLD_MS, true);
    const second = await group.claimNumber(poolId, now, now + HOLD_MS, true);
    expect(first && second).toBeTruthy();
    expect((await releasedAt()).get(first?.id as string)).toBe(now + HOLD_MS);
    // Meanwhile another instance, its pool exhausted, shares the second number and holds it longer.
    await setReleasedAt(second?.id, now + 2 * HOLD_MS);
    await group.giveBack();
    const after = await releasedAt();
    expect(after.get(first?.id as string)).toBe(before.get(first?.id as string));
    expect(after.get(second?.id as string)).toBe(now + 2 * HOLD_MS);
    await setReleasedAt(second?.id, before.get(second?.id as string));
  });

  it('keeps the numbers held when its rows committed but their answer was lost', async () => {
    const before = await releasedAt();
    const now = t.clock.now();
    const { db, dialect } = t.deps.database;
    const hint = { claim: { poolId, at: now } };
    const group = await SqlTrackerGroup.open(db, dialect, [hint]);
    const number = await group.claimNumber(poolId, now, now + HOLD_MS, true);
    const visitorId = newId();
    const visitId = newId();
    await group.startVisit(visitRow(project.id, { id: visitId, visitor_id: visitorId, started_at: now }));
    await group.startLease(leaseRow(project.id, poolId, number?.id as string, visitId, visitorId, now));
    await group.insertRows();
    // The statement committed; its caller saw an error instead (the connection dropped before the answer came).
    await group.giveBack();
    // The lease holds the number: given back, it would be lent to another visitor while this one sees it.
    expect((await releasedAt()).get(number?.id as string)).toBe(now + HOLD_MS);
    await setReleasedAt(number?.id, before.get(number?.id as string));
  });

  it('gives the numbers back when its rows were sent and refused', async () => {
    const before = await releasedAt();
    const now = t.clock.now();
    const { db, dialect } = t.deps.database;
    const group = await SqlTrackerGroup.open(db, dialect, [{ claim: { poolId, at: now } }]);
    const number = await group.claimNumber(poolId, now, now + HOLD_MS, true);
    const visitorId = newId();
    const visitId = newId();
    // Two rows with one id: the database refuses the statement, so nothing of it committed.
    await group.startVisit(visitRow(project.id, { id: visitId, visitor_id: visitorId, started_at: now }));
    await group.startVisit(visitRow(project.id, { id: visitId, visitor_id: visitorId, started_at: now }));
    await group.startLease(leaseRow(project.id, poolId, number?.id as string, visitId, visitorId, now));
    await expect(group.insertRows()).rejects.toThrow();
    await group.giveBack();
    expect((await releasedAt()).get(number?.id as string)).toBe(before.get(number?.id as string));
  });

  it('leaves the numbers as they were when a job of the group fails after claiming', async () => {
    const before = await releasedAt();
    const now = t.clock.now();
    const { db, dialect } = t.deps.database;
    const groups = new TrackerGroups(db, dialect, createLogger({ logLevel: 'silent', logFile: undefined }), {
      maxGroup: 64,
      concurrency: 1,
    });
    const hint = { claim: { poolId, at: now } };
    const failing = groups.run(async (store) => {
      await store.claimNumber(poolId, now, now + HOLD_MS, true);
      throw new Error('the job failed');
    }, hint);
    const claiming = groups.run((store) => store.claimNumber(poolId, now, now + HOLD_MS, true), hint);
    await expect(failing).rejects.toThrow('the job failed');
    // The other job of the group ran again alone, and its number stays held.
    const lent = await claiming;
    const after = await releasedAt();
    expect(after.get(lent?.id as string)).toBe(now + HOLD_MS);
    for (const id of numberIds.filter((id) => id !== lent?.id)) expect(after.get(id)).toBe(before.get(id));
    await setReleasedAt(lent?.id, before.get(lent?.id as string));
  });

  it('keeps one visit and one lease for a visitor whose page views arrive together', async () => {
    const send = (vid?: string, page = '') =>
      t.call({
        method: 'POST',
        url: '/t/visit',
        token: null,
        payload: JSON.stringify({ k: project.publicKey, u: `https://okna.example.ru/${page}`, vid }),
        headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME_UA },
      });
    const first = (await send()).json();
    // Several tabs of the same visitor at once: they may land in one group or in groups running side by side.
    const tabs = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((page) => send(first.vid, page)));
    for (const tab of tabs) {
      expect(tab.statusCode).toBe(200);
      expect(tab.json().visit).toBe(first.visit);
      expect(tab.json().swap[0].to).toBe(first.swap[0].to);
    }
    await t.deps.services.tracking.flush();
    const { db } = t.deps.database;
    const leases = await db.selectFrom('lease').select('id').where('visitor_id', '=', first.vid).execute();
    expect(leases).toHaveLength(1);
    const visit = await db
      .selectFrom('visit')
      .select('page_views')
      .where('id', '=', first.visit)
      .executeTakeFirstOrThrow();
    expect(Number(visit.page_views)).toBe(7);
  });

  it('stores text with quotes, backslashes, braces, commas and emoji as sent (rows go in as arrays)', async () => {
    const landing = 'https://okna.example.ru/"a",b\\c/{d}?utm_source=vk&utm_campaign=зима"2026",{x}\\y';
    const referrer = 'https://vk.com/wall-1_2?a={"b":[1,2]}&c=NULL&d=\'\'&e=🎄';
    const res = await t.call({
      method: 'POST',
      url: '/t/visit',
      token: null,
      payload: JSON.stringify({ k: project.publicKey, u: landing, r: referrer, l: 'ru-RU', s: '1920x1080' }),
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME_UA },
    });
    expect(res.statusCode).toBe(200);
    await t.deps.services.tracking.flush();
    const visit = await t.deps.database.db
      .selectFrom('visit')
      .select(['landing_url', 'referrer', 'utm_campaign', 'page_views', 'started_at'])
      .where('id', '=', res.json().visit)
      .executeTakeFirstOrThrow();
    expect(visit).toMatchObject({ landing_url: landing, referrer, utm_campaign: 'зима"2026",{x}\\y' });
    expect(Number(visit.page_views)).toBe(1);
    expect(Number(visit.started_at)).toBe(t.clock.now());
  });

  it('refuses a NUL character, which PostgreSQL text cannot hold, with a 400', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/t/visit',
      token: null,
      payload: JSON.stringify({ k: project.publicKey, u: 'https://okna.example.ru/?q=a\u0000b' }),
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME_UA },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
  });
});

// Claims and holds leave a dead version of a number's row each on PostgreSQL; the tracker vacuums the small table
// itself once enough have piled up (number-vacuum.ts), since autovacuum comes by at most once a minute.
describe.each(testDatabases().filter((d) => d.name !== 'sqlite'))('number vacuum on $name', (database) => {
  let t: TestApp;
  let project: { id: string };
  beforeAll(async () => {
    t = await createTestApp(await database.open(), { TRACKER_STATE: 'shared' });
    project = await createProject(t);
    for (let i = 0; i < 3; i++) await createNumber(t, project.id);
  });
  afterAll(() => t.close());

  it('vacuums tracking_number once enough row versions were written, at most once per interval', async () => {
    const { db } = t.deps.database;
    const log = createLogger({ logLevel: 'silent', logFile: undefined });
    const vacuum = new NumberVacuum(db, log, { afterWrites: 100, minIntervalMs: 1_000 });
    for (let i = 0; i < 50; i++)
      await db
        .updateTable('tracking_number')
        .set({ released_at: i })
        .where('project_id', '=', project.id)
        .execute();
    vacuum.noteWrites(99, 10_000);
    expect(vacuum.runs).toBe(0);
    vacuum.noteWrites(1, 10_000);
    await vacuum.settled();
    expect(vacuum).toMatchObject({ runs: 1, failed: false });
    // Due again by count, but not before the interval has passed.
    vacuum.noteWrites(100, 10_500);
    await vacuum.settled();
    expect(vacuum.runs).toBe(1);
    vacuum.noteWrites(0, 11_000);
    await vacuum.settled();
    expect(vacuum).toMatchObject({ runs: 2, failed: false });
    if (database.name === 'postgres') {
      // The server's own statistics say the table was vacuumed and analysed (they are published within a second
      // or so): the claim's plan depends on how many numbers are free, which changes all the time.
      const counts = async () =>
        (
          await sql<{ vacuums: string; analyses: string }>`select vacuum_count as vacuums,
              analyze_count as analyses from pg_stat_user_tables
            where relname = 'tracking_number' and schemaname = current_schema()`.execute(db)
        ).rows[0];
      for (let i = 0; i < 50 && Number((await counts())?.analyses) < 2; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(await counts()).toEqual({ vacuums: 2, analyses: 2 });
    }
  });
});

/** A dynamic lease of a pool number for the hold time, as the tracker writes it. */
function leaseRow(
  projectId: string,
  poolId: string,
  numberId: string,
  visitId: string,
  visitorId: string,
  at: number,
): LeaseTable {
  return {
    id: newId(),
    project_id: projectId,
    pool_id: poolId,
    tracking_number_id: numberId,
    visit_id: visitId,
    visitor_id: visitorId,
    started_at: at,
    last_seen_at: at,
    expires_at: at + HOLD_MS,
    shared: 0,
    kind: 'dynamic',
  };
}
