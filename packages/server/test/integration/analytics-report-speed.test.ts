import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisitTable } from '../../src/db/database.js';
import * as reportSpeed from '../../src/db/migrations/2026_11_24_1700_report_speed.js';
import * as reportSpeedKeys from '../../src/db/migrations/2026_11_24_1700_report_speed_keys.js';
import { newId } from '../../src/ids.js';
import { GROUPINGS } from '../../src/modules/analytics/report.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createNumber, createProject } from '../helpers/factories.js';
import { insertCall, insertVisit, march, paidVisit } from './analytics-helpers.js';

// The report's fast paths: credited visits stored on calls and deals, and per-day visit rollups. Each must give
// exactly the figures of the plain computation.

/** A deterministic pseudo-random sequence, so every database gets the same data. */
function sequence(seed: number) {
  let a = seed;
  return () => {
    a = (a * 1_103_515_245 + 12_345) % 2_147_483_648;
    return a / 2_147_483_648;
  };
}

describe.each(testDatabases())('report fast paths on $name', (database) => {
  let t: TestApp;
  const db = () => t.deps.database.db;

  beforeAll(async () => {
    t = await createTestApp(await database.open());
  });
  afterAll(() => t.close());

  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const res = await t.call({ method, url, ...(payload && { payload }) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };
  const creditsOf = (table: 'call' | 'deal', id: string) =>
    db()
      .selectFrom(table)
      .select(['visit_id', 'credit_of', 'credit_last_id', 'credit_first_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  /** A visitor who came from Yandex Direct, then from Google, then typed the address in. */
  async function returningVisitor(projectId: string) {
    const visitor = `visitor-${newId()}`;
    const yandex = await insertVisit(
      db(),
      projectId,
      paidVisit('yandex_direct', { visitor_id: visitor, started_at: march(2) }),
    );
    const google = await insertVisit(
      db(),
      projectId,
      paidVisit('google_ads', { visitor_id: visitor, started_at: march(4) }),
    );
    const direct = await insertVisit(db(), projectId, { visitor_id: visitor, started_at: march(5) });
    return { visitor, yandex, google, direct };
  }

  it('stores the credited visits when a call is recorded', async () => {
    const project = await createProject(t, { country: 'RU' });
    const { visitor, yandex, google, direct } = await returningVisitor(project.id);
    const number = await createNumber(t, project.id);
    const pool = await api('POST', `/api/v1/projects/${project.id}/pools`, {
      name: 'Site',
      numberIds: [number.id],
    });
    const at = march(5, 13);
    await db()
      .insertInto('lease')
      .values({
        id: newId(),
        project_id: project.id,
        pool_id: pool.id,
        tracking_number_id: number.id,
        visit_id: direct.id,
        visitor_id: visitor,
        started_at: at - 60_000,
        last_seen_at: at - 10_000,
        expires_at: at + 900_000,
        shared: 0,
        kind: 'dynamic',
      })
      .execute();

    const started = await t.deps.services.calls.start({
      provider: 'test',
      providerCallId: `write-time-${newId()}`,
      caller: '+79161112233',
      called: number.number,
      startedAt: at,
    });
    expect(started.kind).toBe('ok');
    if (started.kind !== 'ok') return;
    expect(await creditsOf('call', started.call.id)).toEqual({
      visit_id: direct.id,
      credit_of: direct.id,
      credit_last_id: google.id,
      credit_first_id: yandex.id,
    });
  });

  it('stores the credited visits when a deal is linked', async () => {
    const project = await createProject(t, { country: 'RU' });
    const { visitor, yandex, google, direct } = await returningVisitor(project.id);
    const deal = await api('POST', `/api/v1/projects/${project.id}/deals`, {
      externalId: 'by-visitor',
      status: 'won',
      revenue: 500,
      visitorId: visitor,
      createdAt: march(6),
    });
    expect(await creditsOf('deal', deal.id)).toEqual({
      visit_id: direct.id,
      credit_of: direct.id,
      credit_last_id: google.id,
      credit_first_id: yandex.id,
    });
  });

  it('backfills in the migration exactly what the crediting step stores', async () => {
    const project = await createProject(t, { country: 'RU' });
    const next = sequence(7);
    const calls: string[] = [];
    for (let i = 0; i < 40; i++) {
      const visitor = `mig-${i % 9}`;
      const channel = next() < 0.5 ? 'direct' : 'paid';
      const visit = await insertVisit(db(), project.id, {
        visitor_id: visitor,
        started_at: march(1 + (i % 28), 9 + (i % 10)),
        ...(channel === 'paid' ? paidVisit(next() < 0.5 ? 'yandex_direct' : 'google_ads') : {}),
      });
      if (next() < 0.6) {
        const call = await insertCall(db(), project.id, {
          visit_id: visit.id,
          started_at: visit.started_at + 60_000,
        });
        calls.push(call.id);
      }
    }
    // A call whose visit no longer exists.
    calls.push((await insertCall(db(), project.id, { visit_id: newId() })).id);
    await t.deps.services.reports.run({ ...project, timezone: 'Europe/Moscow' }, { groupBy: 'channel' });
    const stored = await Promise.all(calls.map((id) => creditsOf('call', id)));
    expect(stored.every((c) => c.credit_of === c.visit_id)).toBe(true);

    const keys = () =>
      db()
        .selectFrom('credited_visit')
        .selectAll()
        .where('project_id', '=', project.id)
        .orderBy('id')
        .execute();
    const copied = await keys();
    expect(copied.map((k) => k.id)).toEqual(
      [
        ...new Set(stored.flatMap((c) => [c.credit_last_id, c.credit_first_id]).filter((id) => id !== null)),
      ].sort(),
    );

    await reportSpeedKeys.down(db());
    await reportSpeed.down(db());
    await reportSpeed.up(db());
    await reportSpeedKeys.up(db());
    expect(await Promise.all(calls.map((id) => creditsOf('call', id)))).toEqual(stored);
    expect(await keys()).toEqual(copied);
  });

  describe('visit rollup', () => {
    let projectId: string;
    const run = async (groupBy: string, model?: string, from = '2026-03-01', to = '2026-03-31') => {
      const query = `groupBy=${groupBy}&from=${from}&to=${to}${model ? `&model=${model}` : ''}`;
      const res = await t.call({ method: 'GET', url: `/api/v1/projects/${projectId}/reports?${query}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const everyReport = async () => {
      const out: Record<string, unknown> = {};
      for (const g of GROUPINGS) out[g] = await run(g);
      out.firstClickKeyword = await run('keyword', 'first_click');
      // Part of February, all of March, part of April: whole months and days around them.
      out.wideChannel = await run('channel', undefined, '2026-02-20', '2026-04-05');
      out.wideKeyword = await run('keyword', undefined, '2026-02-20', '2026-04-05');
      out.wideWeek = await run('week', undefined, '2026-02-20', '2026-04-05');
      return out;
    };
    /** All days open: the visit table only. */
    const raw = async () => {
      t.clock.set(Date.UTC(2026, 1, 1));
      return everyReport();
    };
    /** Built days (or months, `m:…`) of a grouping's rollup, or of all. */
    const rolledDays = async (dims?: string) => {
      let query = db()
        .selectFrom('visit_rollup_day')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('project_id', '=', projectId);
      if (dims !== undefined) query = query.where('dims', '=', dims);
      return Number((await query.executeTakeFirstOrThrow()).n);
    };

    beforeAll(async () => {
      projectId = (await createProject(t, { country: 'RU' })).id;
      const board = await createNumber(t, projectId);
      const channel = await api('POST', `/api/v1/projects/${projectId}/static-channels`, {
        name: 'Billboard',
        kind: 'offline',
        offlineMedium: 'billboard',
        source: 'billboard',
        numberId: board.id,
      });
      const next = sequence(11);
      const pages = ['', 'price/', 'contacts/?a=1'];
      // Visits from Feb 27 to Apr 2, some near Moscow midnight (21:00 UTC), from returning visitors too.
      for (let i = 0; i < 160; i++) {
        const r = next();
        const network = next() < 0.5 ? 'yandex_direct' : 'google_ads';
        const fields: Partial<VisitTable> = {
          visitor_id: `rv-${Math.floor(next() * 60)}`,
          started_at: Date.UTC(2026, 1, 27) + Math.floor(next() * 35 * 86_400_000),
          landing_url: `https://okna.example.ru/${pages[i % 3]}`,
          device_type: next() < 0.6 ? 'desktop' : 'mobile',
          ...(r < 0.5
            ? paidVisit(network, {
                campaign: `c${i % 3}`,
                ad_group: `g${i % 4}`,
                ad: `ad${i % 5}`,
                keyword: `kw${i % 6}`,
              })
            : r < 0.75
              ? { channel: 'organic', source: 'yandex', medium: 'organic' }
              : {}),
        };
        const visit = await insertVisit(db(), projectId, fields);
        if (next() < 0.3)
          await insertCall(db(), projectId, {
            visit_id: visit.id,
            channel: visit.channel,
            source: visit.source,
            medium: visit.medium,
            confidence: 80,
            started_at: visit.started_at + 120_000,
          });
      }
      for (let i = 0; i < 5; i++)
        await insertCall(db(), projectId, {
          static_channel_id: channel.id,
          channel: 'offline',
          source: 'billboard',
          medium: 'offline',
          started_at: march(3 + i * 5),
        });
    });

    it('gives the raw figures over a range of rolled-up and open days, and over rolled-up days only', async () => {
      const expected = await raw();
      expect(await rolledDays()).toBe(0);

      // Noon on March 20 in Moscow: March 1–19 are closed and rolled up, March 20–31 are counted raw.
      t.clock.set(march(20));
      expect(await everyReport()).toEqual(expected);
      // Each grouping has its own rollup ('' serves periods and static channels): here February 20 to March 19.
      expect(await rolledDays('device')).toBe(19);
      expect(await rolledDays('channel')).toBe(9 + 19);
      expect(await rolledDays(`m:channel`)).toBe(0);

      t.clock.set(Date.UTC(2026, 3, 10));
      expect(await everyReport()).toEqual(expected);
      expect(await rolledDays('device')).toBe(31);
      expect(await rolledDays('channel')).toBe(9 + 31 + 5);
      expect(await rolledDays('m:channel')).toBe(1);
      expect(await rolledDays('m:ad_network,campaign,keyword')).toBe(1);
      expect(await rolledDays('m:')).toBe(1); // static channels
      expect(await rolledDays('')).toBe(9 + 31 + 5); // periods, by day
    });

    it('counts each day once when reports build the same days at the same time', async () => {
      const expected = await raw();
      await db().deleteFrom('visit_rollup_day').where('project_id', '=', projectId).execute();
      await db().deleteFrom('visit_rollup').where('project_id', '=', projectId).execute();
      t.clock.set(Date.UTC(2026, 3, 10));
      const [a, b, c] = await Promise.all([run('keyword'), run('keyword'), run('channel')]);
      expect(a).toEqual(expected.keyword);
      expect(b).toEqual(expected.keyword);
      expect(c).toEqual(expected.channel);
      expect(await everyReport()).toEqual(expected);
    });

    it('pre-builds every grouping in the background, so that reports then build nothing', async () => {
      const expected = await raw();
      await db().deleteFrom('visit_rollup_day').where('project_id', '=', projectId).execute();
      await db().deleteFrom('visit_rollup').where('project_id', '=', projectId).execute();
      t.clock.set(Date.UTC(2026, 3, 10));
      const failed: string[] = [];
      expect(await t.deps.services.reports.refreshRollups((id) => failed.push(id))).toBeGreaterThan(0);
      expect(failed).toEqual([]);
      // From the first visit (February 27, Moscow) to the last closed day (April 9), for all 10 key sets, and March.
      const days = 2 + 31 + 9;
      expect(await rolledDays('ad_network,campaign,keyword')).toBe(days);
      expect(await rolledDays('m:ad_network,campaign,keyword')).toBe(1);
      expect(await rolledDays()).toBe(10 * (days + 1));
      for (const g of GROUPINGS) expect(await run(g)).toEqual(expected[g]);
      expect(await run('keyword', 'first_click')).toEqual(expected.firstClickKeyword);
      expect(await rolledDays()).toBe(10 * (days + 1));
    });

    it('drops a rolled-up day that gets a late visit', async () => {
      t.clock.set(Date.UTC(2026, 3, 10));
      await everyReport();
      const before = await rolledDays();
      await insertVisit(
        db(),
        projectId,
        paidVisit('google_ads', { campaign: 'c1', keyword: 'kw-late', started_at: march(5) }),
      );
      const rolled = await everyReport();
      expect(await rolledDays()).toBe(before); // March 5 was dropped, then built again
      const expected = await raw();
      expect(rolled).toEqual(expected);
      expect((expected.keyword as { rows: { label: string }[] }).rows.map((r) => r.label)).toContain(
        'google_ads / c1 / kw-late',
      );
    });

    it('starts over when the project changes time zone', async () => {
      t.clock.set(Date.UTC(2026, 3, 10));
      await everyReport();
      await api('PATCH', `/api/v1/projects/${projectId}`, { timezone: 'Asia/Yekaterinburg' });
      const rolled = await everyReport();
      expect(rolled).toEqual(await raw());
      const state = await db()
        .selectFrom('visit_rollup_state')
        .select('timezone')
        .where('project_id', '=', projectId)
        .executeTakeFirstOrThrow();
      expect(state.timezone).toBe('Asia/Yekaterinburg');
    });
  });
});
