import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createCallProject, visitFromGoogleAd } from '../helpers/factories.js';

const PUBLIC_URL = 'https://ct.example.com';
// A Standard Webhooks secret: whsec_ + base64 of 32 random bytes.
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
let counter = 0;
const pbxId = () => `1768467600.${++counter}`;

describe.each(testDatabases())('calls through the generic webhook on $name', (database) => {
  let t: TestApp;
  let project: { id: string; publicKey: string };
  let eventsUrl: string;
  let poolNumber: string;
  let billboardNumber: string;
  let caller = '';

  /**
   * A webhook as a Standard Webhooks sender makes it: HMAC-SHA256 with the base64-decoded secret over
   * "<webhook-id>.<webhook-timestamp>.<raw body>", sent as "v1,<base64>".
   */
  const send = (
    body: object | string,
    opts: { sign?: 'valid' | 'none' | 'wrong'; timestamp?: number; url?: string } = {},
  ) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const timestamp = opts.timestamp ?? Math.floor(t.clock.now() / 1000);
    const key =
      opts.sign === 'wrong' ? randomBytes(32) : Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${raw}`).digest('base64');
    return t.call({
      method: 'POST',
      url: (opts.url ?? eventsUrl).slice(PUBLIC_URL.length),
      token: null,
      payload: raw,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        ...(opts.sign !== 'none' && { 'webhook-signature': `v1,${signature}` }),
      },
    });
  };
  const event = (name: string, callId: string, to: string, extra: Record<string, unknown> = {}) => ({
    event: name,
    callId,
    caller,
    called: to,
    at: new Date(t.clock.now()).toISOString(),
    ...extra,
  });
  const callRow = (id: string) =>
    t.deps.database.db
      .selectFrom('call')
      .selectAll()
      .where('provider', '=', 'generic')
      .where('provider_call_id', '=', id)
      .executeTakeFirst();
  const countCalls = async () => (await t.deps.database.db.selectFrom('call').select('id').execute()).length;

  beforeAll(async () => {
    t = await createTestApp(await database.open(), { PUBLIC_URL });
    const setup = await createCallProject(t, {
      destination: { name: 'Офис', kind: 'sip', target: 'sip:reception@pbx.clinic.example.ru' },
      account: { provider: 'generic', name: 'Asterisk', credentials: { secret: SECRET } },
    });
    project = setup.project;
    poolNumber = setup.poolNumber;
    billboardNumber = setup.billboardNumber;
    const account = setup.account;
    expect(account.statusCode).toBe(201);
    expect(account.body).not.toContain(SECRET);
    eventsUrl = account.json().webhookUrls.events;
    expect(eventsUrl).toBe(`${PUBLIC_URL}/webhooks/generic/${account.json().id}/events`);
  });
  afterAll(() => t.close());
  beforeEach(() => {
    caller = `+7916777${String(++counter).padStart(4, '0')}`;
  });

  it('answers call.started with where to forward, and completes the call from the later events', async () => {
    const page = await visitFromGoogleAd(t, project.publicKey);
    expect(page.json().swap[0].to).toBe(poolNumber.slice(1));
    t.clock.advance(30_000);
    const id = pbxId();
    const startedAt = t.clock.now();
    const started = await send(event('call.started', id, poolNumber));
    expect(started.statusCode).toBe(200);
    expect(started.json()).toEqual({
      callId: expect.any(String),
      forwardTo: { kind: 'sip', target: 'sip:reception@pbx.clinic.example.ru' },
    });
    expect(await callRow(id)).toMatchObject({
      id: started.json().callId,
      project_id: project.id,
      caller,
      tracking_number: poolNumber,
      status: 'ringing',
      started_at: startedAt,
      visit_id: page.json().visit,
      channel: 'paid',
      source: 'google',
      confidence: 100,
    });

    t.clock.advance(6_000);
    const answered = await send(event('call.answered', id, poolNumber));
    expect(answered.json()).toEqual({ callId: started.json().callId });
    t.clock.advance(95_000);
    const recordingUrl = 'https://pbx.clinic.example.ru/recordings/1768467600.1.wav';
    // Epoch milliseconds work as well as ISO 8601.
    const ended = await send(
      event('call.ended', id, poolNumber, {
        at: t.clock.now(),
        status: 'answered',
        talkSeconds: 95,
        recordingUrl,
      }),
    );
    expect(ended.statusCode).toBe(200);
    const done = await callRow(id);
    expect(done).toMatchObject({
      status: 'answered',
      answered_at: startedAt + 6_000,
      ended_at: startedAt + 101_000,
      talk_seconds: 95,
      wait_seconds: 6,
      is_target: 1,
      recording_url: recordingUrl,
    });

    // Redelivered events (new webhook-id and timestamp, same content) change nothing.
    const again = await send(
      event('call.started', id, poolNumber, { at: new Date(startedAt).toISOString() }),
    );
    expect(again.json().callId).toBe(started.json().callId);
    await send(event('call.ended', id, poolNumber, { status: 'no-answer' }));
    const rows = await t.deps.database.db
      .selectFrom('call')
      .selectAll()
      .where('provider_call_id', '=', id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual(done);
  });

  it('creates a call from call.ended alone, busy on a static channel', async () => {
    const id = pbxId();
    const res = await send(event('call.ended', id, billboardNumber, { status: 'busy' }));
    expect(res.json()).toEqual({ callId: expect.any(String) });
    expect(await callRow(id)).toMatchObject({
      status: 'busy',
      channel: 'offline',
      source: 'billboard',
      confidence: 100,
      ended_at: t.clock.now(),
      talk_seconds: null,
    });
  });

  it('ends an unanswered call as no-answer when no status is given', async () => {
    const id = pbxId();
    await send(event('call.started', id, billboardNumber));
    t.clock.advance(20_000);
    await send(event('call.ended', id, billboardNumber));
    expect(await callRow(id)).toMatchObject({ status: 'no-answer', answered_at: null, wait_seconds: 20 });
  });

  it('stores nothing for a number it does not know, and says so', async () => {
    const before = await countCalls();
    const res = await send(event('call.started', pbxId(), '+74990000000'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      callId: null,
      forwardTo: null,
      note: expect.stringContaining('nothing was stored'),
    });
    expect(await countCalls()).toBe(before);
  });

  it.each([
    ['unsigned', { sign: 'none' }, 401],
    ['wrongly signed', { sign: 'wrong' }, 403],
    ['replayed after 5 minutes', { timestamp: 'old' }, 403],
    ['dated in the future', { timestamp: 'future' }, 403],
  ] as const)('refuses %s webhooks and stores nothing', async (_name, opts, status) => {
    const id = pbxId();
    const now = Math.floor(t.clock.now() / 1000);
    const timestamp = 'timestamp' in opts ? (opts.timestamp === 'old' ? now - 301 : now + 301) : undefined;
    const res = await send(event('call.started', id, poolNumber), {
      ...('sign' in opts && { sign: opts.sign }),
      ...(timestamp !== undefined && { timestamp }),
    });
    expect(res.statusCode).toBe(status);
    expect(await callRow(id)).toBeUndefined();
  });

  it('refuses malformed, invalid and oversized bodies, and unknown accounts', async () => {
    const before = await countCalls();
    const broken = await send('{"event":"call.started",');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('invalid_json');
    const invalid = await send(event('call.ringing', pbxId(), poolNumber));
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toMatchObject({ code: 'validation_failed', details: expect.any(Array) });
    const localTime = await send(event('call.started', pbxId(), poolNumber, { at: '2026-01-15 12:00:00' }));
    expect(localTime.statusCode).toBe(400);
    const huge = await send(event('call.started', pbxId(), poolNumber, { pad: 'x'.repeat(70_000) }));
    expect(huge.statusCode).toBe(413);
    const form = await t.call({
      method: 'POST',
      url: eventsUrl.slice(PUBLIC_URL.length),
      token: null,
      payload: 'event=call.started',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(415);
    const unknown = await send(event('call.started', pbxId(), poolNumber), {
      url: `${PUBLIC_URL}/webhooks/generic/nope/events`,
    });
    expect(unknown.statusCode).toBe(404);
    expect(await countCalls()).toBe(before);
  });
});
