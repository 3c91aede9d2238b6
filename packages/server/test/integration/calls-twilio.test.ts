import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createCallProject, visitFromGoogleAd } from '../helpers/factories.js';

const PUBLIC_URL = 'https://ct.example.com';
const AUTH_TOKEN = 'f7c3a1e9d2b84c56a0e1f2d3c4b5a697';
let sidCounter = 0;
const callSid = () => `CA${(++sidCounter).toString(16).padStart(32, '0')}`;

describe.each(testDatabases())('calls through Twilio on $name', (database) => {
  let t: TestApp;
  let project: { id: string; publicKey: string };
  let hooks: Record<string, string>;
  let poolNumber: string;
  let billboardNumber: string;

  /** A webhook exactly as Twilio sends it: a form post signed by the official library. */
  const twilioPost = (
    hook: string,
    params: Record<string, string>,
    sign: 'valid' | 'none' | 'wrong' = 'valid',
  ) => {
    const url = hooks[hook] as string;
    const signature = twilio.getExpectedTwilioSignature(
      sign === 'wrong' ? 'not-the-token' : AUTH_TOKEN,
      url,
      params,
    );
    return t.call({
      method: 'POST',
      url: url.slice(PUBLIC_URL.length),
      token: null,
      payload: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(sign !== 'none' && { 'x-twilio-signature': signature }),
      },
    });
  };
  const voice = (sid: string, from: string, to: string) =>
    twilioPost('voice', {
      CallSid: sid,
      AccountSid: `AC${'1'.repeat(32)}`,
      From: from,
      To: to,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    });
  const callRow = (sid: string) =>
    t.deps.database.db.selectFrom('call').selectAll().where('provider_call_id', '=', sid).executeTakeFirst();

  beforeAll(async () => {
    t = await createTestApp(await database.open(), { PUBLIC_URL });
    const setup = await createCallProject(t, {
      destination: { name: 'Офис', kind: 'phone', target: '+74957778899' },
      account: { provider: 'twilio', name: 'Twilio', credentials: { authToken: AUTH_TOKEN } },
    });
    project = setup.project;
    poolNumber = setup.poolNumber;
    billboardNumber = setup.billboardNumber;
    const account = setup.account;
    expect(account.statusCode).toBe(201);
    expect(account.body).not.toContain(AUTH_TOKEN);
    hooks = account.json().webhookUrls;
    expect(hooks.voice).toBe(`${PUBLIC_URL}/webhooks/twilio/${account.json().id}/voice`);
  });
  afterAll(() => t.close());

  it('keeps the provider’s auth token sealed in the database, not in plain text', async () => {
    const rows = await t.deps.database.db.selectFrom('provider_account').select('credentials').execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.credentials).toMatch(/^sealed:v1:/);
      expect(row.credentials).not.toContain(AUTH_TOKEN);
    }
  });

  it('attributes a call to the visitor who held the number and forwards it with TwiML', async () => {
    const page = await visitFromGoogleAd(t, project.publicKey);
    expect(page.json().swap[0].to).toBe(poolNumber.slice(1));
    t.clock.advance(30_000);
    const sid = callSid();
    const res = await voice(sid, '+79161234567', poolNumber);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/xml');
    expect(res.body).toContain('<Dial action="https://ct.example.com/webhooks/twilio/');
    expect(res.body).toMatch(
      /<Number [^>]*statusCallback="https:\/\/ct\.example\.com\/webhooks\/twilio\/[^"]+\/status"[^>]*>\+74957778899<\/Number>/,
    );
    expect(res.body).toContain('record="record-from-answer-dual"');
    const row = await callRow(sid);
    expect(row).toMatchObject({
      project_id: project.id,
      caller: '+79161234567',
      tracking_number: poolNumber,
      destination: '+74957778899',
      status: 'ringing',
      visit_id: page.json().visit,
      channel: 'paid',
      source: 'google',
      medium: 'cpc',
      confidence: 100,
      first_time_caller: 1,
    });
    expect(JSON.parse(row?.attribution ?? '{}')).toMatchObject({
      rule: 'lease_active',
      candidates: [expect.objectContaining({ visitId: page.json().visit })],
    });

    // The leg answers, the call ends after 95 s of talk, the recording arrives.
    t.clock.advance(8_000);
    expect(
      (
        await twilioPost('status', {
          CallSid: `CA${'f'.repeat(32)}`,
          ParentCallSid: sid,
          CallStatus: 'in-progress',
          Timestamp: new Date(t.clock.now()).toUTCString(),
        })
      ).statusCode,
    ).toBe(204);
    t.clock.advance(95_000);
    const dial = await twilioPost('dial', {
      CallSid: sid,
      DialCallStatus: 'completed',
      DialCallDuration: '95',
      DialCallSid: `CA${'e'.repeat(32)}`,
    });
    expect(dial.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    await twilioPost('recording', {
      CallSid: sid,
      RecordingSid: `RE${'a'.repeat(32)}`,
      RecordingStatus: 'completed',
      RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
    });
    const done = await callRow(sid);
    expect(done).toMatchObject({
      status: 'answered',
      talk_seconds: 95,
      wait_seconds: 8,
      is_target: 1,
      recording_url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
    });
    expect(done?.ended_at).toBe(t.clock.now());

    // The API shows the call with its visit and the reason for the attribution.
    const detail = await t.call({ method: 'GET', url: `/api/v1/projects/${project.id}/calls/${done?.id}` });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      call: { status: 'answered', confidence: 100, attribution: { rule: 'lease_active' } },
      visit: { id: page.json().visit, utm_campaign: 'implants' },
    });
  });

  it('never makes a second call from a retried webhook', async () => {
    const sid = callSid();
    await voice(sid, '+79160000001', billboardNumber);
    const again = await voice(sid, '+79160000001', billboardNumber);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('<Dial');
    const rows = await t.deps.database.db
      .selectFrom('call')
      .select('id')
      .where('provider_call_id', '=', sid)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('credits a static number to its channel with 100% confidence', async () => {
    const sid = callSid();
    await voice(sid, '+79160000002', billboardNumber);
    expect(await callRow(sid)).toMatchObject({
      channel: 'offline',
      source: 'billboard',
      medium: 'offline',
      confidence: 100,
    });
  });

  it('keeps the first attribution for a repeat caller, and flags them', async () => {
    const first = callSid();
    await voice(first, '+79160000003', billboardNumber);
    t.clock.advance(24 * 3600_000);
    const second = callSid();
    await voice(second, '+79160000003', poolNumber);
    const row = await callRow(second);
    expect(row).toMatchObject({ first_time_caller: 0, channel: 'offline', source: 'billboard' });
    expect(JSON.parse(row?.attribution ?? '{}').rule).toBe('repeat_caller_first');
  });

  it('rejects calls to numbers it does not know', async () => {
    const sid = callSid();
    const res = await voice(sid, '+79160000004', '+74990000000');
    expect(res.body).toContain('<Reject reason="rejected"/>');
    expect(await callRow(sid)).toBeUndefined();
  });

  it.each([
    ['unsigned', 'none', 401],
    ['wrongly signed', 'wrong', 403],
  ] as const)('refuses %s webhooks and stores nothing', async (_name, sign, status) => {
    const sid = callSid();
    const res = await twilioPost('voice', { CallSid: sid, From: '+79160000005', To: poolNumber }, sign);
    expect(res.statusCode).toBe(status);
    expect(await callRow(sid)).toBeUndefined();
  });

  it('refuses a malformed webhook with 400, and an unknown account with 404', async () => {
    expect(
      (await twilioPost('voice', { CallSid: 'nope', From: '+79160000006', To: poolNumber })).statusCode,
    ).toBe(400);
    const res = await t.call({
      method: 'POST',
      url: '/webhooks/twilio/unknown/voice',
      token: null,
      payload: 'CallSid=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
    });
    expect(res.statusCode).toBe(404);
  });

  it('lists calls with filters and exports them as CSV', async () => {
    const all = await t.call({ method: 'GET', url: `/api/v1/projects/${project.id}/calls` });
    expect(all.json().length).toBeGreaterThanOrEqual(5);
    const offline = await t.call({
      method: 'GET',
      url: `/api/v1/projects/${project.id}/calls?channel=offline`,
    });
    expect(offline.json().every((c: { channel: string }) => c.channel === 'offline')).toBe(true);
    const targets = await t.call({ method: 'GET', url: `/api/v1/projects/${project.id}/calls?target=true` });
    expect(targets.json()).toHaveLength(1);
    const bad = await t.call({ method: 'GET', url: `/api/v1/projects/${project.id}/calls?from=yesterday` });
    expect(bad.statusCode).toBe(400);
    const csv = await t.call({ method: 'GET', url: `/api/v1/projects/${project.id}/calls/export.csv` });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toContain('id,startedAt,caller');
    expect(lines).toHaveLength(all.json().length + 1);
  });
});
