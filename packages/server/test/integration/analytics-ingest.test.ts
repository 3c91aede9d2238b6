import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createProject } from '../helpers/factories.js';
import { insertCall, insertVisit, march } from './analytics-helpers.js';

describe.each(testDatabases())('spend and deals in on $name', (database) => {
  let t: TestApp;
  let project: { id: string };
  let bitrix: Server;
  let bitrixUrl: string;
  const bitrixDeals = new Map<string, Record<string, string>>();
  const bitrixContacts = new Map<string, Record<string, unknown>>();
  const db = () => t.deps.database.db;
  const url = (path: string) => `/api/v1/projects/${project.id}${path}`;
  const spendRows = () => db().selectFrom('spend').selectAll().where('project_id', '=', project.id).execute();
  const csv = (body: string, query = 'adNetwork=yandex_direct') =>
    t.call({
      method: 'POST',
      url: url(`/spend/import?${query}`),
      payload: body,
      headers: { 'content-type': 'text/csv' },
    });

  beforeAll(async () => {
    t = await createTestApp(await database.open(), { PUBLIC_URL: 'https://ct.example.com' });
    project = await createProject(t, { country: 'RU' });
    // A stand-in for the portal's inbound webhook: crm.deal.get answers like Bitrix24 does.
    bitrix = createServer((req, res) => {
      const where = new URL(req.url ?? '', 'http://x');
      const id = where.searchParams.get('id') ?? '';
      const found = where.pathname.endsWith('/crm.contact.get.json')
        ? bitrixContacts.get(id)
        : bitrixDeals.get(id);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          found ? { result: found, time: {} } : { error: 'NOT_FOUND', error_description: 'Not found' },
        ),
      );
    });
    await new Promise<void>((resolve) => bitrix.listen(0, '127.0.0.1', resolve));
    bitrixUrl = `http://127.0.0.1:${(bitrix.address() as AddressInfo).port}/rest/1/abcdef123456/`;
  });
  afterAll(async () => {
    bitrix.close();
    await t.close();
  });

  it('imports a Yandex Direct report from the web interface (Russian headers, ; and decimal commas)', async () => {
    const res = await csv(
      [
        'Дата;Кампания;Группа;Условие показа;Показы;Клики;CTR (%);Расход (руб.)',
        '01.03.2026;okna-search;Окна;купить окна;1 000;50;5,00;1 234,50',
        '02.03.2026;okna-search;Окна;купить окна;900;40;4,44;1 000,00',
        'Итого;;;;1 900;90;;2 234,50',
      ].join('\n'),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      from: '2026-03-01',
      to: '2026-03-02',
      imported: 2,
      replaced: 0,
      totals: { RUB: 2234.5 },
    });
    const rows = await spendRows();
    expect(rows.map((r) => Number(r.cost_minor)).sort()).toEqual([100_000, 123_450]);
    expect(rows[0]).toMatchObject({
      ad_network: 'yandex_direct',
      campaign: 'okna-search',
      keyword: 'купить окна',
      currency: 'RUB',
    });
  });

  it('replaces the period on re-import instead of doubling it', async () => {
    const file = 'Date,Campaign,Cost\n2026-03-01,okna-search,500\n2026-03-02,okna-search,700\n';
    expect((await csv(file)).json()).toMatchObject({ imported: 2, replaced: 2 });
    expect((await csv(file)).json()).toMatchObject({ imported: 2, replaced: 2 });
    const rows = await spendRows();
    expect(rows).toHaveLength(2);
    expect(rows.reduce((s, r) => s + Number(r.cost_minor), 0)).toBe(120_000);
    // Another network's spend of the same days is left alone.
    await csv('Date,Campaign,Cost\n2026-03-01,okna-google,300\n', 'adNetwork=google_ads');
    await csv(file);
    expect(await spendRows()).toHaveLength(3);
  });

  it('refuses a file with a wrong column, a bad date or a negative cost, naming the line, and stores nothing', async () => {
    const before = (await spendRows()).length;
    const cases: [string, number, string][] = [
      ['Date,Campaign,Cots\n2026-03-05,a,10\n', 1, 'no header'],
      ['Date,Campaign,Cost,Colour\n2026-03-05,a,10,red\n', 1, 'unknown column "Colour"'],
      ['Date,Campaign,Cost\n2026-03-05,a,10\n2026-02-30,a,10\n', 3, '"2026-02-30" is not a date'],
      ['Date,Campaign,Cost\n2026-03-05,a,10\n2026-03-06,a,10\n2026-03-07,a,-5\n', 4, 'negative cost'],
      ['Date,Campaign,Cost\n2026-03-05,a,ten\n', 2, 'not an amount'],
    ];
    for (const [body, line, reason] of cases) {
      const res = await csv(body);
      expect(res.statusCode, body).toBe(400);
      const problems = res.json().error.details.problems as { line: number; reason: string }[];
      expect(problems[0]?.line, body).toBe(line);
      expect(problems[0]?.reason, body).toContain(reason);
    }
    const json = await t.call({
      method: 'POST',
      url: url('/spend'),
      payload: {
        adNetwork: 'vk_ads',
        rows: [
          { date: '2026-03-05', cost: 10 },
          { date: '2026-03-06', cost: -1 },
        ],
      },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.details.problems).toEqual([
      { line: 2, column: 'cost', reason: 'negative cost -1' },
    ]);
    expect(await spendRows()).toHaveLength(before);
  });

  it('creates or updates a deal by source and external id; bad currency or amount is a 400 storing nothing', async () => {
    const first = await t.call({
      method: 'POST',
      url: url('/deals'),
      payload: { externalId: 'X1', status: 'open', revenue: 100 },
    });
    expect(first.statusCode, first.body).toBe(200);
    const again = await t.call({
      method: 'POST',
      url: url('/deals'),
      payload: {
        externalId: 'X1',
        status: 'won',
        revenue: '1 500,50',
        closedAt: '2026-03-10T12:00:00+03:00',
      },
    });
    expect(again.json()).toMatchObject({
      id: first.json().id,
      status: 'won',
      revenue: 1500.5,
      currency: 'RUB',
      closedAt: march(10),
    });
    for (const payload of [
      { externalId: 'bad1', status: 'won', revenue: 10, currency: 'XXQ' },
      { externalId: 'bad2', status: 'won', revenue: '12,3,4' },
      { externalId: 'bad3', status: 'won', revenue: -5 },
      { externalId: 'bad4', status: 'maybe' },
      { externalId: 'bad5', status: 'won', revenue: '10.001', currency: 'RUB' },
    ]) {
      const res = await t.call({ method: 'POST', url: url('/deals'), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const bad = await db().selectFrom('deal').select('id').where('external_id', 'like', 'bad%').execute();
    expect(bad).toHaveLength(0);
  });

  it('keeps a deal that cannot be linked yet and links it when its call appears', async () => {
    const caller = '+79165550011';
    const res = await t.call({
      method: 'POST',
      url: url('/deals'),
      payload: {
        externalId: 'early',
        status: 'won',
        revenue: 9000,
        phone: '8 (916) 555-00-11',
        createdAt: march(8),
      },
    });
    expect(res.json()).toMatchObject({ phone: caller, linkedBy: null, callId: null });
    const visit = await insertVisit(db(), project.id, {
      channel: 'paid',
      source: 'google',
      medium: 'cpc',
      ad_network: 'google_ads',
      started_at: march(8, 9),
    });
    const call = await insertCall(db(), project.id, {
      caller,
      visit_id: visit.id,
      channel: 'paid',
      started_at: march(8, 10),
    });
    const report = await t.call({
      method: 'GET',
      url: url('/reports?groupBy=ad_network&from=2026-03-01&to=2026-03-31'),
    });
    expect(report.statusCode, report.body).toBe(200);
    expect(
      report.json().rows.find((r: { key: { ad_network: string } }) => r.key.ad_network === 'google_ads'),
    ).toMatchObject({
      wonDealsFromCalls: 1,
      revenue: 9000,
    });
    const deal = await t.call({ method: 'GET', url: url(`/deals/${res.json().id}`) });
    expect(deal.json()).toMatchObject({ linkedBy: 'phone', callId: call.id });
  });

  it('takes amoCRM lead webhooks as amoCRM sends them, authenticated by the URL secret', async () => {
    const link = await t.call({
      method: 'POST',
      url: url('/crm-links'),
      payload: { kind: 'amocrm', name: 'amo' },
    });
    expect(link.statusCode, link.body).toBe(201);
    const hook = (link.json().webhookUrl as string).slice('https://ct.example.com'.length);
    const visit = await insertVisit(db(), project.id, {
      ym_client_id: '1711111111222222222',
      started_at: march(9),
    });
    const form = new URLSearchParams({
      'leads[status][0][id]': '25399013',
      'leads[status][0][name]': 'Окна на дачу',
      'leads[status][0][status_id]': '142',
      'leads[status][0][old_status_id]': '7039105',
      'leads[status][0][price]': '48000',
      'leads[status][0][pipeline_id]': '3104455',
      'leads[status][0][created_at]': String(Math.floor(march(9, 14) / 1000)),
      'leads[status][0][updated_at]': String(Math.floor(march(12) / 1000)),
      'leads[status][0][custom_fields][0][id]': '429155',
      'leads[status][0][custom_fields][0][name]': 'ClientID',
      'leads[status][0][custom_fields][0][values][0][value]': '1711111111222222222',
      'account[subdomain]': 'okna',
      'account[id]': '29085955',
    }).toString();
    const post = (path: string) =>
      t.call({
        method: 'POST',
        url: path,
        token: null,
        payload: form,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const ok = await post(hook);
    expect(ok.statusCode, ok.body).toBe(200);
    const deal = await db()
      .selectFrom('deal')
      .selectAll()
      .where('source', '=', 'amocrm')
      .executeTakeFirstOrThrow();
    expect(deal).toMatchObject({
      external_id: '25399013',
      status: 'won',
      currency: 'RUB',
      visit_id: visit.id,
      linked_by: 'client_id',
    });
    expect(Number(deal.revenue_minor)).toBe(4_800_000);
    expect(Number(deal.closed_at)).toBe(march(12));
    expect((await post(hook.replace(/\/[^/]+$/, '/wrong-secret'))).statusCode).toBe(401);
    // A second delivery updates the same deal.
    await post(hook);
    expect(await db().selectFrom('deal').select('id').where('source', '=', 'amocrm').execute()).toHaveLength(
      1,
    );
  });

  it('takes Bitrix24 ONCRMDEALUPDATE, checks auth[application_token] and reads the deal over REST', async () => {
    const call = await insertCall(db(), project.id, { started_at: march(14) });
    bitrixDeals.set('759', {
      ID: '759',
      TITLE: 'Остекление балкона',
      STAGE_ID: 'C1:WON',
      STAGE_SEMANTIC_ID: 'S',
      OPPORTUNITY: '35000.00',
      CURRENCY_ID: 'RUB',
      DATE_CREATE: '2026-03-14T15:00:00+03:00',
      CLOSEDATE: '2026-03-20T00:00:00+03:00',
      UF_CRM_CALL_ID: call.id,
    });
    const link = await t.call({
      method: 'POST',
      url: url('/crm-links'),
      payload: {
        kind: 'bitrix24',
        name: 'b24',
        applicationToken: '51856fefc120afa4b628cc82d3935cce',
        restUrl: bitrixUrl,
        fields: { callId: 'UF_CRM_CALL_ID' },
      },
    });
    expect(link.statusCode, link.body).toBe(201);
    const hook = (link.json().webhookUrl as string).slice('https://ct.example.com'.length);
    const event = (token: string) =>
      new URLSearchParams({
        event: 'ONCRMDEALUPDATE',
        event_handler_id: '201',
        'data[FIELDS][ID]': '759',
        ts: '1736405807',
        'auth[domain]': 'okna.bitrix24.ru',
        'auth[client_endpoint]': 'https://okna.bitrix24.ru/rest/',
        'auth[member_id]': 'a223c6b3710f85df22e9377d6c4f7553',
        'auth[application_token]': token,
      }).toString();
    const send = (token: string) =>
      t.call({
        method: 'POST',
        url: hook,
        token: null,
        payload: event(token),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    expect((await send('not-the-token')).statusCode).toBe(401);
    expect(
      await db().selectFrom('deal').select('id').where('source', '=', 'bitrix24').execute(),
    ).toHaveLength(0);
    const ok = await send('51856fefc120afa4b628cc82d3935cce');
    expect(ok.statusCode, ok.body).toBe(200);
    const deal = await db()
      .selectFrom('deal')
      .selectAll()
      .where('source', '=', 'bitrix24')
      .executeTakeFirstOrThrow();
    expect(deal).toMatchObject({ external_id: '759', status: 'won', call_id: call.id, linked_by: 'call_id' });
    expect(Number(deal.revenue_minor)).toBe(3_500_000);
  });

  it('links a Bitrix24 deal without link fields by its contact’s phone, read with crm.contact.get', async () => {
    const call = await insertCall(db(), project.id, { started_at: march(15) });
    bitrixContacts.set('31', {
      ID: '31',
      NAME: 'Ирина',
      PHONE: [
        {
          ID: '77',
          VALUE_TYPE: 'MOBILE',
          VALUE: `8 ${call.caller.slice(2, 5)} ${call.caller.slice(5)}`,
          TYPE_ID: 'PHONE',
        },
      ],
    });
    bitrixDeals.set('760', {
      ID: '760',
      TITLE: 'Окна в квартиру',
      STAGE_ID: 'NEW',
      STAGE_SEMANTIC_ID: 'P',
      OPPORTUNITY: '90000.00',
      CURRENCY_ID: 'RUB',
      CONTACT_ID: '31',
      DATE_CREATE: '2026-03-15T12:00:00+03:00',
    });
    const link = await t.call({
      method: 'POST',
      url: url('/crm-links'),
      payload: {
        kind: 'bitrix24',
        name: 'b24-contacts',
        applicationToken: 'tok-contacts',
        restUrl: bitrixUrl,
      },
    });
    expect(link.statusCode, link.body).toBe(201);
    const hook = (link.json().webhookUrl as string).slice('https://ct.example.com'.length);
    const res = await t.call({
      method: 'POST',
      url: hook,
      token: null,
      payload: new URLSearchParams({
        event: 'ONCRMDEALADD',
        'data[FIELDS][ID]': '760',
        'auth[application_token]': 'tok-contacts',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const deal = await db()
      .selectFrom('deal')
      .selectAll()
      .where('external_id', '=', '760')
      .executeTakeFirstOrThrow();
    expect(deal).toMatchObject({ phone: call.caller, call_id: call.id, linked_by: 'phone', status: 'open' });
  });

  it('takes the generic JSON form on a generic link, and refuses malformed amounts', async () => {
    const link = await t.call({
      method: 'POST',
      url: url('/crm-links'),
      payload: { kind: 'generic', name: 'my-crm' },
    });
    const hook = (link.json().webhookUrl as string).slice('https://ct.example.com'.length);
    const ok = await t.call({
      method: 'POST',
      url: hook,
      token: null,
      payload: [{ externalId: 'g-1', status: 'lost' }],
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const bad = await t.call({
      method: 'POST',
      url: hook,
      token: null,
      payload: { externalId: 'g-2', status: 'won', revenue: '1e5' },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      await db().selectFrom('deal').select('id').where('external_id', '=', 'g-2').execute(),
    ).toHaveLength(0);
  });
});
