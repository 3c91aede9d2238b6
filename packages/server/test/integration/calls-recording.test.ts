import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as archiveMigration from '../../src/db/migrations/2026_11_25_1000_recording_archive.js';
import { ARCHIVE_RETRY_MS } from '../../src/modules/calls/recording-archive.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createCallProject, createKey } from '../helpers/factories.js';
import { AUDIO, type FakeProviders, startFakeProviders } from '../helpers/fake-providers.js';
import { outboxOf } from '../helpers/integration-calls.js';

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
  const copiesDir = mkdtempSync(join(tmpdir(), 'ringtrace-recordings-'));
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

  /** A webhook integration of a provider's project that hears these events (its receiver is never called here). */
  const webhookIn = async (p: Provider, events: string[]): Promise<{ id: string }> => {
    const created = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${setups[p].projectId}/integrations`,
      payload: {
        kind: 'webhook',
        name: events.join(', '),
        events,
        settings: {
          url: 'https://crm.example.com/hook',
          secret: `whsec_${randomBytes(24).toString('base64')}`,
        },
      },
    });
    expect(created.statusCode).toBe(201);
    return created.json();
  };

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
      RECORDINGS_DIR: copiesDir,
      RECORDINGS_KEEP_DAYS: '30',
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
    rmSync(copiesDir, { recursive: true, force: true });
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

  it("gives integrations a link that plays the recording without credentials, and only that call's", async () => {
    const hook = await webhookIn('zadarma', ['call.ended']);
    const id = await zadarmaCall();
    const {
      provider_call_id: pbxId,
      caller: from,
      started_at: startedAt,
    } = await t.deps.database.db
      .selectFrom('call')
      .select(['provider_call_id', 'caller', 'started_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const start = moscowTime(Number(startedAt));
    const end = {
      event: 'NOTIFY_END',
      call_start: start,
      pbx_call_id: pbxId,
      caller_id: from.slice(1),
      called_did: digits(setups.zadarma.number),
      internal: '100',
      duration: '42',
      disposition: 'answered',
      status_code: '16',
      is_recorded: '1',
      call_id_with_rec: `${pbxId}.rec`,
    };
    expect((await zadarma(end, end.caller_id + end.called_did + end.call_start)).statusCode).toBe(200);
    const [event] = await outboxOf(t, hook.id);
    const data = JSON.parse(event?.payload ?? '{}').data;
    // The provider's URL needs the account's signature; the link does not.
    expect(data.call.recordingUrl).toContain('/v1/pbx/record/request/');
    expect(data.recordingLink).toMatch(new RegExp(`^${PUBLIC_URL}/recordings/${id}\\?t=[\\w-]{27}$`));
    const link = String(data.recordingLink).slice(PUBLIC_URL.length);
    const played = await t.call({ method: 'GET', url: link, token: null });
    expect(played.statusCode).toBe(200);
    expect(played.rawPayload.equals(AUDIO)).toBe(true);
    const ranged = await t.call({ method: 'GET', url: link, token: null, headers: { range: 'bytes=0-9' } });
    expect(ranged.statusCode).toBe(206);
    // The token signs that call only; a bad one tells nothing.
    const other = await zadarmaCall();
    for (const url of [link.replace(id, other), `${link.slice(0, -3)}AAA`, `/recordings/${id}?t=`]) {
      const refused = await t.call({ method: 'GET', url, token: null });
      expect(refused.statusCode, url).toBe(404);
      expect(refused.json().error.code).toBe('not_found');
    }
    expect((await t.call({ method: 'GET', url: `/recordings/${id}`, token: null })).statusCode).toBe(400);
  });

  it('tells a webhook when a recording reported after the call is there, with its playable link', async () => {
    const hook = await webhookIn('mango', ['call.recorded']);
    const call = await mangoCall('recording');
    const events = await outboxOf(t, hook.id);
    expect(events.map((e) => e.type)).toEqual(['call.recorded']);
    const data = JSON.parse(events[0]?.payload ?? '{}').data;
    expect(data.call.id).toBe(call.id);
    expect(data.recordingLink).toMatch(new RegExp(`^${PUBLIC_URL}/recordings/${call.id}\\?t=`));
    // Reported again, the same recording is not news.
    const again = {
      entry_id: call.entry,
      call_id: `${call.entry}-1`,
      recording_id: call.recordingId,
      extension: '101',
    };
    expect((await mango('recording', { ...again, recording_state: 'Completed' })).statusCode).toBe(200);
    expect(await outboxOf(t, hook.id)).toHaveLength(1);
  });

  describe("Ringtrace's own copies", () => {
    const copyDue = () => t.deps.services.recordingArchive.copyDue(100);
    const copyOf = (callId: string) =>
      t.deps.database.db
        .selectFrom('recording_archive')
        .selectAll()
        .where('call_id', '=', callId)
        .executeTakeFirst();

    it("copies each provider's recording, and plays the copy once the provider cannot give it any more", async () => {
      const calls = {
        mango: (await mangoCall()).id,
        zadarma: await zadarmaCall(),
        twilio: await twilioCall(),
      };
      await copyDue();
      for (const id of Object.values(calls)) {
        const copy = await copyOf(id);
        expect(copy).toMatchObject({ state: 'stored', content_type: 'audio/mpeg', attempts: 1, error: null });
        expect(Number(copy?.bytes)).toBe(AUDIO.length);
        expect(copy?.file).toMatch(/^[0-9a-f-]{36}\/[0-9a-f-]{36}\.mp3$/);
        expect(readFileSync(join(copiesDir, copy?.file ?? '')).equals(AUDIO)).toBe(true);
      }
      const fetched = fake.seen.length;
      fake.hangUp = true;
      try {
        for (const [provider, id] of Object.entries(calls) as [Provider, string][]) {
          const res = await recording(provider, id);
          expect(res.statusCode, provider).toBe(200);
          expect(res.headers['content-type']).toBe('audio/mpeg');
          expect(res.rawPayload.equals(AUDIO)).toBe(true);
        }
        const part = await recording('zadarma', calls.zadarma, { range: 'bytes=100-199' });
        expect(part.statusCode).toBe(206);
        expect(part.headers['content-range']).toBe(`bytes 100-199/${AUDIO.length}`);
        expect(part.rawPayload.equals(AUDIO.subarray(100, 200))).toBe(true);
        const etag = String(part.headers.etag);
        const again = await t.call({
          method: 'GET',
          url: `/api/v1/projects/${setups.zadarma.projectId}/calls/${calls.zadarma}/recording`,
          headers: { 'if-none-match': etag },
        });
        expect(again.statusCode).toBe(304);
        // Another tenant still gets nothing.
        expect((await recording('mango', calls.zadarma)).statusCode).toBe(404);
      } finally {
        fake.hangUp = false;
      }
      expect(fake.seen.length).toBe(fetched);
    });

    it("copies a newer recording of the same call over the older one; a PBX's URL is not copied", async () => {
      const call = await mangoCall();
      await copyDue();
      const first = await copyOf(call.id);
      expect(first?.state).toBe('stored');
      const later = {
        entry_id: call.entry,
        call_id: `${call.entry}-2`,
        recording_id: `MToxMDE${next()}`,
        extension: '102',
      };
      expect((await mango('recording', { ...later, recording_state: 'Completed' })).statusCode).toBe(200);
      expect(await copyOf(call.id)).toMatchObject({
        state: 'pending',
        attempts: 0,
        recording_url: expect.stringContaining(later.recording_id),
      });
      await copyDue();
      expect(await copyOf(call.id)).toMatchObject({ state: 'stored', file: first?.file });
      // The same URL reported again changes nothing.
      expect((await mango('recording', { ...later, recording_state: 'Completed' })).statusCode).toBe(200);
      expect((await copyOf(call.id))?.state).toBe('stored');

      const callId = `1768467600.${next()}`;
      const body = { callId, caller: `+${caller()}`, called: setups.generic.number, at: t.clock.now() };
      const ended = await generic({
        ...body,
        event: 'call.ended',
        status: 'answered',
        recordingUrl: 'https://pbx.example.com/r/2.mp3',
      });
      expect(await copyOf(ended.json().callId)).toBeUndefined();
    });

    it('plays from the provider again when the copy was removed from the disk', async () => {
      const id = await zadarmaCall();
      await copyDue();
      const copy = await copyOf(id);
      rmSync(join(copiesDir, copy?.file ?? ''));
      const res = await recording('zadarma', id);
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(AUDIO)).toBe(true);
    });

    it('deleting a project deletes its copies', async () => {
      await twilioCall();
      await copyDue();
      const dir = join(copiesDir, setups.twilio.projectId);
      expect(existsSync(dir)).toBe(true);
      const removed = await t.call({ method: 'DELETE', url: `/api/v1/projects/${setups.twilio.projectId}` });
      expect(removed.statusCode).toBe(204);
      expect(existsSync(dir)).toBe(false);
      expect(existsSync(join(copiesDir, setups.zadarma.projectId))).toBe(true);
    });

    // The last two in the file: they move the clock on by days.
    it('tries a failed copy again later, and gives it up after the last wait', async () => {
      const id = await zadarmaCall();
      fake.hangUp = true;
      try {
        await copyDue();
        const failed = await copyOf(id);
        expect(failed).toMatchObject({ state: 'pending', attempts: 1 });
        expect(failed?.error).toMatch(/could not be reached/);
        expect(Number(failed?.due_at)).toBe(t.clock.now() + (ARCHIVE_RETRY_MS[0] ?? 0));
        await copyDue(); // not due yet
        expect((await copyOf(id))?.attempts).toBe(1);
        for (const wait of ARCHIVE_RETRY_MS) {
          t.clock.advance(wait);
          await copyDue();
        }
        expect(await copyOf(id)).toMatchObject({ state: 'failed', attempts: ARCHIVE_RETRY_MS.length + 1 });
        expect(existsSync(join(copiesDir, setups.zadarma.projectId, `${id}.mp3`))).toBe(false);
      } finally {
        fake.hangUp = false;
      }
      // Given up as a copy, it still plays from the provider.
      expect((await recording('zadarma', id)).statusCode).toBe(200);
    });

    it('deletes the copies older than RECORDINGS_KEEP_DAYS, which then play from the provider', async () => {
      const archive = t.deps.services.recordingArchive;
      const id = await zadarmaCall();
      await copyDue();
      const copy = await copyOf(id);
      expect(copy?.state).toBe('stored');
      expect(await archive.expireOld(true)).toBe(0);
      t.clock.advance(31 * 86_400_000);
      expect(await archive.expireOld(true)).toBeGreaterThan(0);
      expect(await copyOf(id)).toMatchObject({ state: 'expired', file: null });
      expect(existsSync(join(copiesDir, copy?.file ?? ''))).toBe(false);
      const res = await recording('zadarma', id);
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(AUDIO)).toBe(true);
      // Unforced, it runs at most once an hour: a copy made old by hand waits for the next hour's run.
      const later = await zadarmaCall();
      await copyDue();
      await t.deps.database.db
        .updateTable('recording_archive')
        .set({ due_at: t.clock.now() - 40 * 86_400_000 })
        .where('call_id', '=', later)
        .execute();
      expect(await archive.expireOld()).toBe(0);
      t.clock.advance(3_600_000);
      expect(await archive.expireOld()).toBe(1);
    });

    it('its migration asks for copies of the recordings of the calls made before it', async () => {
      const db = t.deps.database.db;
      await archiveMigration.down(db);
      await archiveMigration.up(db);
      const recorded = await db
        .selectFrom('call')
        .select(['id', 'provider'])
        .where('recording_url', 'is not', null)
        .execute();
      const queued = await db.selectFrom('recording_archive').select(['call_id', 'state']).execute();
      const copied = recorded.filter((c) => c.provider !== 'generic');
      expect(recorded.length).toBeGreaterThan(copied.length); // the generic webhook's are not copied
      expect(queued.map((q) => q.call_id).sort()).toEqual(copied.map((c) => c.id).sort());
      expect(new Set(queued.map((q) => q.state))).toEqual(new Set(['pending']));
    });
  });
});
