import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxDispatcher } from '../../src/modules/integrations/outbox-dispatcher.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { type FakeIntegrations, startFakeIntegrations } from '../helpers/fake-integrations.js';
import {
  type CallOptions,
  deliveriesOf,
  GA_CLIENT_ID,
  type IntegrationsProject,
  integrationsProject,
  PUBLIC_URL,
  answeredCall as sharedAnsweredCall,
  outboxOf as sharedOutboxOf,
  YM_CLIENT_ID,
} from '../helpers/integration-calls.js';

let counter = 0;

describe.each(testDatabases())('outbound integrations on $name', (database) => {
  let t: TestApp;
  let fake: FakeIntegrations;

  beforeAll(async () => {
    fake = await startFakeIntegrations();
    t = await createTestApp(await database.open(), {
      PUBLIC_URL,
      GA4_BASE_URL: fake.origin,
      METRICA_API_URL: fake.origin,
      INTEGRATION_TIMEOUT_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const project = (integrations: Record<string, unknown>[]) => integrationsProject(t, integrations);
  const answeredCall = (p: IntegrationsProject, o?: CallOptions) => sharedAnsweredCall(t, p, o);
  const outboxOf = (integrationId: string) => sharedOutboxOf(t, integrationId);
  const deliveries = (projectId: string, id: string) => deliveriesOf(t, projectId, id);
  const dispatch = () => t.deps.services.outboxDispatcher.dispatchOnce();
  const hook = () => `/hooks/h${++counter}`;

  it("tells a webhook of a call's recording once it is stored (call.recorded), after the end", async () => {
    const path = hook();
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    fake.webhookSecrets.set(path, secret);
    const p = await project([
      {
        kind: 'webhook',
        name: 'Records',
        events: ['call.recorded'],
        settings: { url: `${fake.origin}${path}`, secret },
      },
    ]);
    const [integration] = p.integrations;
    const recording = 'https://pbx.example.ru/records/r-1.mp3';
    const call = await answeredCall(p, { recordingUrl: recording });
    expect((await outboxOf(integration.id)).map((r) => r.type)).toEqual(['call.recorded']);
    expect(await dispatch()).toBe(1);
    const [got] = fake.webhooks.filter((w) => w.path === path);
    expect(got?.body).toMatchObject({
      type: 'call.recorded',
      data: { call: { id: call.callId, recordingUrl: recording }, recordingLink: recording },
    });
    // The analytics, ad and CRM kinds take only a call's start and end.
    const refused = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${p.project.id}/integrations`,
      payload: {
        kind: 'amocrm',
        name: 'amo',
        events: ['call.recorded'],
        settings: { baseUrl: 'https://clinic.amocrm.ru', accessToken: 'x'.repeat(40) },
      },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/takes only call.started, call.ended/);
  });

  it('sends call.started and call.ended to a webhook, signed, each once', async () => {
    const path = hook();
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    fake.webhookSecrets.set(path, secret);
    const p = await project([
      { kind: 'webhook', name: 'CRM', settings: { url: `${fake.origin}${path}`, secret } },
    ]);
    const integration = p.integrations[0];
    expect(integration).toMatchObject({
      kind: 'webhook',
      enabled: true,
      events: ['call.started', 'call.ended', 'call.recorded'],
      settings: { url: `${fake.origin}${path}` },
      secretKeys: ['secret'],
    });
    expect(JSON.stringify(integration)).not.toContain(secret);

    const call = await answeredCall(p);
    const rows = await outboxOf(integration.id);
    expect(rows.map((r) => r.type)).toEqual(['call.started', 'call.ended']);
    expect(rows.every((r) => r.project_id === p.project.id && r.delivered_at === null)).toBe(true);

    expect(await dispatch()).toBe(2);
    expect(await dispatch()).toBe(0);
    const got = fake.webhooks.filter((w) => w.path === path);
    expect(fake.rejectedWebhooks.filter((w) => w.path === path)).toEqual([]);
    expect(got.map((w) => w.body.type).sort()).toEqual(['call.ended', 'call.started']);
    const ended = got.find((w) => w.body.type === 'call.ended');
    expect(ended?.headers['webhook-id']).toBe(rows[1]?.id);
    expect(ended?.signedAt).toBe(Math.floor(t.clock.now() / 1000));
    expect(ended?.raw).toBe(rows[1]?.payload);
    expect(ended?.body).toMatchObject({
      id: rows[1]?.id,
      type: 'call.ended',
      projectId: p.project.id,
      occurredAt: call.startedAt + 101_000,
      data: {
        call: {
          id: call.callId,
          caller: call.caller,
          trackingNumber: p.poolNumber,
          status: 'answered',
          talkSeconds: 95,
          waitSeconds: 6,
          firstTimeCaller: true,
          isTarget: true,
        },
        attribution: {
          channel: 'paid',
          source: 'google',
          medium: 'cpc',
          campaign: 'implants',
          keyword: 'dental implants',
          confidence: 100,
          gaClientId: GA_CLIENT_ID,
          ymClientId: YM_CLIENT_ID,
          landingUrl: expect.stringContaining('https://clinic.example.ru/implants'),
          clickIds: { gclid: 'abc' },
        },
      },
    });
    const stored = await outboxOf(integration.id);
    expect(stored.every((r) => r.delivered_at === t.clock.now() && r.attempts === 1)).toBe(true);
    const list = await deliveries(p.project.id, integration.id);
    expect(list.map((d) => [d.type, d.status, d.callId])).toEqual([
      ['call.ended', 'delivered', call.callId],
      ['call.started', 'delivered', call.callId],
    ]);
  });

  it('retries a 500 and a timeout with backoff, and delivers later', async () => {
    const path = hook();
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    fake.webhookSecrets.set(path, secret);
    fake.webhookReplies.set(path, [500, 'hang']);
    const p = await project([
      {
        kind: 'webhook',
        name: 'CRM',
        events: ['call.ended'],
        settings: { url: `${fake.origin}${path}`, secret },
      },
    ]);
    const id = p.integrations[0].id;
    await answeredCall(p);

    expect(await dispatch()).toBe(1);
    let [row] = await outboxOf(id);
    expect(row).toMatchObject({
      attempts: 1,
      delivered_at: null,
      failed_at: null,
      last_error: 'HTTP 500: {"ok":false}',
    });
    // 30 s less up to 20% jitter.
    const wait = (row?.available_at ?? 0) - t.clock.now();
    expect(wait).toBeGreaterThanOrEqual(24_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    expect(await dispatch()).toBe(0);

    t.clock.advance(30_000);
    expect(await dispatch()).toBe(1);
    [row] = await outboxOf(id);
    expect(row).toMatchObject({ attempts: 2, delivered_at: null, last_error: 'timed out after 1 s' });
    const secondWait = (row?.available_at ?? 0) - t.clock.now();
    expect(secondWait).toBeGreaterThanOrEqual(48_000);
    expect(secondWait).toBeLessThanOrEqual(60_000);

    t.clock.advance(60_000);
    expect(await dispatch()).toBe(1);
    [row] = await outboxOf(id);
    expect(row).toMatchObject({ attempts: 3, delivered_at: t.clock.now(), failed_at: null });
    const got = fake.webhooks.filter((w) => w.path === path);
    expect(got.map((w) => w.status)).toEqual([500, 0, 200]);
    expect(new Set(got.map((w) => w.body.id)).size).toBe(1);
  });

  it('fails on a 400 without retrying, and sends again when retried by the API', async () => {
    const path = hook();
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    fake.webhookSecrets.set(path, secret);
    fake.webhookReplies.set(path, [400]);
    const p = await project([
      {
        kind: 'webhook',
        name: 'CRM',
        events: ['call.ended'],
        settings: { url: `${fake.origin}${path}`, secret },
      },
    ]);
    const id = p.integrations[0].id;
    await answeredCall(p);
    expect(await dispatch()).toBe(1);
    t.clock.advance(6 * 3_600_000);
    expect(await dispatch()).toBe(0);
    const [failed] = await deliveries(p.project.id, id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 400: {"ok":false}' });

    const url = `/api/v1/projects/${p.project.id}/integrations/${id}/deliveries/${failed?.id}/retry`;
    const retried = await t.call({ method: 'POST', url });
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ id: failed?.id, status: 'pending', attempts: 0 });
    expect(await dispatch()).toBe(1);
    expect((await deliveries(p.project.id, id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(fake.webhooks.filter((w) => w.path === path).map((w) => w.status)).toEqual([400, 200]);
    // Only failed deliveries are retried.
    expect((await t.call({ method: 'POST', url })).json().error.code).toBe('conflict');
  });

  it('does not send the events of a disabled integration, and marks them failed', async () => {
    const path = hook();
    fake.webhookSecrets.set(path, 'whsec_not-used-by-anyone-here');
    const p = await project([{ kind: 'webhook', name: 'CRM', settings: { url: `${fake.origin}${path}` } }]);
    const id = p.integrations[0].id;
    // A generated secret is shown once, on create.
    expect(p.integrations[0].secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await answeredCall(p);
    const off = await t.call({
      method: 'PATCH',
      url: `/api/v1/projects/${p.project.id}/integrations/${id}`,
      payload: { enabled: false },
    });
    expect(off.json()).toMatchObject({ enabled: false });
    expect(off.json().secret).toBeUndefined();
    expect(await dispatch()).toBe(2);
    const list = await deliveries(p.project.id, id);
    expect(list.map((d) => [d.status, d.lastError])).toEqual([
      ['failed', 'integration disabled'],
      ['failed', 'integration disabled'],
    ]);
    expect(fake.webhooks.filter((w) => w.path === path)).toEqual([]);
    // While it is off, calls owe it nothing.
    await answeredCall(p);
    expect(await outboxOf(id)).toHaveLength(2);
  });

  it('sends an ended call to GA4 as a conversion of the visit’s GA client id', async () => {
    const measurementId = `G-TEST${++counter}X`;
    fake.ga4Streams.set(measurementId, 'mp-secret-1');
    const p = await project([
      {
        kind: 'ga4',
        name: 'GA4',
        settings: { measurementId, apiSecret: 'mp-secret-1', value: 1500, currency: 'RUB' },
      },
    ]);
    const integration = p.integrations[0];
    expect(integration).toMatchObject({
      events: ['call.ended'],
      settings: { measurementId, eventName: 'generate_lead', value: 1500, currency: 'RUB' },
      secretKeys: ['apiSecret'],
    });
    // The site runs two GA4 streams; the visit's session of this integration's stream is the one credited.
    const sessionId = String(Math.floor(t.clock.now() / 1000) - 60);
    const streams = `_ga_${measurementId.slice(2)}=GS2.1.s${sessionId}$o2$g1$t1768467000$j0$l0$h0 _ga_OTHER=GS1.1.1700000000.1.0`;
    const call = await answeredCall(p, { ga: `GA1.1.${GA_CLIENT_ID}`, gs: streams });
    expect(await dispatch()).toBe(1);
    const hits = fake.ga4Hits.filter((h) => h.measurementId === measurementId);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.problems).toEqual([]);
    expect(hits[0]?.body).toEqual({
      client_id: GA_CLIENT_ID,
      timestamp_micros: call.startedAt * 1000,
      events: [
        {
          name: 'generate_lead',
          params: {
            method: 'phone_call',
            call_id: call.callId,
            call_duration: 95,
            first_time_caller: 1,
            engagement_time_msec: 100,
            session_id: sessionId,
            value: 1500,
            currency: 'RUB',
          },
        },
      ],
    });
    expect((await deliveries(p.project.id, integration.id))[0]).toMatchObject({
      status: 'delivered',
      note: null,
    });
  });

  it('skips a call without a GA client id, and records why', async () => {
    const measurementId = `G-TEST${++counter}Y`;
    fake.ga4Streams.set(measurementId, 'mp-secret-2');
    const p = await project([
      { kind: 'ga4', name: 'GA4', settings: { measurementId, apiSecret: 'mp-secret-2' } },
    ]);
    const id = p.integrations[0].id;
    await answeredCall(p, { number: 'billboard' });
    await answeredCall(p, { ga: null });
    expect(await dispatch()).toBe(2);
    const list = await deliveries(p.project.id, id);
    expect(list.map((d) => [d.status, d.note, d.attempts])).toEqual([
      ['delivered', 'skipped: no GA client id', 0],
      ['delivered', 'skipped: no GA client id', 0],
    ]);
    expect(fake.ga4Hits.filter((h) => h.measurementId === measurementId)).toEqual([]);
  });

  it('uploads ended calls to Yandex Metrica as one CSV for the visits’ ClientIDs', async () => {
    const counterId = String(90_000 + ++counter);
    fake.metricaCounters.set(counterId, 'y0_good-token');
    const p = await project([
      { kind: 'metrica', name: 'Metrica', settings: { counterId, oauthToken: 'y0_good-token' } },
      { kind: 'metrica', name: 'Wrong token', settings: { counterId, oauthToken: 'y0_revoked' } },
    ]);
    const [good, bad] = p.integrations;
    const call = await answeredCall(p);
    await answeredCall(p, { ym: null });
    const later = await answeredCall(p, { ym: '1768000000999999999' });
    expect(await dispatch()).toBe(6);
    const uploads = fake.metricaUploads.filter((u) => u.counterId === counterId);
    // The two calls with a ClientID went in one file.
    expect(uploads).toHaveLength(1);
    expect(uploads[0]?.query.comment).toBe('Ringtrace: 2 calls');
    expect(uploads[0]?.header).toEqual([
      'ClientId',
      'DateTime',
      'PhoneNumber',
      'TalkDuration',
      'HoldDuration',
      'CallMissed',
      'FirstTimeCaller',
      'URL',
      'StaticCall',
    ]);
    expect(uploads[0]?.rows).toEqual([
      {
        ClientId: YM_CLIENT_ID,
        DateTime: String(Math.floor(call.startedAt / 1000)),
        PhoneNumber: call.caller,
        TalkDuration: '95',
        HoldDuration: '6',
        CallMissed: '0',
        FirstTimeCaller: '1',
        URL: expect.stringContaining('https://clinic.example.ru/implants?utm_source=google'),
        StaticCall: '0',
      },
      expect.objectContaining({
        ClientId: '1768000000999999999',
        DateTime: String(Math.floor(later.startedAt / 1000)),
        PhoneNumber: later.caller,
      }),
    ]);
    expect((await deliveries(p.project.id, good.id)).map((d) => [d.status, d.note, d.attempts])).toEqual([
      ['delivered', null, 1],
      ['delivered', 'skipped: no Metrica client id', 0],
      ['delivered', null, 1],
    ]);
    // A refused token is not retried: a person must fix it.
    const refused = await deliveries(p.project.id, bad.id);
    expect(refused.map((d) => d.status)).toEqual(['failed', 'delivered', 'failed']);
    expect(refused[0]?.lastError).toMatch(/^HTTP 401: .*Invalid oauth_token/);
    expect(fake.metricaRefused.filter((r) => r.counterId === counterId)).toHaveLength(1);
  });

  it('never sends one event twice when two dispatchers (two instances) run at once', async () => {
    const path = hook();
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    fake.webhookSecrets.set(path, secret);
    const p = await project([
      { kind: 'webhook', name: 'CRM', settings: { url: `${fake.origin}${path}`, secret } },
    ]);
    const id = p.integrations[0].id;
    const data = { call: { id: 'c' }, attribution: {} } as never;
    for (let i = 0; i < 30; i++)
      await t.deps.services.integrations.enqueue(t.deps.database.db, {
        projectId: p.project.id,
        type: 'call.ended',
        integrationIds: [id],
        occurredAt: t.clock.now(),
        data,
      });
    const second = new OutboxDispatcher({
      db: t.deps.database.db,
      dialect: t.deps.database.dialect,
      clock: t.clock,
      log: t.deps.log,
      integrations: t.deps.services.integrations,
      timeoutMs: 1000,
      allowPrivateNetworks: true,
      apis: t.deps.config.integrationApis,
    });
    let handled = 0;
    for (let round = 0; round < 4; round++) {
      const counts = await Promise.all([
        dispatch(),
        second.dispatchOnce(),
        dispatch(),
        second.dispatchOnce(),
      ]);
      handled += counts.reduce((a, b) => a + b, 0);
    }
    expect(handled).toBe(30);
    const got = fake.webhooks.filter((w) => w.path === path);
    expect(got).toHaveLength(30);
    expect(new Set(got.map((w) => w.body.id)).size).toBe(30);
    expect((await outboxOf(id)).every((r) => r.delivered_at !== null && r.attempts === 1)).toBe(true);
  });

  it('keeps the events of an integration it cannot read (another SECRET_KEY) owed, and delivers the others', async () => {
    const [a, b] = [hook(), hook()];
    for (const path of [a, b]) fake.webhookSecrets.set(path, 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3');
    const p = await project([
      {
        kind: 'webhook',
        name: 'A',
        events: ['call.ended'],
        settings: { url: `${fake.origin}${a}`, secret: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3' },
      },
      {
        kind: 'webhook',
        name: 'B',
        events: ['call.ended'],
        settings: { url: `${fake.origin}${b}`, secret: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3' },
      },
    ]);
    const [broken, fine] = p.integrations;
    await t.deps.database.db
      .updateTable('integration')
      .set({ secrets: 'sealed:v1:AAAA.BBBB.CCCC' })
      .where('id', '=', broken.id)
      .execute();
    await answeredCall(p);
    expect(await dispatch()).toBe(2);
    expect(fake.webhooks.filter((w) => w.path === b)).toHaveLength(1);
    expect(fake.webhooks.filter((w) => w.path === a)).toHaveLength(0);
    const [owed] = await outboxOf(broken.id);
    expect(owed).toMatchObject({ delivered_at: null, failed_at: null, attempts: 0 });
    expect(owed?.available_at).toBeGreaterThan(t.clock.now());
    expect((await outboxOf(fine.id))[0]?.delivered_at).toBe(t.clock.now());
    // Fixed (here: deleted), its event is settled in the round after the claim runs out.
    await t.call({ method: 'DELETE', url: `/api/v1/projects/${p.project.id}/integrations/${broken.id}` });
    t.clock.advance(2 * 60_000);
    expect(await dispatch()).toBe(1);
    expect((await outboxOf(broken.id))[0]).toMatchObject({ last_error: 'integration deleted' });
  });

  it('keeps secrets write-only, checks settings, and hides other projects’ integrations', async () => {
    const p = await project([
      { kind: 'ga4', name: 'GA4', settings: { measurementId: 'G-ABCDEF1', apiSecret: 'very-secret-value' } },
      { kind: 'metrica', name: 'M', settings: { counterId: '123', oauthToken: 'y0_very-secret-token' } },
    ]);
    const base = `/api/v1/projects/${p.project.id}/integrations`;
    const list = await t.call({ method: 'GET', url: base });
    expect(list.json()).toHaveLength(2);
    const one = await t.call({ method: 'GET', url: `${base}/${p.integrations[0].id}` });
    const patched = await t.call({
      method: 'PATCH',
      url: `${base}/${p.integrations[0].id}`,
      payload: { settings: { eventName: 'phone_lead' } },
    });
    expect(patched.json().settings).toEqual({ measurementId: 'G-ABCDEF1', eventName: 'phone_lead' });
    for (const res of [list, one, patched]) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('very-secret');
    }
    const stored = await t.deps.database.db.selectFrom('integration').select('secrets').execute();
    expect(stored.every((r) => r.secrets.startsWith('sealed:v1:'))).toBe(true);
    expect(JSON.stringify(stored)).not.toContain('very-secret');

    for (const [body, message] of [
      [{ kind: 'webhook', name: 'x', settings: { url: 'ftp://crm.example.com/hook' } }, /http or https/],
      [{ kind: 'webhook', name: 'x', settings: { url: 'not a url' } }, /http or https/],
      // Standard Webhooks secrets: whsec_ and 24–64 bytes in base64.
      [
        {
          kind: 'webhook',
          name: 'x',
          settings: { url: 'https://x.example', secret: 'hunter2hunter2hunter2' },
        },
        /whsec_/,
      ],
      [
        { kind: 'webhook', name: 'x', settings: { url: 'https://x.example', secret: 'whsec_c2hvcnQ=' } },
        /24 to 64/,
      ],
      [
        { kind: 'ga4', name: 'x', settings: { measurementId: 'UA-12345-1', apiSecret: 's' } },
        /measurementId/,
      ],
      [
        {
          kind: 'ga4',
          name: 'x',
          settings: { measurementId: 'G-ABCDEF1', apiSecret: 's', eventName: 'session_start' },
        },
        /reserved/,
      ],
      [
        { kind: 'ga4', name: 'x', settings: { measurementId: 'G-ABCDEF1', apiSecret: 's', value: 10 } },
        /currency/,
      ],
      [{ kind: 'metrica', name: 'x', settings: { counterId: '12a', oauthToken: 't' } }, /counterId/],
      [
        { kind: 'metrica', name: 'x', settings: { counterId: '12', oauthToken: 't', url: 'https://x' } },
        /url/,
      ],
    ] as const) {
      const res = await t.call({ method: 'POST', url: base, payload: body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
      expect(res.json().error.message).toMatch(message);
    }

    const other = await project([]);
    const foreign = `/api/v1/projects/${other.project.id}/integrations/${p.integrations[0].id}`;
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const res = await t.call({
        method,
        url: foreign,
        ...(method === 'PATCH' && { payload: { name: 'mine now' } }),
      });
      expect(res.statusCode).toBe(404);
    }
    expect((await t.call({ method: 'GET', url: `${foreign}/deliveries` })).statusCode).toBe(404);

    const removed = await t.call({ method: 'DELETE', url: `${base}/${p.integrations[1].id}` });
    expect(removed.statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: base })).json()).toHaveLength(1);
  });
});
