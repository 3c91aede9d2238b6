import { createHash, createHmac, randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createCallProject, createKey } from '../helpers/factories.js';
import { AUDIO, type FakeProviders, startFakeProviders } from '../helpers/fake-providers.js';

const PUBLIC_URL = 'https://ct.example.com';
const TWILIO = { accountSid: `AC${'5'.repeat(32)}`, authToken: 'f7c3a1e9d2b84c56a0e1f2d3c4b5a697' };
const ZADARMA = { key: 'a1b2c3d4e5f6a7b8c9d0', secret: 'f0e9d8c7b6a5f4e3d2c1' };
const MANGO = { key: 'k3y0m7xq2v9p5w1r8t4y6u0i3o5p7a9s', salt: 'z5x7c9v1b3n5m7q9w2e4r6t8y0u2i4o6' };
const GENERIC = `whsec_${randomBytes(32).toString('base64')}`;
let counter = 0;
const next = () => ++counter;
const moscowTime = (ms: number) => new Date(ms + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
type Provider = 'twilio' | 'zadarma' | 'mango' | 'generic';

describe.each(testDatabases())('call recordings on $name', (database) => {
  let t: TestApp;
  let fake: FakeProviders;
  const setups = {} as Record<Provider, { projectId: string; number: string; hooks: Record<string, string> }>;
  const digits = (e164: string) => e164.slice(1);
  const caller = () => `7916444${String(next()).padStart(4, '0')}`;
  const post = (url: string, payload: string, headers: Record<string, string>) =>
    t.call({ method: 'POST', url: url.slice(PUBLIC_URL.length), token: null, payload, headers });
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  const mango = (type: string, body: object) => {
    const json = JSON.stringify(body);
    const sign = createHash('sha256').update(`${MANGO.key}${json}${MANGO.salt}`).digest('hex');
    const payload = new URLSearchParams({ vpbx_api_key: MANGO.key, sign, json }).toString();
    return post(`${setups.mango.hooks.base}/events/${type}`, payload, form);
  };
  const zadarma = (fields: Record<string, string>, signed: string) => {
    const hex = createHmac('sha1', ZADARMA.secret).update(signed).digest('hex');
    return post(setups.zadarma.hooks.events as string, new URLSearchParams(fields).toString(), {
      ...form,
      signature: Buffer.from(hex).toString('base64'),
    });
  };
  const twilioPost = (hook: string, params: Record<string, string>) => {
    const url = setups.twilio.hooks[hook] as string;
    const signature = twilio.getExpectedTwilioSignature(TWILIO.authToken, url, params);
    return post(url, new URLSearchParams(params).toString(), { ...form, 'x-twilio-signature': signature });
  };
  const generic = (body: object) => {
    const raw = JSON.stringify(body);
    const id = `msg_${next()}`;
    const ts = Math.floor(t.clock.now() / 1000);
    const key = Buffer.from(GENERIC.slice('whsec_'.length), 'base64');
    const sig = createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest('base64');
    return post(setups.generic.hooks.events as string, raw, {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(ts),
      'webhook-signature': `v1,${sig}`,
    });
  };
  const recording = (p: Provider, callId: string, o: { range?: string; token?: string } = {}) =>
    t.call({
      method: 'GET',
      url: `/api/v1/projects/${setups[p].projectId}/calls/${callId}/recording`,
      ...(o.token && { token: o.token }),
      ...(o.range && { headers: { range: o.range } }),
    });
  const row = (providerCallId: string) =>
    t.deps.database.db
      .selectFrom('call')
      .selectAll()
      .where('provider_call_id', '=', providerCallId)
      .executeTakeFirstOrThrow();

  /** Calls with a recording at each provider, made through their webhooks; returns the Ringtrace call ids. */
  async function mangoCall(recorded: 'recording' | 'record/added' | 'none' = 'recording') {
    const entry = `MTAxMDg0NTYy${String(next()).padStart(8, '0')}`;
    const appeared = await mango('call', {
      entry_id: entry,
      call_id: `${entry}-1`,
      timestamp: Math.floor(t.clock.now() / 1000),
      seq: 1,
      call_state: 'Appeared',
      location: 'ivr',
      from: { number: caller() },
      to: { number: digits(setups.mango.number), line_number: digits(setups.mango.number) },
    });
    expect(appeared.statusCode).toBe(200);
    const recordingId = `MToxMDEyODIxOToyMDIzMDU5NDk5Mjow${next()}`;
    if (recorded === 'recording') {
      const event = { entry_id: entry, call_id: `${entry}-1`, recording_id: recordingId, extension: '101' };
      const started = await mango('recording', { ...event, recording_state: 'Started' });
      expect(started.json().note).toMatch(/not complete/);
      expect((await row(entry)).recording_url).toBeNull();
      expect(
        (await mango('recording', { ...event, recording_state: 'Completed' })).json().callId,
      ).toBeTruthy();
    } else if (recorded === 'record/added') {
      const added = await mango('record/added', { entry_id: entry, recording_id: recordingId, user_id: '1' });
      expect(added.json().callId).toBeTruthy();
    }
    return { id: (await row(entry)).id, entry, recordingId };
  }
  async function zadarmaCall() {
    const id = `in_${String(next()).padStart(40, 'b')}`;
    const start = {
      event: 'NOTIFY_START',
      call_start: moscowTime(t.clock.now()),
      pbx_call_id: id,
      caller_id: caller(),
      called_did: digits(setups.zadarma.number),
    };
    expect((await zadarma(start, start.caller_id + start.called_did + start.call_start)).statusCode).toBe(
      200,
    );
    const rec = `${id}.rec`;
    const record = { event: 'NOTIFY_RECORD', pbx_call_id: id, call_id_with_rec: rec };
    expect((await zadarma(record, id + rec)).statusCode).toBe(200);
    return (await row(id)).id;
  }
  async function twilioCall() {
    const sid = `CA${String(next()).padStart(32, '0')}`;
    const base = { CallSid: sid, AccountSid: TWILIO.accountSid };
    const voice = await twilioPost('voice', { ...base, From: `+${caller()}`, To: setups.twilio.number });
    expect(voice.statusCode).toBe(200);
    const recordingUrl = `${fake.origin}/2010-04-01/Accounts/${TWILIO.accountSid}/Recordings/RE${sid.slice(2)}`;
    const done = { ...base, RecordingStatus: 'completed', RecordingUrl: recordingUrl, RecordingSid: 'RE1' };
    expect((await twilioPost('recording', done)).statusCode).toBe(204);
    return (await row(sid)).id;
  }

  beforeAll(async () => {
    fake = await startFakeProviders({ twilio: { ...TWILIO }, zadarma: { ...ZADARMA }, mango: { ...MANGO } });
    t = await createTestApp(await database.open(), {
      PUBLIC_URL,
      TWILIO_API_URL: fake.origin,
      ZADARMA_API_URL: fake.origin,
      MANGO_API_URL: `${fake.origin}/vpbx`,
    });
    const credentials: Record<Provider, Record<string, string>> = {
      twilio: { authToken: TWILIO.authToken },
      zadarma: { apiKey: ZADARMA.key, apiSecret: ZADARMA.secret },
      mango: { apiKey: MANGO.key, apiSalt: MANGO.salt },
      generic: { secret: GENERIC },
    };
    for (const provider of Object.keys(credentials) as Provider[]) {
      const setup = await createCallProject(t, {
        destination: { name: 'Офис', kind: 'phone', target: '+74957778899' },
        account: { provider, name: provider, credentials: credentials[provider] },
      });
      expect(setup.account.statusCode).toBe(201);
      const hooks = setup.account.json().webhookUrls;
      setups[provider] = { projectId: setup.project.id, number: setup.poolNumber, hooks };
    }
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('Mango: events/recording Completed stores the recording, which plays through the signed API', async () => {
    const call = await mangoCall('recording');
    const stored = await row(call.entry);
    expect(stored.recording_url).toBe(
      `https://app.mango-office.ru/vpbx/queries/recording/post?recording_id=${call.recordingId}`,
    );
    expect(stored.provider_account_id).toBeTruthy();
    const res = await recording('mango', call.id);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/mpeg');
    expect(res.rawPayload.equals(AUDIO)).toBe(true);
    expect(fake.seen).toContain('POST /vpbx/queries/recording/post');
  });

  it('Mango: events/record/added stores it too; the recording of an unknown entry waits for its call, creating none', async () => {
    const call = await mangoCall('record/added');
    expect((await row(call.entry)).recording_url).toContain(call.recordingId);
    const unknown = await mango('record/added', { entry_id: 'no-such-entry', recording_id: 'x' });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json().note).toMatch(/not known yet/);
    await expect(row('no-such-entry')).rejects.toThrow();
  });

  it('passes a byte range on and answers 206', async () => {
    const call = await mangoCall('recording');
    const res = await recording('mango', call.id, { range: 'bytes=100-199' });
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes 100-199/${AUDIO.length}`);
    expect(res.rawPayload.equals(AUDIO.subarray(100, 200))).toBe(true);
  });

  it('Zadarma: asks the signed API for the temporary link, then streams the file', async () => {
    const id = await zadarmaCall();
    const res = await recording('zadarma', id);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/mpeg');
    expect(res.headers['content-length']).toBe(String(AUDIO.length));
    expect(res.rawPayload.equals(AUDIO)).toBe(true);
  });

  it('Twilio: fetches RecordingUrl.mp3 with Basic AccountSid:AuthToken', async () => {
    const id = await twilioCall();
    const res = await recording('twilio', id);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(AUDIO)).toBe(true);
  });

  it('generic webhook: redirects to the URL the PBX sent', async () => {
    const callId = `1768467600.${next()}`;
    const url = 'https://pbx.example.com/recordings/1.mp3';
    const body = { callId, caller: `+${caller()}`, called: setups.generic.number, at: t.clock.now() };
    const ended = await generic({ ...body, event: 'call.ended', status: 'answered', recordingUrl: url });
    expect(ended.statusCode).toBe(200);
    const res = await recording('generic', ended.json().callId);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(url);
  });

  it('a provider that refuses the credentials is a 502 recording_unavailable with its status', async () => {
    const [mangoId, zadarmaId, twilioId] = [(await mangoCall()).id, await zadarmaCall(), await twilioCall()];
    fake.mango.salt = 'rotated';
    fake.zadarma.secret = 'rotated';
    fake.twilio.authToken = 'rotated';
    try {
      for (const [provider, id] of [
        ['mango', mangoId],
        ['zadarma', zadarmaId],
        ['twilio', twilioId],
      ] as const) {
        const res = await recording(provider, id);
        expect(res.statusCode, provider).toBe(502);
        expect(res.json().error.code).toBe('recording_unavailable');
        expect(res.json().error.message).toMatch(/answered 401/);
      }
    } finally {
      Object.assign(fake, { mango: { ...MANGO }, zadarma: { ...ZADARMA }, twilio: { ...TWILIO } });
    }
  });

  it('a provider that cannot be reached is a 502, not a crash', async () => {
    const id = await zadarmaCall();
    fake.hangUp = true;
    try {
      const res = await recording('zadarma', id);
      expect(res.statusCode).toBe(502);
      expect(res.json().error).toMatchObject({ code: 'recording_unavailable' });
      expect(res.json().error.message).toMatch(/could not be reached/);
    } finally {
      fake.hangUp = false;
    }
  });

  it('a call without a recording is 404, and so is a call of another tenant', async () => {
    const bare = await mangoCall('none');
    const none = await recording('mango', bare.id);
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('not_found');

    const zadarmaId = await zadarmaCall();
    // Another project's call under one's own project id…
    expect((await recording('mango', zadarmaId)).statusCode).toBe(404);
    // …and a key that sees only the Mango project asking for the Zadarma one.
    const token = await createKey(t, { role: 'analyst', projectIds: [setups.mango.projectId] });
    const foreign = await recording('zadarma', zadarmaId, { token });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('not_found');
  });
});
