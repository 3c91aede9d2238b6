import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createNumber, createProject } from '../helpers/factories.js';

describe.each(testDatabases())('numbers, destinations, channels and pools on $name', (database) => {
  let t: TestApp;
  let projectId: string;
  const url = (path: string) => `/api/v1/projects/${projectId}${path}`;
  const numbersInDb = () =>
    t.deps.database.db
      .selectFrom('tracking_number')
      .select(['e164', 'label', 'monthly_cost_minor'])
      .where('project_id', '=', projectId)
      .orderBy('e164')
      .execute();

  beforeAll(async () => {
    t = await createTestApp(await database.open());
    projectId = (await createProject(t, { country: 'RU' })).id;
  });
  afterAll(() => t.close());

  it('normalises a number written in any local form to E.164', async () => {
    const res = await t.call({
      method: 'POST',
      url: url('/numbers'),
      payload: { number: '8 (812) 555-12-34', label: 'Билборд', monthlyCost: '450,50' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      number: '+78125551234',
      label: 'Билборд',
      monthlyCost: 450.5,
      costCurrency: 'RUB',
      status: 'active',
    });
    expect(await numbersInDb()).toContainEqual({
      e164: '+78125551234',
      label: 'Билборд',
      monthly_cost_minor: 45050,
    });
  });

  it('refuses an invalid number, and a number twice', async () => {
    const bad = await t.call({ method: 'POST', url: url('/numbers'), payload: { number: '8 (000) 12' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_phone_number');
    const again = await t.call({
      method: 'POST',
      url: url('/numbers'),
      payload: { number: '+7 812 555 12 34' },
    });
    expect(again.statusCode).toBe(409);
  });

  it("refuses another project's number without saying whose it is", async () => {
    const other = await createProject(t);
    await createNumber(t, other.id, { number: '+74957770001' });
    const res = await t.call({ method: 'POST', url: url('/numbers'), payload: { number: '+74957770001' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('number_in_use');
    expect(res.body).not.toContain(other.id);
  });

  it('imports JSON all-or-nothing: one bad row rejects the file and every bad row is reported', async () => {
    const before = await numbersInDb();
    const res = await t.call({
      method: 'POST',
      url: url('/numbers/import'),
      payload: {
        numbers: [
          { number: '+74951110001' },
          { number: 'abc' },
          { number: '+74951110001' },
          { number: '+74951110002', monthlyCost: '-5' },
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.problems).toEqual([
      expect.objectContaining({ row: 2, code: 'invalid_number' }),
      expect.objectContaining({ row: 3, code: 'duplicate_row' }),
      expect.objectContaining({ row: 4, code: 'invalid_cost' }),
    ]);
    expect(await numbersInDb()).toEqual(before);
  });

  it('imports the good rows with ?partial=true and skips numbers already present', async () => {
    const res = await t.call({
      method: 'POST',
      url: url('/numbers/import?partial=true'),
      payload: { numbers: [{ number: '+74951110001' }, { number: '123' }, { number: '+7 812 555-12-34' }] },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.imported.map((n: { number: string }) => n.number)).toEqual(['+74951110001']);
    expect(body.skipped).toEqual([{ row: 3, number: '+78125551234' }]);
    expect(body.problems).toEqual([expect.objectContaining({ row: 2, code: 'invalid_number' })]);
  });

  it('imports CSV with a header, separators of any kind, and reports lines by file line number', async () => {
    const csv =
      'number;label;provider;monthly_cost\n+7 (495) 222-00-01;Яндекс Директ;zadarma;300\n8-495-222-00-02;Google Ads;zadarma;300.00\n';
    const res = await t.call({
      method: 'POST',
      url: url('/numbers/import'),
      payload: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().imported).toHaveLength(2);
    expect(await numbersInDb()).toContainEqual({
      e164: '+74952220002',
      label: 'Google Ads',
      monthly_cost_minor: 30000,
    });

    const bare = await t.call({
      method: 'POST',
      url: url('/numbers/import'),
      payload: '+74952220003\n84952220004\nnot-a-number\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error.details.problems).toEqual([
      expect.objectContaining({ row: 3, input: 'not-a-number' }),
    ]);

    const wrongColumn = await t.call({
      method: 'POST',
      url: url('/numbers/import'),
      payload: 'phone,colour\n+74952220005,red\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(wrongColumn.statusCode).toBe(400);
    expect(wrongColumn.json().error.message).toContain('unknown column "colour"');
  });

  it('pages through numbers by id', async () => {
    const first = await t.call({ method: 'GET', url: url('/numbers?limit=2') });
    const page = first.json() as { id: string }[];
    expect(page).toHaveLength(2);
    const next = await t.call({ method: 'GET', url: url(`/numbers?limit=2&after=${page[1]?.id}`) });
    expect(next.json()[0].id > (page[1]?.id ?? '')).toBe(true);
  });

  it('keeps destinations as E.164 numbers or SIP URIs', async () => {
    const phone = await t.call({
      method: 'POST',
      url: url('/destinations'),
      payload: { name: 'Офис', kind: 'phone', target: '8 800 555-35-35' },
    });
    expect(phone.statusCode).toBe(201);
    expect(phone.json().target).toBe('+78005553535');
    const sip = await t.call({
      method: 'POST',
      url: url('/destinations'),
      payload: { name: 'АТС', kind: 'sip', target: 'sip:101@pbx.example.ru:5060' },
    });
    expect(sip.statusCode).toBe(201);
    const bad = await t.call({
      method: 'POST',
      url: url('/destinations'),
      payload: { name: 'x', kind: 'sip', target: 'http://nope' },
    });
    expect(bad.statusCode).toBe(400);
    const setDefault = await t.call({
      method: 'PATCH',
      url: `/api/v1/projects/${projectId}`,
      payload: { defaultDestinationId: sip.json().id },
    });
    expect(setDefault.json().defaultDestinationId).toBe(sip.json().id);
    expect((await t.call({ method: 'DELETE', url: url(`/destinations/${sip.json().id}`) })).statusCode).toBe(
      204,
    );
    expect(
      (await t.call({ method: 'GET', url: `/api/v1/projects/${projectId}` })).json().defaultDestinationId,
    ).toBeNull();
  });

  it('binds a number to one static channel only, and keeps it while the channel uses it', async () => {
    const n = await createNumber(t, projectId);
    const billboard = await t.call({
      method: 'POST',
      url: url('/static-channels'),
      payload: {
        name: 'Билборд на МКАД',
        kind: 'offline',
        offlineMedium: 'billboard',
        numberId: n.id,
        swapMatch: { all: [{ field: 'utm_source', op: 'equals', value: 'billboard' }] },
      },
    });
    expect(billboard.statusCode).toBe(201);
    expect(billboard.json()).toMatchObject({
      source: 'billboard',
      medium: 'offline',
      offlineMedium: 'billboard',
    });
    const twice = await t.call({
      method: 'POST',
      url: url('/static-channels'),
      payload: { name: 'Радио', kind: 'offline', numberId: n.id },
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('number_in_use');
    const del = await t.call({ method: 'DELETE', url: url(`/numbers/${n.id}`) });
    expect(del.statusCode).toBe(409);
    const badRule = await t.call({
      method: 'PATCH',
      url: url(`/static-channels/${billboard.json().id}`),
      payload: { swapMatch: { all: [{ field: 'shoe_size', op: 'equals', value: '42' }] } },
    });
    expect(badRule.statusCode).toBe(400);
  });

  it('makes pools of free numbers, with a fallback that is not a member', async () => {
    const members = [
      await createNumber(t, projectId),
      await createNumber(t, projectId),
      await createNumber(t, projectId),
    ];
    const fallback = await createNumber(t, projectId);
    const res = await t.call({
      method: 'POST',
      url: url('/pools'),
      payload: {
        name: 'Яндекс Директ',
        priority: 10,
        match: { any: [{ field: 'ad_network', op: 'equals', value: 'yandex_direct' }] },
        holdSeconds: 600,
        exhaustionPolicy: 'fallback',
        fallbackNumberId: fallback.id,
        numberIds: members.map((m) => m.id),
      },
    });
    expect(res.statusCode).toBe(201);
    const pool = res.json();
    expect(pool.numberIds.sort()).toEqual(members.map((m) => m.id).sort());
    expect(pool).toMatchObject({
      holdSeconds: 600,
      exhaustionPolicy: 'fallback',
      fallbackNumberId: fallback.id,
    });

    const taken = await t.call({
      method: 'POST',
      url: url('/pools'),
      payload: { name: 'Google', numberIds: [members[0]?.id] },
    });
    expect(taken.statusCode).toBe(409);
    const selfFallback = await t.call({
      method: 'PATCH',
      url: url(`/pools/${pool.id}`),
      payload: { fallbackNumberId: members[1]?.id },
    });
    expect(selfFallback.statusCode).toBe(400);
    const noFallback = await t.call({
      method: 'POST',
      url: url('/pools'),
      payload: { name: 'x', exhaustionPolicy: 'fallback' },
    });
    expect(noFallback.statusCode).toBe(400);
    const badMatch = await t.call({
      method: 'POST',
      url: url('/pools'),
      payload: { name: 'x', match: { all: [{ field: 'utm_source', op: 'matches', value: '(' }] } },
    });
    expect(badMatch.statusCode).toBe(400);

    const shrunk = await t.call({
      method: 'PATCH',
      url: url(`/pools/${pool.id}`),
      payload: { numberIds: [members[0]?.id] },
    });
    expect(shrunk.json().numberIds).toEqual([members[0]?.id]);
    const freed = await t.deps.database.db
      .selectFrom('tracking_number')
      .select('pool_id')
      .where('id', '=', members[1]?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(freed.pool_id).toBeNull();
    expect((await t.call({ method: 'DELETE', url: url(`/numbers/${fallback.id}`) })).statusCode).toBe(409);
    expect((await t.call({ method: 'DELETE', url: url(`/pools/${pool.id}`) })).statusCode).toBe(204);
    const unpooled = await t.deps.database.db
      .selectFrom('tracking_number')
      .select('pool_id')
      .where('id', '=', members[0]?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(unpooled.pool_id).toBeNull();
  });
});
