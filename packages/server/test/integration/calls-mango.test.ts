import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createCallProject, visitFromGoogleAd } from '../helpers/factories.js';

const PUBLIC_URL = 'https://ct.example.com';
const API_KEY = 'k3y0m7xq2v9p5w1r8t4y6u0i3o5p7a9s';
const API_SALT = 'z5x7c9v1b3n5m7q9w2e4r6t8y0u2i4o6';
let entryCounter = 0;
const entryId = () => `MTAxMDg0NTYy${(++entryCounter).toString().padStart(8, '0')}`;

describe.each(testDatabases())('calls through Mango Office on $name', (database) => {
  let t: TestApp;
  let project: { id: string; publicKey: string };
  let hooks: Record<string, string>;
  let poolNumber: string;
  let billboardNumber: string;
  const digits = (e164: string) => e164.slice(1);

  /** An event exactly as Mango posts it: a form with the key, sha256(key + json + salt) and the json. */
  const mangoPost = (
    type: string,
    body: object | string,
    sign: 'valid' | 'none' | 'wrong' | 'wrong-key' = 'valid',
    base = hooks.base as string,
  ) => {
    const json = typeof body === 'string' ? body : JSON.stringify(body);
    const key = sign === 'wrong-key' ? 'someone-else' : API_KEY;
    const salt = sign === 'wrong' ? 'not-the-salt' : API_SALT;
    const form: Record<string, string> = { vpbx_api_key: key, json };
    if (sign !== 'none')
      form.sign = createHash('sha256')
        .update(key + json + salt)
        .digest('hex');
    return t.call({
      method: 'POST',
      url: `${base.slice(PUBLIC_URL.length)}/events/${type}`,
      token: null,
      payload: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  };
  const now = () => Math.floor(t.clock.now() / 1000);
  let callerCounter = 0;
  /** Each test's caller is new, so repeat-caller attribution stays out of the way. */
  const newCaller = () => `7916555${String(++callerCounter).padStart(4, '0')}`;
  let caller = newCaller();
  const leg = (entry: string, state: string, extra: Record<string, unknown> = {}, to = poolNumber) => ({
    entry_id: entry,
    call_id: `${entry}-${String(extra.location ?? 'ivr')}`,
    timestamp: now(),
    seq: 1,
    call_state: state,
    location: 'ivr',
    from: { number: caller },
    to: { number: digits(to), line_number: digits(to) },
    ...extra,
  });
  const summary = (entry: string, s: Record<string, unknown>, to = poolNumber) => ({
    entry_id: entry,
    call_direction: 1,
    from: { number: caller },
    to: { extension: '101', number: '74957778899' },
    line_number: digits(to),
    forward_time: 0,
    entry_result: 0,
    ...s,
  });
  const callRow = (entry: string) =>
    t.deps.database.db
      .selectFrom('call')
      .selectAll()
      .where('provider_call_id', '=', entry)
      .executeTakeFirst();
  const countCalls = async () => (await t.deps.database.db.selectFrom('call').select('id').execute()).length;

  beforeAll(async () => {
    t = await createTestApp(await database.open(), { PUBLIC_URL });
    const setup = await createCallProject(t, {
      destination: { name: 'Офис', kind: 'phone', target: '+74957778899' },
      account: { provider: 'mango', name: 'Манго', credentials: { apiKey: API_KEY, apiSalt: API_SALT } },
    });
    project = setup.project;
    poolNumber = setup.poolNumber;
    billboardNumber = setup.billboardNumber;
    const account = setup.account;
    expect(account.statusCode).toBe(201);
    expect(account.body).not.toContain(API_SALT);
    hooks = account.json().webhookUrls;
    const base = `${PUBLIC_URL}/webhooks/mango/${account.json().id}`;
    expect(hooks).toEqual({ base, call: `${base}/events/call`, summary: `${base}/events/summary` });
  });
  afterAll(() => t.close());
  beforeEach(() => {
    caller = newCaller();
  });

  it('follows a call from the IVR to an employee and credits the visitor who held the number', async () => {
    const page = await visitFromGoogleAd(t, project.publicKey);
    expect(page.json().swap[0].to).toBe(digits(poolNumber));
    t.clock.advance(30_000);
    const entry = entryId();
    const startedAt = now() * 1000;

    // The IVR picks up (not an answer), hands the caller on, an employee's phone rings and is answered.
    const appeared = await mangoPost('call', leg(entry, 'Appeared'));
    expect(appeared.statusCode).toBe(200);
    expect(appeared.json()).toMatchObject({ ok: true, callId: expect.any(String) });
    expect(await callRow(entry)).toMatchObject({
      provider: 'mango',
      project_id: project.id,
      caller: `+${caller}`,
      tracking_number: poolNumber,
      status: 'ringing',
      started_at: startedAt,
      visit_id: page.json().visit,
      channel: 'paid',
      source: 'google',
      medium: 'cpc',
      confidence: 100,
    });
    await mangoPost('call', leg(entry, 'Connected'));
    t.clock.advance(5_000);
    await mangoPost('call', leg(entry, 'Disconnected', { disconnect_reason: 1100 }));
    expect(await callRow(entry)).toMatchObject({ status: 'ringing', answered_at: null, ended_at: null });
    const employee = {
      location: 'abonent',
      to: { extension: '101', number: '74957778899', line_number: digits(poolNumber) },
    };
    await mangoPost('call', leg(entry, 'Appeared', employee));
    t.clock.advance(3_000);
    await mangoPost('call', leg(entry, 'Connected', employee));
    expect(await callRow(entry)).toMatchObject({ status: 'in-progress', answered_at: startedAt + 8_000 });

    // The caller hangs up after 95 s of talk; the summary confirms it.
    t.clock.advance(95_000);
    const end = await mangoPost('call', leg(entry, 'Disconnected', { ...employee, disconnect_reason: 1110 }));
    expect(end.statusCode).toBe(200);
    const s = summary(entry, {
      create_time: startedAt / 1000,
      forward_time: startedAt / 1000 + 5,
      talk_time: startedAt / 1000 + 8,
      end_time: now(),
      entry_result: 1,
      disconnect_reason: 1110,
    });
    expect((await mangoPost('summary', s)).json()).toMatchObject({ ok: true });
    const done = await callRow(entry);
    expect(done).toMatchObject({
      status: 'answered',
      answered_at: startedAt + 8_000,
      ended_at: startedAt + 103_000,
      talk_seconds: 95,
      wait_seconds: 8,
      is_target: 1,
      destination: '+74957778899',
    });
    expect(JSON.parse(done?.attribution ?? '{}')).toMatchObject({ rule: 'lease_active' });

    // Mango retries: nothing changes, nothing is duplicated.
    await mangoPost('call', leg(entry, 'Appeared'));
    await mangoPost('summary', { ...s, talk_time: 0, disconnect_reason: 1121 });
    await mangoPost('call', leg(entry, 'Disconnected', { ...employee, disconnect_reason: 1110 }));
    const rows = await t.deps.database.db
      .selectFrom('call')
      .selectAll()
      .where('provider_call_id', '=', entry)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'answered', talk_seconds: 95, ended_at: startedAt + 103_000 });
  });

  it('records a caller who hangs up before anyone answers as canceled, on a static channel', async () => {
    const entry = entryId();
    const startedAt = now() * 1000;
    await mangoPost('call', leg(entry, 'Appeared', {}, billboardNumber));
    t.clock.advance(12_000);
    await mangoPost('call', leg(entry, 'Disconnected', { disconnect_reason: 1110 }, billboardNumber));
    await mangoPost(
      'summary',
      summary(
        entry,
        { create_time: startedAt / 1000, talk_time: 0, end_time: now(), disconnect_reason: 1110 },
        billboardNumber,
      ),
    );
    expect(await callRow(entry)).toMatchObject({
      status: 'canceled',
      tracking_number: billboardNumber,
      channel: 'offline',
      source: 'billboard',
      confidence: 100,
      answered_at: null,
      ended_at: startedAt + 12_000,
      talk_seconds: 0,
      is_target: 0,
    });
  });

  it('creates and finishes a call from the summary alone (call events lost), busy by the result code', async () => {
    const entry = entryId();
    const res = await mangoPost(
      'summary',
      summary(
        entry,
        { create_time: now() - 20, talk_time: 0, end_time: now(), disconnect_reason: 1121 },
        billboardNumber,
      ),
    );
    expect(res.statusCode).toBe(200);
    expect(await callRow(entry)).toMatchObject({
      status: 'busy',
      started_at: (now() - 20) * 1000,
      ended_at: now() * 1000,
      wait_seconds: 20,
    });
  });

  it('keeps a recording that overtakes the summary creating its call, and stores it on the call', async () => {
    const entry = entryId();
    const recordingId = `MToxMDEyODIxOToyMDIzMDU5NDk5Mjow${entry.slice(-4)}`;
    const early = await mangoPost('recording', {
      entry_id: entry,
      call_id: `${entry}-1`,
      recording_id: recordingId,
      recording_state: 'Completed',
      extension: '101',
    });
    expect(early.statusCode).toBe(200);
    expect(early.json()).toEqual({ ok: true, note: expect.stringContaining('kept') });
    expect(await callRow(entry)).toBeUndefined();
    const res = await mangoPost(
      'summary',
      summary(entry, {
        create_time: now() - 60,
        talk_time: now() - 50,
        end_time: now(),
        disconnect_reason: 1110,
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(await callRow(entry)).toMatchObject({
      status: 'answered',
      recording_url: `https://app.mango-office.ru/vpbx/queries/recording/post?recording_id=${recordingId}`,
    });
    // Taken once: nothing is left waiting.
    const left = await t.deps.database.db.selectFrom('early_recording').selectAll().execute();
    expect(left).toEqual([]);
  });

  it('a recording of an entry whose call never comes is kept a day at most', async () => {
    const stale = entryId();
    const event = (entry: string) => ({
      entry_id: entry,
      call_id: `${entry}-1`,
      recording_id: `MToxMDEy${entry.slice(-6)}`,
      recording_state: 'Completed',
    });
    expect((await mangoPost('recording', event(stale))).json().note).toContain('kept');
    t.clock.advance(25 * 60 * 60 * 1000);
    const fresh = entryId();
    expect((await mangoPost('recording', event(fresh))).json().note).toContain('kept');
    const kept = await t.deps.database.db.selectFrom('early_recording').select('provider_call_id').execute();
    expect(kept.map((r) => r.provider_call_id)).toEqual([fresh]);
    await t.deps.database.db.deleteFrom('early_recording').execute();
  });

  it('stores nothing for a number it does not know, or for a call an employee placed', async () => {
    const before = await countCalls();
    const foreign = entryId();
    const res = await mangoPost('call', leg(foreign, 'Appeared', {}, '+74990000000'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, note: expect.stringContaining('nothing was stored') });
    const outgoing = entryId();
    const out = await mangoPost(
      'call',
      leg(outgoing, 'Appeared', { from: { extension: '101', number: '74957778899' } }),
    );
    expect(out.json()).toMatchObject({ ok: true, note: expect.stringContaining('ignored') });
    const dtmf = await mangoPost('dtmf', { seq: 1, dtmf: '1', timestamp: now(), entry_id: foreign });
    expect(dtmf.json()).toMatchObject({ ok: true, note: 'events/dtmf is not used by Ringtrace' });
    expect(await countCalls()).toBe(before);
  });

  it.each([
    ['without a sign', 'none', 401],
    ['with a wrong sign', 'wrong', 403],
    ['with another account key', 'wrong-key', 403],
  ] as const)('refuses events %s and stores nothing', async (_name, sign, status) => {
    const entry = entryId();
    const res = await mangoPost('call', leg(entry, 'Appeared'), sign);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(status === 401 ? 'unauthorized' : 'forbidden');
    expect(await callRow(entry)).toBeUndefined();
  });

  it('refuses a signed but malformed event with 400, and an unknown account with 404', async () => {
    const before = await countCalls();
    const broken = await mangoPost('call', '{"entry_id":"x","call_state":');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('invalid_json');
    const incomplete = await mangoPost('call', { entry_id: entryId(), call_state: 'Appeared' });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json().error.code).toBe('validation_failed');
    const missing = await mangoPost('summary', { entry_id: entryId() });
    expect(missing.statusCode).toBe(400);
    const unknown = await mangoPost(
      'call',
      leg(entryId(), 'Appeared'),
      'valid',
      `${PUBLIC_URL}/webhooks/mango/nope`,
    );
    expect(unknown.statusCode).toBe(404);
    expect(await countCalls()).toBe(before);
  });
});
