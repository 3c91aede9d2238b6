import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createCallProject } from '../helpers/factories.js';

const PUBLIC_URL = 'https://ct.example.com';
const API_KEY = 'a1b2c3d4e5f6a7b8c9d0';
const API_SECRET = 'f0e9d8c7b6a5f4e3d2c1';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
let idCounter = 0;
const pbxCallId = () => `in_${(++idCounter).toString(16).padStart(40, 'a')}`;

/** The signed string per event, as zadarma/user-api-v1 lib/Webhook/*::getSignatureString() builds it. */
const SIGNED: Record<string, string[]> = {
  NOTIFY_START: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_INTERNAL: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_END: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_ANSWER: ['caller_id', 'destination', 'call_start'],
  NOTIFY_OUT_START: ['internal', 'destination', 'call_start'],
  NOTIFY_RECORD: ['pbx_call_id', 'call_id_with_rec'],
};

/** Zadarma's local time: the project is in Russia, so Europe/Moscow (UTC+3, no DST since 2014). */
const moscowTime = (ms: number) => new Date(ms + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

describe.each(testDatabases())('calls through Zadarma on $name', (database) => {
  let t: TestApp;
  let project: { id: string; publicKey: string };
  let eventsUrl: string;
  let poolNumber: string;
  let billboardNumber: string;
  let callerCounter = 0;
  let caller = '';
  const digits = (e164: string) => e164.slice(1);

  /** A notification exactly as Zadarma posts it: form fields, Signature = base64(hex HMAC-SHA1(secret, …)). */
  const notify = (
    fields: Record<string, string>,
    sign: 'valid' | 'none' | 'wrong' = 'valid',
    url = eventsUrl,
  ) => {
    const text = (SIGNED[fields.event ?? ''] ?? []).map((k) => fields[k] ?? '').join('');
    const hex = createHmac('sha1', sign === 'wrong' ? 'not-the-secret' : API_SECRET)
      .update(text)
      .digest('hex');
    return t.call({
      method: 'POST',
      url: url.slice(PUBLIC_URL.length),
      token: null,
      payload: new URLSearchParams(fields).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(sign !== 'none' && { signature: Buffer.from(hex).toString('base64') }),
      },
    });
  };
  const startFields = (id: string, to: string, startMs = t.clock.now()) => ({
    event: 'NOTIFY_START',
    call_start: moscowTime(startMs),
    pbx_call_id: id,
    caller_id: caller,
    called_did: digits(to),
  });
  const endFields = (id: string, to: string, startMs: number, end: Record<string, string>) => ({
    ...startFields(id, to, startMs),
    event: 'NOTIFY_END',
    internal: '100',
    status_code: '16',
    is_recorded: '0',
    call_id_with_rec: '',
    ...end,
  });
  const callRow = (id: string) =>
    t.deps.database.db.selectFrom('call').selectAll().where('provider_call_id', '=', id).executeTakeFirst();
  const countCalls = async () => (await t.deps.database.db.selectFrom('call').select('id').execute()).length;

  beforeAll(async () => {
    t = await createTestApp(await database.open(), { PUBLIC_URL });
    const setup = await createCallProject(t, {
      destination: { name: 'Офис', kind: 'phone', target: '+74957778899' },
      account: {
        provider: 'zadarma',
        name: 'Zadarma',
        credentials: { apiKey: API_KEY, apiSecret: API_SECRET },
      },
    });
    project = setup.project;
    poolNumber = setup.poolNumber;
    billboardNumber = setup.billboardNumber;
    const account = setup.account;
    expect(account.statusCode).toBe(201);
    expect(account.body).not.toContain(API_SECRET);
    eventsUrl = account.json().webhookUrls.events;
    expect(eventsUrl).toBe(`${PUBLIC_URL}/webhooks/zadarma/${account.json().id}/events`);
  });
  afterAll(() => t.close());
  beforeEach(() => {
    // A new caller per test, so repeat-caller attribution stays out of the way.
    caller = `7916666${String(++callerCounter).padStart(4, '0')}`;
  });

  it('answers the zd_echo check with the value as plain text', async () => {
    const res = await t.call({
      method: 'GET',
      url: `${eventsUrl.slice(PUBLIC_URL.length)}?zd_echo=5f2b8c1e9a`,
      token: null,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toBe('5f2b8c1e9a');
    const unknown = await t.call({
      method: 'GET',
      url: '/webhooks/zadarma/nope/events?zd_echo=x',
      token: null,
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('follows a call from start to answer, end and recording, crediting the visitor', async () => {
    const page = await t.call({
      method: 'POST',
      url: '/t/visit',
      token: null,
      payload: JSON.stringify({
        k: project.publicKey,
        u: 'https://clinic.example.ru/?utm_source=yandex&utm_medium=cpc&utm_campaign=implants&yclid=1',
      }),
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
    });
    expect(page.json().swap[0].to).toBe(digits(poolNumber));
    t.clock.advance(30_000);
    const id = pbxCallId();
    // call_start is written in the account's local time, a moment before the notification arrives.
    const startedAt = t.clock.now() - 2_000;
    const start = await notify(startFields(id, poolNumber, startedAt));
    expect(start.statusCode).toBe(200);
    expect(start.body).toBe('');
    expect(await callRow(id)).toMatchObject({
      provider: 'zadarma',
      project_id: project.id,
      caller: `+${caller}`,
      tracking_number: poolNumber,
      destination: '+74957778899',
      status: 'ringing',
      started_at: startedAt,
      visit_id: page.json().visit,
      channel: 'paid',
      source: 'yandex',
      medium: 'cpc',
      confidence: 100,
    });

    // The PBX rings an extension (ignored), the extension answers, the call ends after 95 s of talk.
    const internal = await notify({
      ...startFields(id, poolNumber, startedAt),
      event: 'NOTIFY_INTERNAL',
      internal: '100',
    });
    expect(internal.headers['x-ringtrace-note']).toContain('not used');
    t.clock.advance(10_000);
    await notify({
      event: 'NOTIFY_ANSWER',
      caller_id: caller,
      destination: '100',
      call_start: moscowTime(startedAt),
      pbx_call_id: id,
      internal: '100',
    });
    expect(await callRow(id)).toMatchObject({ status: 'in-progress', answered_at: startedAt + 12_000 });
    t.clock.advance(95_000);
    const end = endFields(id, poolNumber, startedAt, {
      duration: '95',
      disposition: 'answered',
      is_recorded: '1',
      call_id_with_rec: '1768467632.1234567',
    });
    expect((await notify(end)).statusCode).toBe(200);
    const recording = 'https://api.zadarma.com/v1/pbx/record/request/?call_id=1768467632.1234567';
    const done = await callRow(id);
    expect(done).toMatchObject({
      status: 'answered',
      answered_at: startedAt + 12_000,
      ended_at: startedAt + 107_000,
      talk_seconds: 95,
      wait_seconds: 12,
      is_target: 1,
      recording_url: recording,
    });
    await notify({ event: 'NOTIFY_RECORD', pbx_call_id: id, call_id_with_rec: '1768467632.1234567' });

    // Zadarma retries: one call, unchanged.
    await notify(startFields(id, poolNumber, startedAt));
    await notify(end);
    const rows = await t.deps.database.db
      .selectFrom('call')
      .selectAll()
      .where('provider_call_id', '=', id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual(done);
  });

  it('records a missed call to a static number', async () => {
    const id = pbxCallId();
    const startedAt = t.clock.now();
    await notify(startFields(id, billboardNumber, startedAt));
    t.clock.advance(25_000);
    await notify(endFields(id, billboardNumber, startedAt, { duration: '0', disposition: 'no answer' }));
    expect(await callRow(id)).toMatchObject({
      status: 'no-answer',
      channel: 'offline',
      source: 'billboard',
      confidence: 100,
      answered_at: null,
      ended_at: startedAt + 25_000,
      talk_seconds: 0,
      is_target: 0,
    });
  });

  it('uses the arrival time when call_start is not in the time zone it assumes', async () => {
    const id = pbxCallId();
    const utcWallTime = new Date(t.clock.now()).toISOString().slice(0, 19).replace('T', ' ');
    await notify({ ...startFields(id, billboardNumber), call_start: utcWallTime });
    expect(await callRow(id)).toMatchObject({ started_at: t.clock.now() });
  });

  it('keeps a NOTIFY_RECORD that comes before its call, and stores it on the call when it starts', async () => {
    const id = pbxCallId();
    const early = await notify({
      event: 'NOTIFY_RECORD',
      pbx_call_id: id,
      call_id_with_rec: '1768467632.7654321',
    });
    expect(early.statusCode).toBe(200);
    expect(early.headers['x-ringtrace-note']).toContain('kept');
    expect(await callRow(id)).toBeUndefined();
    expect((await notify(startFields(id, poolNumber))).statusCode).toBe(200);
    expect(await callRow(id)).toMatchObject({
      recording_url: 'https://api.zadarma.com/v1/pbx/record/request/?call_id=1768467632.7654321',
    });
  });

  it('stores nothing for a number it does not know, nor for unknown or outgoing calls', async () => {
    const before = await countCalls();
    const foreign = await notify(startFields(pbxCallId(), '+74990000000'));
    expect(foreign.statusCode).toBe(200);
    expect(foreign.body).toBe('');
    expect(foreign.headers['x-ringtrace-note']).toContain('nothing was stored');
    const answer = await notify({
      event: 'NOTIFY_ANSWER',
      caller_id: caller,
      destination: '100',
      call_start: moscowTime(t.clock.now()),
      pbx_call_id: pbxCallId(),
    });
    expect(answer.headers['x-ringtrace-note']).toContain('unknown call');
    const out = await notify({
      event: 'NOTIFY_OUT_START',
      call_start: moscowTime(t.clock.now()),
      pbx_call_id: pbxCallId(),
      internal: '100',
      destination: digits(poolNumber),
    });
    expect(out.statusCode).toBe(200);
    expect(await countCalls()).toBe(before);
  });

  it.each([
    ['unsigned', 'none', 401],
    ['wrongly signed', 'wrong', 403],
  ] as const)('refuses %s notifications and stores nothing', async (_name, sign, status) => {
    const id = pbxCallId();
    const res = await notify(startFields(id, poolNumber), sign);
    expect(res.statusCode).toBe(status);
    expect(await callRow(id)).toBeUndefined();
  });

  it("refuses notifications from addresses outside the account's allowed sources with 403, storing nothing", async () => {
    const accountUrl = `/api/v1/projects/${project.id}/provider-accounts/${eventsUrl.split('/').at(-2)}`;
    const limit = (allowedSources: string[]) =>
      t.call({ method: 'PATCH', url: accountUrl, payload: { allowedSources } });
    const bad = await limit(['185.45.152.0/33']);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('185.45.152.0/33');

    // Zadarma's published address only: the test client (127.0.0.1) is outside it.
    const limited = await limit(['185.45.152.42', '2001:db8::/32']);
    expect(limited.statusCode).toBe(200);
    expect(limited.json().allowedSources).toEqual(['185.45.152.42', '2001:db8::/32']);
    const before = await countCalls();
    const refused = await notify(startFields(pbxCallId(), poolNumber));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    const echo = await t.call({
      method: 'GET',
      url: `${eventsUrl.slice(PUBLIC_URL.length)}?zd_echo=1`,
      token: null,
    });
    expect(echo.statusCode).toBe(403);
    expect(await countCalls()).toBe(before);

    // The range that holds the client: accepted again; an empty list accepts any address.
    expect((await limit(['127.0.0.0/8'])).statusCode).toBe(200);
    expect((await notify(startFields(pbxCallId(), poolNumber))).statusCode).toBe(200);
    const open = await limit([]);
    expect(open.json().allowedSources).toEqual([]);
    expect((await notify(startFields(pbxCallId(), poolNumber))).statusCode).toBe(200);
    expect(await countCalls()).toBe(before + 2);
  });

  it('refuses a signed but malformed notification with 400, and an unknown account with 404', async () => {
    const id = pbxCallId();
    const bad = await notify({ ...startFields(id, poolNumber), call_start: '15.01.2026 12:00' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    const noId = await notify({ ...startFields(id, poolNumber), pbx_call_id: '' });
    expect(noId.statusCode).toBe(400);
    expect(await callRow(id)).toBeUndefined();
    const unknown = await notify(
      startFields(id, poolNumber),
      'valid',
      `${PUBLIC_URL}/webhooks/zadarma/nope/events`,
    );
    expect(unknown.statusCode).toBe(404);
  });
});
