import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createKey, createNumber, createProject } from '../helpers/factories.js';
import { insertCall, insertVisit, march, paidVisit } from './analytics-helpers.js';

type Row = { kind: string; label: string; key: Record<string, string | null> } & Record<
  string,
  number | null
>;
type Report = { model: string; currency: string; rows: Row[]; totals: Record<string, number | null> };

describe.each(testDatabases())('end-to-end report on $name', (database) => {
  let t: TestApp;
  const db = () => t.deps.database.db;

  beforeAll(async () => {
    t = await createTestApp(await database.open());
  });
  afterAll(() => t.close());

  const report = async (projectId: string, query: string, token?: string) => {
    const res = await t.call({ method: 'GET', url: `/api/v1/projects/${projectId}/reports?${query}`, token });
    return res;
  };
  const post = async (projectId: string, path: string, payload: unknown, expected = 200) => {
    const res = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${projectId}${path}`,
      payload: payload as object,
    });
    expect(res.statusCode, res.body).toBe(expected);
    return res.json();
  };
  const staticChannel = async (projectId: string, name: string, offlineMedium: string, source: string) => {
    const n = await createNumber(t, projectId);
    return post(
      projectId,
      '/static-channels',
      { name, kind: 'offline', offlineMedium, source, numberId: n.id },
      201,
    ) as Promise<{ id: string }>;
  };

  it('500 callers and 200 sales by phone give a 40% call conversion rate', async () => {
    const project = await createProject(t, { country: 'RU' });
    for (let i = 0; i < 500; i++) {
      const visit = await insertVisit(db(), project.id, paidVisit('yandex_direct', { started_at: march(3) }));
      const call = await insertCall(db(), project.id, {
        visit_id: visit.id,
        channel: 'paid',
        source: 'yandex',
        medium: 'cpc',
        confidence: 100,
        started_at: march(3, 13),
      });
      if (i < 200)
        await post(project.id, '/deals', {
          externalId: `d${i}`,
          status: 'won',
          revenue: 1000,
          callId: call.id,
          createdAt: march(4),
        });
    }
    const res = await report(project.id, 'groupBy=channel&from=2026-03-01&to=2026-03-31');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as Report;
    expect(body.model).toBe('last_non_direct_click');
    expect(body.totals).toMatchObject({
      calls: 500,
      uniqueCallers: 500,
      wonDeals: 200,
      wonDealsFromCalls: 200,
      callConversionRate: 40,
      revenue: 200_000,
      avgConfidence: 100,
    });
    expect(body.rows).toHaveLength(1);
    expect(body.rows[0]).toMatchObject({ label: 'paid', callConversionRate: 40 });
  });

  describe('a month shaped like the Roistat example', () => {
    let project: { id: string };
    let body: Report;
    const byNetwork = (network: string) => body.rows.find((r) => r.key.ad_network === network) as Row;

    beforeAll(async () => {
      project = await createProject(t, { country: 'RU' });
      const billboard = await staticChannel(project.id, 'Билборд на МКАД', 'billboard', 'billboard');
      const carAds = await staticChannel(project.id, 'Реклама на авто', 'car_wrap', 'car_ads');
      const p = project.id;

      // Billboard: 20 calls, 5 sales of 16 000 → 80 000 revenue on 50 000 spend.
      for (let i = 0; i < 20; i++) {
        const call = await insertCall(db(), p, {
          static_channel_id: billboard.id,
          channel: 'offline',
          source: 'billboard',
          medium: 'offline',
          confidence: 100,
          started_at: march(2 + i),
        });
        if (i < 5)
          await post(p, '/deals', {
            externalId: `bb${i}`,
            status: 'won',
            revenue: '16 000',
            callId: call.id,
            createdAt: march(2 + i, 15),
          });
      }
      // Car ads: 8 calls, 1 sale of 16 000 on 30 000 spend → a loss of 14 000.
      for (let i = 0; i < 8; i++) {
        const call = await insertCall(db(), p, {
          static_channel_id: carAds.id,
          channel: 'offline',
          source: 'car_ads',
          medium: 'offline',
          confidence: 100,
          started_at: march(3 + i),
        });
        if (i === 0)
          await post(p, '/deals', {
            externalId: 'car0',
            status: 'won',
            revenue: 16000,
            callId: call.id,
            createdAt: march(4),
          });
        else if (i < 3)
          await post(p, '/deals', {
            externalId: `car${i}`,
            status: 'lost',
            callId: call.id,
            createdAt: march(5),
          });
      }
      // Yandex Direct: 400 visits; 30 of them call and 13 buy for 17 000; 4 web-form sales of 15 000 (by Metrica
      // ClientID). Without calls: 60 000 − 100 000 = −40 000. With them: 281 000 − 100 000 = +181 000.
      for (let i = 0; i < 400; i++) {
        const visit = await insertVisit(
          db(),
          p,
          paidVisit('yandex_direct', {
            campaign: 'okna-search',
            keyword: i % 2 ? 'купить окна' : 'окна пвх',
            ym_client_id: `17000000${i}`,
            started_at: march(1 + (i % 28)),
          }),
        );
        if (i < 30) {
          const call = await insertCall(db(), p, {
            visit_id: visit.id,
            channel: 'paid',
            source: 'yandex',
            medium: 'cpc',
            confidence: i % 2 ? 100 : 50,
            started_at: visit.started_at + 60_000,
            status: i % 10 === 9 ? 'no-answer' : 'answered',
            is_target: i % 10 === 9 ? 0 : 1,
          });
          if (i < 13)
            await post(p, '/deals', {
              externalId: `ya${i}`,
              status: 'won',
              revenue: 17000,
              phone: call.caller,
              createdAt: visit.started_at + 3_600_000,
            });
        } else if (i < 34) {
          await post(p, '/deals', {
            externalId: `form${i}`,
            status: 'won',
            revenue: 15000,
            clientId: `17000000${i}`,
            createdAt: visit.started_at + 600_000,
          });
        }
      }
      // Google Ads: 200 visits, 10 calls, 3 sales of 30 000; spend 600 USD at 100 RUB → 60 000.
      for (let i = 0; i < 200; i++) {
        const visit = await insertVisit(
          db(),
          p,
          paidVisit('google_ads', {
            campaign: 'okna-google',
            keyword: 'пластиковые окна',
            started_at: march(1 + (i % 30)),
          }),
        );
        if (i < 10) {
          const call = await insertCall(db(), p, {
            visit_id: visit.id,
            channel: 'paid',
            source: 'google',
            medium: 'cpc',
            confidence: 80,
            started_at: visit.started_at + 120_000,
          });
          if (i < 3)
            await post(p, '/deals', {
              externalId: `g${i}`,
              status: 'won',
              revenue: 30000,
              callId: call.id,
              createdAt: march(20),
            });
        }
      }
      // Direct visits, 3 calls nobody can place, and a sale whose phone matches no call.
      for (let i = 0; i < 100; i++) await insertVisit(db(), p, { started_at: march(1 + (i % 30)) });
      for (let i = 0; i < 3; i++)
        await insertCall(db(), p, { started_at: march(12), is_target: 0, talk_seconds: 10 });
      await post(p, '/deals', {
        externalId: 'walk-in',
        status: 'won',
        revenue: 5000,
        phone: '+79990001122',
        createdAt: march(25),
      });

      const yandexTsv = [
        '"Ringtrace (2026-03-01 - 2026-03-31)"',
        'Date\tCampaignName\tAdGroupName\tCriterion\tImpressions\tClicks\tCost',
        '2026-03-01\tokna-search\tОкна\tкупить окна\t10000\t300\t40000',
        '2026-03-02\tokna-search\tОкна\tокна пвх\t12000\t350\t60000',
        'Total rows: 2',
      ].join('\n');
      const ya = await t.call({
        method: 'POST',
        url: `/api/v1/projects/${p}/spend/import?adNetwork=yandex_direct`,
        payload: yandexTsv,
        headers: { 'content-type': 'text/tab-separated-values' },
      });
      expect(ya.statusCode, ya.body).toBe(200);
      const googleCsv = [
        'Campaign report',
        '"March 1, 2026 - March 31, 2026"',
        'Day,Campaign,Ad group,Keyword,Currency code,Impr.,Clicks,Cost',
        '2026-03-01,okna-google,Окна,пластиковые окна,USD,"1,200",80,300.00',
        '2026-03-15,okna-google,Окна,пластиковые окна,USD,900,60,300.00',
        'Total: Account,,,,USD,"2,100",140,600.00',
      ].join('\n');
      const g = await t.call({
        method: 'POST',
        url: `/api/v1/projects/${p}/spend/import?adNetwork=google_ads`,
        payload: googleCsv,
        headers: { 'content-type': 'text/csv' },
      });
      expect(g.statusCode, g.body).toBe(200);
      expect(g.json()).toMatchObject({ imported: 2, totals: { USD: 600 } });
      await post(p, '/spend', { adNetwork: 'billboard', rows: [{ date: '2026-03-01', cost: 50000 }] });
      await post(p, '/spend', { adNetwork: 'car_ads', rows: [{ date: '2026-03-01', cost: '30 000,00' }] });

      // No USD rate yet: the report refuses rather than guess.
      const refused = await report(p, 'groupBy=ad_network&from=2026-03-01&to=2026-03-31');
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.details).toEqual({ missingRates: ['USD'] });
      const rates = await t.call({
        method: 'PUT',
        url: `/api/v1/projects/${p}/currency-rates`,
        payload: { rates: [{ currency: 'USD', rate: 100 }] },
      });
      expect(rates.statusCode, rates.body).toBe(200);

      const res = await report(p, 'groupBy=ad_network&from=2026-03-01&to=2026-03-31');
      expect(res.statusCode, res.body).toBe(200);
      body = res.json();
    });

    it("shows each channel's profit or loss exactly", () => {
      expect(body.currency).toBe('RUB');
      expect(byNetwork('billboard')).toMatchObject({
        calls: 20,
        wonDeals: 5,
        revenue: 80_000,
        spend: 50_000,
        profit: 30_000,
        romi: 60,
      });
      expect(byNetwork('car_ads')).toMatchObject({
        calls: 8,
        deals: 3,
        wonDeals: 1,
        revenue: 16_000,
        spend: 30_000,
        profit: -14_000,
      });
      expect(byNetwork('google_ads')).toMatchObject({
        visits: 200,
        calls: 10,
        wonDeals: 3,
        revenue: 90_000,
        spend: 60_000,
        profit: 30_000,
        romi: 50,
        avgConfidence: 80,
      });
      expect(byNetwork('yandex_direct')).toMatchObject({
        visits: 400,
        calls: 30,
        uniqueCallers: 30,
        targetCalls: 27,
        missedCalls: 3,
        leads: 27 + 4,
        deals: 17,
        wonDeals: 17,
        wonDealsFromCalls: 13,
        revenue: 281_000,
        revenueFromCalls: 221_000,
        spend: 100_000,
        profit: 181_000,
        romi: 181,
        avgConfidence: 75,
      });
    });

    it('shows Yandex Direct unprofitable without its calls and profitable with them', () => {
      const ya = byNetwork('yandex_direct');
      const withoutCalls = (ya.revenue as number) - (ya.revenueFromCalls as number) - (ya.spend as number);
      expect(withoutCalls).toBe(-40_000);
      expect(ya.profit).toBe(181_000);
      expect(ya.cpl).toBeCloseTo(100_000 / 31, 2);
      expect(ya.costPerTargetCall).toBeCloseTo(100_000 / 27, 2);
    });

    it('has an unattributed row so that the rows add up to the totals', () => {
      const un = body.rows.find((r) => r.kind === 'unattributed') as Row;
      expect(un).toMatchObject({ label: '(unattributed)', calls: 3, wonDeals: 1, revenue: 5000 });
      for (const metric of [
        'visits',
        'calls',
        'targetCalls',
        'missedCalls',
        'deals',
        'wonDeals',
        'revenue',
        'spend',
        'profit',
      ]) {
        const sum = body.rows.reduce((s, r) => s + (r[metric] as number), 0);
        expect(sum, metric).toBe(body.totals[metric]);
      }
      expect(body.totals).toMatchObject({
        visits: 700,
        calls: 71,
        revenue: 472_000,
        spend: 240_000,
        profit: 232_000,
      });
    });

    it('cuts the same month by channel, keyword, static channel and week, and exports CSV', async () => {
      const p = project.id;
      const channel = (await report(p, 'groupBy=channel&from=2026-03-01&to=2026-03-31')).json() as Report;
      expect(channel.rows.find((r) => r.label === 'paid')).toMatchObject({
        spend: 160_000,
        revenue: 371_000,
      });
      expect(channel.rows.find((r) => r.label === 'offline')).toMatchObject({
        spend: 80_000,
        revenue: 96_000,
      });
      expect(channel.rows.find((r) => r.label === 'direct')).toMatchObject({ visits: 100, calls: 0 });

      const kw = (await report(p, 'groupBy=keyword&from=2026-03-01&to=2026-03-31')).json() as Report;
      const buy = kw.rows.find((r) => r.key.keyword === 'купить окна') as Row;
      expect(buy).toMatchObject({ visits: 200, spend: 40_000 });
      expect(buy.key).toEqual({
        ad_network: 'yandex_direct',
        campaign: 'okna-search',
        keyword: 'купить окна',
      });

      const sc = (await report(p, 'groupBy=static_channel&from=2026-03-01&to=2026-03-31')).json() as Report;
      expect(sc.rows.find((r) => r.label === 'Билборд на МКАД')).toMatchObject({ calls: 20, spend: 50_000 });

      const weeks = (await report(p, 'groupBy=week&from=2026-03-01&to=2026-03-31')).json() as Report;
      expect(weeks.rows[0]?.label).toBe('2026-02-23');
      expect(weeks.totals.revenue).toBe(472_000);
      const months = (await report(p, 'groupBy=month&from=2026-03-01&to=2026-03-31')).json() as Report;
      expect(months.rows.filter((r) => r.kind === 'group').map((r) => r.label)).toEqual(['2026-03']);
      expect(months.totals.spend).toBe(240_000);

      const csv = await t.call({
        method: 'GET',
        url: `/api/v1/projects/${p}/reports/csv?groupBy=ad_network&from=2026-03-01&to=2026-03-31`,
      });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.headers['x-attribution-model']).toBe('last_non_direct_click');
      expect(csv.body.split('\n')[0]).toContain('row,ad_network,visits,calls');
      expect(csv.body).toContain(
        'yandex_direct,yandex_direct,400,30,30,27,3,31,17,17,13,281000,221000,100000,181000',
      );
    });

    it('counts only target calls when asked', async () => {
      const res = (
        await report(project.id, 'groupBy=ad_network&from=2026-03-01&to=2026-03-31&targetCallsOnly=true')
      ).json() as Report;
      expect(res.rows.find((r) => r.key.ad_network === 'yandex_direct')).toMatchObject({
        calls: 27,
        missedCalls: 0,
      });
    });

    it('keeps days in the project time zone', async () => {
      // A Google visit at 00:30 Moscow time on March 1 is 21:30 UTC on February 28.
      const q = 'groupBy=day&from=2026-03-01&to=2026-03-01';
      const before = ((await report(project.id, q)).json() as Report).totals.visits as number;
      await insertVisit(
        db(),
        project.id,
        paidVisit('google_ads', { started_at: Date.UTC(2026, 1, 28, 21, 30) }),
      );
      await insertVisit(
        db(),
        project.id,
        paidVisit('google_ads', { started_at: Date.UTC(2026, 1, 28, 20, 30) }),
      );
      const after = (await report(project.id, q)).json() as Report;
      expect(after.totals.visits).toBe(before + 1);
      expect(after.rows[0]?.label).toBe('2026-03-01');
    });
  });

  it('credits a direct return visit to the last non-direct click, or to the first click', async () => {
    const project = await createProject(t, { country: 'RU' });
    const visitor = 'returning-visitor';
    await insertVisit(
      db(),
      project.id,
      paidVisit('yandex_direct', { visitor_id: visitor, started_at: march(2) }),
    );
    await insertVisit(
      db(),
      project.id,
      paidVisit('google_ads', { visitor_id: visitor, started_at: march(4) }),
    );
    const direct = await insertVisit(db(), project.id, { visitor_id: visitor, started_at: march(5) });
    await insertCall(db(), project.id, {
      visit_id: direct.id,
      channel: 'direct',
      source: '(direct)',
      medium: '(none)',
      started_at: march(5, 13),
    });
    const last = (
      await report(project.id, 'groupBy=ad_network&from=2026-03-01&to=2026-03-31')
    ).json() as Report;
    expect(last.model).toBe('last_non_direct_click');
    expect(last.rows.find((r) => r.key.ad_network === 'google_ads')?.calls).toBe(1);
    const first = (
      await report(project.id, 'groupBy=ad_network&from=2026-03-01&to=2026-03-31&model=first_click')
    ).json() as Report;
    expect(first.model).toBe('first_click');
    expect(first.rows.find((r) => r.key.ad_network === 'yandex_direct')?.calls).toBe(1);
    expect(first.rows.find((r) => r.key.ad_network === 'google_ads')?.calls ?? 0).toBe(0);
  });

  it('lets a key of project A read no report of project B', async () => {
    const a = await createProject(t, { country: 'RU' });
    const b = await createProject(t, { country: 'RU' });
    const tokenA = await createKey(t, { name: 'a', role: 'analyst', projectIds: [a.id] });
    expect((await report(a.id, 'groupBy=channel', tokenA)).statusCode).toBe(200);
    expect((await report(b.id, 'groupBy=channel', tokenA)).statusCode).toBe(404);
    const csv = await t.call({ method: 'GET', url: `/api/v1/projects/${b.id}/reports/csv`, token: tokenA });
    expect(csv.statusCode).toBe(404);
    const spend = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${a.id}/spend`,
      token: tokenA,
      payload: { adNetwork: 'google_ads', rows: [{ date: '2026-03-01', cost: 1 }] },
    });
    expect(spend.statusCode).toBe(403);
  });

  it('refuses a bad report query', async () => {
    const project = await createProject(t, { country: 'RU' });
    for (const q of [
      'groupBy=colour',
      'from=2026-03-10&to=2026-03-01',
      'from=2026-02-30&to=2026-03-01',
      'model=linear',
    ]) {
      expect((await report(project.id, q)).statusCode, q).toBe(400);
    }
  });
});
