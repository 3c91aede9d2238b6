import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaseTable } from '../../src/db/database.js';
import { newId } from '../../src/ids.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createKey, createNumber, createProject, visitFromGoogleAd } from '../helpers/factories.js';

const MIN = 60_000;

describe.each(testDatabases())('pool usage on $name', (database) => {
  let t: TestApp;
  let project: { id: string; publicKey: string };
  let pool: { id: string; numberIds: string[] };
  let other: { id: string; numberIds: string[] };
  let numbers: { id: string; number: string }[];

  const usage = (token?: string) =>
    t.call({ method: 'GET', url: `/api/v1/projects/${project.id}/pools/usage`, ...(token ? { token } : {}) });
  const insertLease = (numberId: string, o: Partial<LeaseTable>) =>
    t.deps.database.db
      .insertInto('lease')
      .values({
        id: newId(),
        project_id: project.id,
        pool_id: pool.id,
        tracking_number_id: numberId,
        visit_id: newId(),
        visitor_id: newId(),
        started_at: t.clock.now() - 10 * MIN,
        last_seen_at: t.clock.now(),
        expires_at: t.clock.now() + 15 * MIN,
        shared: 0,
        kind: 'dynamic',
        ...o,
      })
      .execute();

  beforeAll(async () => {
    t = await createTestApp(await database.open());
    project = await createProject(t, { siteNumbers: ['+74951234567'] });
    numbers = [];
    for (let i = 0; i < 4; i++) numbers.push(await createNumber(t, project.id));
    const [n1, n2, n3, n4] = numbers.map((n) => n.id) as [string, string, string, string];
    pool = (
      await t.call({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/pools`,
        payload: {
          name: 'Google',
          numberIds: [n1, n2, n3],
          priority: 0,
          match: { all: [{ field: 'utm_source', op: 'equals', value: 'google' }] },
        },
      })
    ).json();
    other = (
      await t.call({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/pools`,
        payload: { name: 'Site', numberIds: [n4] },
      })
    ).json();
  });
  afterAll(() => t.close());

  it('shows every number free in a quiet project', async () => {
    const res = await usage();
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ at: t.clock.now(), pageOpenSeconds: 60, peakWindowHours: 24 });
    expect(body.pools).toEqual([
      expect.objectContaining({ poolId: pool.id, size: 3, free: 3, leased: 0, held: 0, peakBusy: 0 }),
      expect.objectContaining({ poolId: other.id, size: 1, free: 1, peakBusy: 0, exhaustedCount: 0 }),
    ]);
    expect(body.numbers).toHaveLength(4);
    expect(body.numbers.every((n: { state: string }) => n.state === 'free')).toBe(true);
  });

  it('tells leased (page open) from held (page closed, hold running) from expired, by the lease rows', async () => {
    const [n1, n2, n3] = numbers.map((n) => n.id) as [string, string, string];
    const now = t.clock.now();
    await insertLease(n1, { last_seen_at: now - 30_000 });
    await insertLease(n2, { last_seen_at: now - 5 * MIN, expires_at: now + 10 * MIN });
    // Ended a moment ago: free, whatever the number's released_at says.
    await insertLease(n3, { started_at: now - 40 * MIN, last_seen_at: now - 16 * MIN, expires_at: now - 1 });
    await t.deps.database.db
      .updateTable('tracking_number')
      .set({ released_at: now + 60 * MIN })
      .where('id', '=', n3)
      .execute();
    const body = (await usage()).json();
    const state = Object.fromEntries(
      body.numbers.map((n: { numberId: string; state: string }) => [n.numberId, n.state]),
    );
    expect(state).toEqual({ [n1]: 'leased', [n2]: 'held', [n3]: 'free', [numbers[3]?.id ?? '']: 'free' });
    expect(body.pools[0]).toMatchObject({ size: 3, leased: 1, held: 1, free: 1, peakBusy: 3 });
    expect(body.numbers.find((n: { numberId: string }) => n.numberId === n2)).toMatchObject({
      liveLeases: 1,
      lastSeenAt: now - 5 * MIN,
      expiresAt: now + 10 * MIN,
    });

    // Two minutes on, the open page has gone quiet: held; the peak of the day is remembered.
    t.clock.advance(2 * MIN);
    const later = (await usage()).json();
    expect(later.pools[0]).toMatchObject({ leased: 0, held: 2, free: 1, peakBusy: 3 });
  });

  it('sees a lease that the site script takes through /t/visit at once', async () => {
    t.clock.advance(2 * 60 * MIN); // every lease above has ended
    const res = await visitFromGoogleAd(t, project.publicKey);
    expect(res.statusCode, res.body).toBe(200);
    const shown = `+${res.json().swap[0].to}`;
    const number = numbers.find((n) => n.number === shown);
    expect(number).toBeDefined();
    const body = (await usage()).json();
    expect(body.numbers.find((n: { numberId: string }) => n.numberId === number?.id)).toMatchObject({
      state: 'leased',
      liveLeases: 1,
    });
    const rows = await t.deps.database.db
      .selectFrom('lease')
      .select('id')
      .where('tracking_number_id', '=', number?.id ?? '')
      .where('expires_at', '>', t.clock.now())
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('is readable by an analyst key of the project and invisible to other projects', async () => {
    const analyst = await createKey(t, { role: 'analyst', projectIds: [project.id] });
    expect((await usage(analyst)).statusCode).toBe(200);
    const elsewhere = await createProject(t);
    const stranger = await createKey(t, { role: 'admin', projectIds: [elsewhere.id] });
    const res = await usage(stranger);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});
