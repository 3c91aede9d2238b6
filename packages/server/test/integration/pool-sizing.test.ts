import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createKey, createNumber, createProject, visitFromGoogleAd } from '../helpers/factories.js';
import { insertVisit } from './analytics-helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe.each(testDatabases())('pool sizing on $name', (database) => {
  let t: TestApp;
  let project: { id: string; publicKey: string };
  let yandex: { id: string; numberIds: string[] };
  let google: { id: string; numberIds: string[] };
  let from: number;

  const base = () => `/api/v1/projects/${project.id}/pools`;
  const calculate = (query: Record<string, string | number>, token?: string) =>
    t.call({
      method: 'GET',
      url: `${base()}/sizing`,
      query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
      ...(token ? { token } : {}),
    });
  const observed = (poolId: string, query = '', token?: string) =>
    t.call({ method: 'GET', url: `${base()}/${poolId}/sizing${query}`, ...(token ? { token } : {}) });
  const createPool = async (name: string, source: string, count: number) => {
    const numberIds: string[] = [];
    for (let i = 0; i < count; i++) numberIds.push((await createNumber(t, project.id)).id);
    const res = await t.call({
      method: 'POST',
      url: base(),
      payload: { name, numberIds, match: { all: [{ field: 'utm_source', op: 'equals', value: source }] } },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; numberIds: string[] };
  };

  beforeAll(async () => {
    t = await createTestApp(await database.open());
    project = await createProject(t, { timezone: 'Europe/Moscow', siteNumbers: ['+74951234567'] });
    from = t.clock.now();
    yandex = await createPool('Yandex', 'yandex', 3);
    google = await createPool('Google', 'google', 2);
    t.clock.advance(14 * DAY);
    const db = t.deps.database.db;
    // 14 days of the Yandex pool: 10 visits at 10:xx UTC (13:xx in Moscow) and 5 at 14:xx, two minutes each.
    for (let d = 0; d < 14; d++) {
      for (let i = 0; i < 15; i++) {
        const at = from + d * DAY + (i < 10 ? HOUR : 5 * HOUR) + 10 * MIN + i * MIN;
        await insertVisit(db, project.id, { started_at: at, last_seen_at: at + 2 * MIN, pool_id: yandex.id });
      }
    }
    // Not counted: before the window, another pool's, another project's.
    await insertVisit(db, project.id, { started_at: from - HOUR, last_seen_at: from, pool_id: yandex.id });
    await insertVisit(db, project.id, {
      started_at: from + HOUR,
      last_seen_at: from + HOUR,
      pool_id: google.id,
    });
    const elsewhere = await createProject(t);
    await insertVisit(db, elsewhere.id, {
      started_at: from + HOUR,
      last_seen_at: from + HOUR,
      pool_id: yandex.id,
    });
    await db
      .updateTable('pool')
      .set({ exhausted_count: 4, last_exhausted_at: t.clock.now() - HOUR })
      .where('id', '=', yandex.id)
      .execute();
    // Two of the pool's numbers busy together an hour ago.
    const now = t.clock.now();
    for (const numberId of yandex.numberIds.slice(0, 2)) {
      await db
        .insertInto('lease')
        .values({
          id: newId(),
          project_id: project.id,
          pool_id: yandex.id,
          tracking_number_id: numberId,
          visit_id: newId(),
          visitor_id: newId(),
          started_at: now - 2 * HOUR,
          last_seen_at: now - 90 * MIN,
          expires_at: now - 75 * MIN,
          shared: 0,
          kind: 'dynamic',
        })
        .execute();
    }
  });
  afterAll(() => t.close());

  describe('the calculator', () => {
    it("answers the product's example: 1,000 visitors a day need 47 numbers at 95%, the rule says 50", async () => {
      const res = await calculate({
        dailyVisitors: 1000,
        visitSeconds: 180,
        holdSeconds: 900,
        currentSize: 50,
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        accuracy: 0.95,
        numbersNeeded: 47,
        busiestHourShare: 0.12,
        peakHourVisitors: 120,
        busySecondsPerVisitor: 1080,
        expectedBusy: 36,
        ruleOfTwenty: 50,
        currentSize: 50,
      });
      expect(body.exhaustionProbability).toBeGreaterThan(0.015);
      expect(body.exhaustionProbability).toBeLessThan(0.016);
      expect(body.levels).toContainEqual({ accuracy: 0.99, numbersNeeded: 52 });
    });

    it('needs fewer numbers with a short hold, and takes the accuracy and busiest-hour share asked for', async () => {
      const short = await calculate({ dailyVisitors: 1000, visitSeconds: 120, holdSeconds: 300 });
      expect(short.json()).toMatchObject({
        numbersNeeded: 21,
        ruleOfTwenty: 50,
        exhaustionProbability: null,
      });
      const strict = await calculate({
        dailyVisitors: 1000,
        visitSeconds: 180,
        holdSeconds: 900,
        accuracy: 0.99,
        busiestHourShare: 0.1,
      });
      expect(strict.json()).toMatchObject({ accuracy: 0.99, numbersNeeded: 44, expectedBusy: 30 });
    });

    it('refuses bad input with 400 validation_failed and says what is wrong', async () => {
      const cases: [Record<string, string | number>, RegExp][] = [
        [{ dailyVisitors: 0, visitSeconds: 60, holdSeconds: 900 }, /dailyVisitors/],
        [{ dailyVisitors: 'many', visitSeconds: 60, holdSeconds: 900 }, /dailyVisitors/],
        [{ dailyVisitors: 100, holdSeconds: 900 }, /visitSeconds/],
        [{ dailyVisitors: 100, visitSeconds: 60, holdSeconds: 900, accuracy: 1 }, /accuracy/],
        [
          { dailyVisitors: 100, visitSeconds: 60, holdSeconds: 900, busiestHourShare: 0.01 },
          /busiestHourShare/,
        ],
        [{ dailyVisitors: 100, visitSeconds: 60, holdSeconds: 5 }, /holdSeconds/],
        [{ dailyVisitors: 100, visitSeconds: 60, holdSeconds: 900, currentSize: 2.5 }, /currentSize/],
        [{ dailyVisitors: 100, visitSeconds: 60, holdSeconds: 900, poolSize: 3 }, /additional/],
        // Each value is allowed; together they would keep millions of numbers busy.
        [
          { dailyVisitors: 10_000_000, busiestHourShare: 1, visitSeconds: 3600, holdSeconds: 3600 },
          /busy at once/,
        ],
      ];
      for (const [query, message] of cases) {
        const res = await calculate(query);
        expect({ query, status: res.statusCode }).toEqual({ query, status: 400 });
        expect(res.json().error.code).toBe('validation_failed');
        expect(res.json().error.message).toMatch(message);
      }
    });

    it('is a read: an analyst key may use it, another project may not', async () => {
      const analyst = await createKey(t, { role: 'analyst', projectIds: [project.id] });
      const query = { dailyVisitors: 200, visitSeconds: 60, holdSeconds: 600 };
      expect((await calculate(query, analyst)).statusCode).toBe(200);
      const stranger = await createKey(t, { role: 'admin', projectIds: [(await createProject(t)).id] });
      const res = await calculate(query, stranger);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    });
  });

  it('is described in the OpenAPI document, with its query parameters', async () => {
    const doc = (await t.call({ method: 'GET', url: '/api/docs/json', token: null })).json();
    const calculator = doc.paths['/api/v1/projects/{projectId}/pools/sizing']?.get;
    const names = (op: { parameters: { name: string }[] }) => op.parameters.map((p) => p.name);
    expect(names(calculator)).toEqual(
      expect.arrayContaining([
        'dailyVisitors',
        'busiestHourShare',
        'visitSeconds',
        'holdSeconds',
        'accuracy',
      ]),
    );
    const own = doc.paths['/api/v1/projects/{projectId}/pools/{id}/sizing']?.get;
    expect(names(own)).toEqual(expect.arrayContaining(['days', 'accuracy']));
  });

  describe("a pool's observed traffic", () => {
    it('recommends from the visits of the last 14 days, the busiest local hour and the mean visit length', async () => {
      const res = await observed(yandex.id);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        poolId: yandex.id,
        basis: 'observed',
        accuracy: 0.95,
        timeZone: 'Europe/Moscow',
        observed: {
          from,
          to: t.clock.now(),
          days: 14,
          visits: 210,
          dailyVisitors: 15,
          busiestHour: 13,
          busiestHourShare: 2 / 3,
          meanVisitSeconds: 120,
          size: 3,
          holdSeconds: 900,
          exhaustedCount: 4,
          lastExhaustedAt: t.clock.now() - HOUR,
          peakBusy: 2,
          peakAt: t.clock.now() - 2 * HOUR,
          peakWindowHours: 24,
        },
        ruleOfTwenty: 1,
      });
      // 10 visitors an hour at the peak, each holding a number 2 + 15 minutes: 2.83 busy on average, so the
      // pool of 3 is full for about half the visitors there; 7 numbers keep that under 1 in 20.
      expect(body.recommendation).toMatchObject({ expectedBusy: 2.83, numbersNeeded: 7, currentSize: 3 });
      expect(body.recommendation.exhaustionProbability).toBeCloseTo(0.5385, 4);
      // The same answer as the calculator given what was seen.
      const same = await calculate({
        dailyVisitors: 15,
        busiestHourShare: 2 / 3,
        visitSeconds: 120,
        holdSeconds: 900,
        currentSize: 3,
      });
      expect(body.recommendation).toEqual(same.json());
      const strict = (await observed(yandex.id, '?days=14&accuracy=0.99')).json();
      expect(strict.recommendation.numbersNeeded).toBeGreaterThan(7);
      expect(strict.accuracy).toBe(0.99);
    });

    it('says when there is too little data, giving only the rule of 20, and counts visits the tracker made', async () => {
      const res = await visitFromGoogleAd(t, project.publicKey);
      expect(res.statusCode, res.body).toBe(200);
      const body = (await observed(google.id, '?days=7')).json();
      expect(body).toMatchObject({
        poolId: google.id,
        basis: 'too_little_data',
        observed: { days: 7, visits: 1, size: 2, exhaustedCount: 0, peakBusy: 1 },
        ruleOfTwenty: 1,
        recommendation: null,
      });
      const stored = await t.deps.database.db
        .selectFrom('visit')
        .select('pool_id')
        .where('project_id', '=', project.id)
        .where('started_at', '=', t.clock.now())
        .execute();
      expect(stored).toEqual([{ pool_id: google.id }]);
    });

    it('reads only the days since the pool was made', async () => {
      const young = await createPool('Young', 'vk', 1);
      t.clock.advance(2 * DAY);
      const body = (await observed(young.id)).json();
      expect(body.observed).toMatchObject({ days: 2, visits: 0, busiestHour: null, meanVisitSeconds: null });
      expect(body).toMatchObject({ basis: 'too_little_data', ruleOfTwenty: 0, recommendation: null });
    });

    it('refuses bad days and accuracy, and an unknown or foreign pool is not found', async () => {
      for (const query of ['?days=0', '?days=91', '?accuracy=0', '?accuracy=1.5', '?days=x']) {
        const res = await observed(yandex.id, query);
        expect({ query, status: res.statusCode }).toEqual({ query, status: 400 });
        expect(res.json().error.code).toBe('validation_failed');
      }
      const missing = await observed(newId());
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('not_found');
      // Another project's pool, asked for under this project's URL.
      const other = await createProject(t);
      const otherNumber = await createNumber(t, other.id);
      const foreign = (
        await t.call({
          method: 'POST',
          url: `/api/v1/projects/${other.id}/pools`,
          payload: { name: 'Theirs', numberIds: [otherNumber.id] },
        })
      ).json();
      const res = await observed(foreign.id);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
      // And this project's pool, for a key of another project.
      const stranger = await createKey(t, { role: 'admin', projectIds: [other.id] });
      expect((await observed(yandex.id, '', stranger)).statusCode).toBe(404);
    });
  });
});
