import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { type FakeIntegrations, startFakeIntegrations } from '../helpers/fake-integrations.js';
import {
  answeredCall,
  deliveriesOf,
  expectRefused,
  integrationsProject,
  integrationsUrl,
  LANDING_URL,
  outboxOf,
  PUBLIC_URL,
} from '../helpers/integration-calls.js';

const RECORDING = 'https://pbx.example.ru/records/call-1.mp3';

describe.each(testDatabases())('CRM integrations (amoCRM, Bitrix24) on $name', (database) => {
  let t: TestApp;
  let fake: FakeIntegrations;

  beforeAll(async () => {
    fake = await startFakeIntegrations();
    t = await createTestApp(await database.open(), { PUBLIC_URL, INTEGRATION_TIMEOUT_SECONDS: '1' });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const dispatch = () => t.deps.services.outboxDispatcher.dispatchOnce();
  /** A token amo accepts; each test has its own account (its own set of unsorted leads). */
  const amoToken = () => {
    const token = `eyJ0eXAiOiJKV1Qi.${randomBytes(24).toString('base64url')}`;
    fake.amoTokens.add(token);
    return token;
  };
  /** A webhook the fake portal accepts, as Bitrix24 shows it. */
  const bitrixHook = () => {
    const hook = `1/${randomBytes(8).toString('hex')}`;
    fake.bitrixHooks.add(hook);
    return { hook, url: `${fake.origin}/rest/${hook}/` };
  };
  const amocrm = (token: string, settings: Record<string, unknown> = {}) => ({
    kind: 'amocrm',
    name: 'amo',
    settings: { baseUrl: fake.origin, accessToken: token, ...settings },
  });
  const bitrix24 = (webhookUrl: string, settings: Record<string, unknown> = {}) => ({
    kind: 'bitrix24',
    name: 'Bitrix24',
    settings: { webhookUrl, ...settings },
  });

  it('adds an amoCRM integration: the account address checked and normalised, the token write-only', async () => {
    const token = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.very-secret-token';
    const p = await integrationsProject(t, [
      amocrm(token, { baseUrl: 'Clinic.amocrm.ru/leads/', pipelineId: 7, sourceName: 'Site calls' }),
    ]);
    const [created] = p.integrations;
    expect(created).toMatchObject({
      kind: 'amocrm',
      enabled: true,
      events: ['call.ended'],
      settings: { baseUrl: 'https://clinic.amocrm.ru', pipelineId: 7, sourceName: 'Site calls' },
      secretKeys: ['accessToken'],
    });
    expect(created.secret).toBeUndefined();
    const url = `${integrationsUrl(p)}/${created.id}`;
    // Settings merge; an emptied optional one is cleared; a new token replaces the old one, still unseen.
    const patched = await t.call({
      method: 'PATCH',
      url,
      payload: { settings: { pipelineId: null, accessToken: 'eyJ.another-very-secret-token' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().settings).toEqual({
      baseUrl: 'https://clinic.amocrm.ru',
      sourceName: 'Site calls',
    });
    const shown = await t.call({ method: 'GET', url });
    for (const res of [patched, shown]) expect(res.body).not.toContain('very-secret');
    const stored = await t.deps.database.db
      .selectFrom('integration')
      .select('secrets')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(stored.secrets).toMatch(/^sealed:v1:/);
    expect(stored.secrets).not.toContain('very-secret');
    expect((await t.deps.services.integrations.target(created.id))?.secrets).toEqual({
      accessToken: 'eyJ.another-very-secret-token',
    });

    await expectRefused(t, p, [
      [amocrm(token, { baseUrl: 'https://clinic.bitrix24.ru' }), '/settings/baseUrl', /amocrm\.ru/],
      [amocrm(token, { baseUrl: 'http://clinic.amocrm.ru' }), '/settings/baseUrl', /https:/],
      [amocrm(token, { baseUrl: 'https://clinic.amocrm.ru.evil.example' }), '/settings/baseUrl', /amocrm/],
      [amocrm(token, { accessToken: `Bearer ${token}` }), '/settings/accessToken', /token alone/],
      [
        { kind: 'amocrm', name: 'x', settings: { baseUrl: fake.origin } },
        '/settings/accessToken',
        /required/,
      ],
      [amocrm(token, { sourceName: '  ' }), '/settings/sourceName', /non-empty/],
      // The schema's own checks answer in the same shape.
      [amocrm(token, { pipelineId: 0 }), '/settings/pipelineId', /pipelineId must be >= 1/],
      // Another kind's setting is refused by the kind's own rules, a key no kind has by the schema.
      [
        amocrm(token, { counterId: '12' }),
        '/settings/counterId',
        /amocrm integration do not take: counterId$/,
      ],
      [amocrm(token, { subdomain: 'clinic' }), '/settings', /additional properties/],
    ]);
  });

  it('adds a Bitrix24 integration: the webhook URL sealed, only its portal shown', async () => {
    const secretUrl = 'https://clinic.bitrix24.ru/rest/12/k3yqzvh0x8m2p9ab/profile.json';
    const p = await integrationsProject(t, [bitrix24(secretUrl, { sourceId: 'UC_ADS', assignedById: 5 })]);
    const [created] = p.integrations;
    expect(created).toMatchObject({
      kind: 'bitrix24',
      events: ['call.ended'],
      settings: { portal: 'clinic.bitrix24.ru', sourceId: 'UC_ADS', assignedById: 5 },
      secretKeys: ['webhookUrl'],
    });
    expect(JSON.stringify(created)).not.toContain('k3yqzvh0x8m2p9ab');
    expect((await t.deps.services.integrations.target(created.id))?.secrets).toEqual({
      webhookUrl: 'https://clinic.bitrix24.ru/rest/12/k3yqzvh0x8m2p9ab/',
    });
    const url = `${integrationsUrl(p)}/${created.id}`;
    // Another setting keeps the webhook; a new webhook moves the portal with it.
    const source = await t.call({ method: 'PATCH', url, payload: { settings: { sourceId: 'WEB' } } });
    expect(source.json().settings).toEqual({
      portal: 'clinic.bitrix24.ru',
      sourceId: 'WEB',
      assignedById: 5,
    });
    const moved = await t.call({
      method: 'PATCH',
      url,
      payload: { settings: { webhookUrl: 'https://crm.clinic.ru/rest/3/0therSecret/' } },
    });
    expect(moved.json().settings).toEqual({ portal: 'crm.clinic.ru', sourceId: 'WEB', assignedById: 5 });
    expect(moved.body).not.toContain('0therSecret');
    const stored = await t.deps.database.db
      .selectFrom('integration')
      .select(['secrets', 'settings'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(`${stored.secrets}${stored.settings}`).not.toMatch(/0therSecret|k3yqzvh0x8m2p9ab/);

    await expectRefused(t, p, [
      [bitrix24('http://clinic.bitrix24.ru/rest/1/abc/'), '/settings/webhookUrl', /inbound webhook/],
      [bitrix24('https://clinic.bitrix24.ru/crm/lead/'), '/settings/webhookUrl', /rest\/<user id>/],
      [bitrix24('https://clinic.bitrix24.ru/rest/1/abc/?auth=1'), '/settings/webhookUrl', /inbound webhook/],
      [{ kind: 'bitrix24', name: 'x', settings: { sourceId: 'CALL' } }, '/settings/webhookUrl', /required/],
      [bitrix24(secretUrl, { sourceId: 'Звонок' }), '/settings/sourceId', /source code/],
      [bitrix24(secretUrl, { assignedById: 'me' }), '/settings/assignedById', /must be integer/],
      // The portal is derived, never given.
      [bitrix24(secretUrl, { portal: 'evil.example' }), '/settings', /additional properties/],
    ]);
  });

  it('sends an ended call to amoCRM as an unsorted call lead with its contact, once', async () => {
    const token = amoToken();
    const p = await integrationsProject(t, [amocrm(token, { pipelineId: 4711 })]);
    const [integration] = p.integrations;
    const call = await answeredCall(t, p, { recordingUrl: RECORDING });
    // call.started is not sent to a CRM by default: one event, for the end.
    expect((await outboxOf(t, integration.id)).map((r) => r.type)).toEqual(['call.ended']);
    expect(await dispatch()).toBe(1);
    expect(await dispatch()).toBe(0);

    const leads = fake.amoLeads.filter((l) => l.token === token);
    expect(fake.amoRefused.filter((r) => r.token === token)).toEqual([]);
    expect(leads).toHaveLength(1);
    const seconds = Math.floor(call.startedAt / 1000);
    expect(leads[0]?.item).toEqual({
      source_name: 'Ringtrace',
      source_uid: call.callId,
      pipeline_id: 4711,
      created_at: seconds,
      metadata: {
        is_call_event_needed: true,
        uniq: call.callId,
        duration: 95,
        service_code: 'ringtrace',
        link: RECORDING,
        phone: call.caller.slice(1),
        called_at: seconds,
        from: call.caller,
      },
      _embedded: {
        leads: [
          {
            name: `Call from ${call.caller}`,
            custom_fields_values: [
              { field_code: 'UTM_SOURCE', values: [{ value: 'google' }] },
              { field_code: 'UTM_MEDIUM', values: [{ value: 'cpc' }] },
              { field_code: 'UTM_CAMPAIGN', values: [{ value: 'implants' }] },
              { field_code: 'UTM_CONTENT', values: [{ value: 'banner-2' }] },
              { field_code: 'UTM_TERM', values: [{ value: 'dental implants' }] },
            ],
          },
        ],
        contacts: [
          {
            name: call.caller,
            custom_fields_values: [
              { field_code: 'PHONE', values: [{ value: call.caller, enum_code: 'WORK' }] },
            ],
          },
        ],
      },
    });
    expect(await deliveriesOf(t, p.project.id, integration.id)).toEqual([
      expect.objectContaining({
        status: 'delivered',
        attempts: 1,
        callId: call.callId,
        lastError: null,
        note: `amoCRM lead ${leads[0]?.leadId}`,
      }),
    ]);
  });

  it('retries amoCRM’s 429, fails a refused token at once, and counts a duplicate as delivered', async () => {
    const token = amoToken();
    fake.amoReplies.set(token, [429, 'lost']);
    const p = await integrationsProject(t, [
      amocrm(token),
      amocrm('eyJ.revoked-token', { sourceName: 'Wrong token' }),
    ]);
    const [good, revoked] = p.integrations;
    await answeredCall(t, p);

    expect(await dispatch()).toBe(2);
    const [limited] = await outboxOf(t, good.id);
    expect(limited).toMatchObject({ attempts: 1, delivered_at: null, failed_at: null });
    expect(limited?.last_error).toMatch(/^HTTP 429: .*Too Many Requests/);
    const wait = (limited?.available_at ?? 0) - t.clock.now();
    expect(wait).toBeGreaterThanOrEqual(24_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    // The refused token: failed at once, and nothing is due later.
    const [failed] = await deliveriesOf(t, p.project.id, revoked.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed?.lastError).toMatch(/^HTTP 401: .*Unauthorized/);

    // The second attempt makes the lead but its answer is lost (502): due again…
    t.clock.advance(30_000);
    expect(await dispatch()).toBe(1);
    expect((await outboxOf(t, good.id))[0]).toMatchObject({ attempts: 2, delivered_at: null });
    expect(fake.amoLeads.filter((l) => l.token === token)).toHaveLength(1);
    // …and the third is refused as a duplicate: delivered, with no second lead.
    t.clock.advance(60_000);
    expect(await dispatch()).toBe(1);
    expect(await dispatch()).toBe(0);
    expect(fake.amoLeads.filter((l) => l.token === token)).toHaveLength(1);
    expect(fake.amoRefused.filter((r) => r.token === token).map((r) => r.status)).toEqual([429, 502, 400]);
    expect((await deliveriesOf(t, p.project.id, good.id))[0]).toMatchObject({
      status: 'delivered',
      attempts: 3,
      note: 'amoCRM already had this call (sent before): not added again',
    });
    t.clock.advance(6 * 3_600_000);
    expect(await dispatch()).toBe(0);
  });

  it('adds a Bitrix24 lead per ended call through the inbound webhook, noting its id', async () => {
    const { hook, url } = bitrixHook();
    const p = await integrationsProject(t, [bitrix24(url, { assignedById: 9 })]);
    const [integration] = p.integrations;
    const call = await answeredCall(t, p, { recordingUrl: RECORDING });
    expect(await dispatch()).toBe(1);

    const leads = fake.bitrixLeads.filter((l) => l.hook === hook);
    expect(fake.bitrixRefused.filter((r) => r.hook === hook)).toEqual([]);
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({ userId: '1', method: 'crm.lead.add' });
    expect(leads[0]?.params).toEqual({ REGISTER_SONET_EVENT: 'Y' });
    expect(leads[0]?.fields).toEqual({
      TITLE: `Call from ${call.caller}`,
      PHONE: [{ VALUE: call.caller, VALUE_TYPE: 'WORK' }],
      SOURCE_ID: 'CALL',
      SOURCE_DESCRIPTION: 'Ringtrace: google / cpc, campaign implants, keyword dental implants',
      ORIGINATOR_ID: 'ringtrace',
      ORIGIN_ID: call.callId,
      ASSIGNED_BY_ID: 9,
      UTM_SOURCE: 'google',
      UTM_MEDIUM: 'cpc',
      UTM_CAMPAIGN: 'implants',
      UTM_CONTENT: 'banner-2',
      UTM_TERM: 'dental implants',
      COMMENTS: [
        `Ringtrace call ${call.callId}`,
        `Tracking number: ${p.poolNumber}`,
        'Status: answered, talked 95 s, waited 6 s',
        `Recording: ${RECORDING}`,
        'Source: google / cpc, campaign implants, keyword dental implants',
        'Attribution confidence: 100%',
        `Landing page: ${LANDING_URL}`,
        'First-time caller',
      ].join('\n'),
    });
    expect((await deliveriesOf(t, p.project.id, integration.id))[0]).toMatchObject({
      status: 'delivered',
      attempts: 1,
      note: `Bitrix24 lead ${leads[0]?.id}`,
    });
  });

  it('retries Bitrix24’s QUERY_LIMIT_EXCEEDED, and fails an expired webhook, a missing scope or a wrong secret', async () => {
    const limited = bitrixHook();
    const expired = bitrixHook();
    const scope = bitrixHook();
    fake.bitrixReplies.set(limited.hook, ['limit']);
    fake.bitrixReplies.set(expired.hook, ['expired']);
    fake.bitrixReplies.set(scope.hook, ['scope']);
    const wrong = `${fake.origin}/rest/1/n0tTheSecret/`;
    const p = await integrationsProject(t, [
      bitrix24(limited.url),
      bitrix24(expired.url),
      bitrix24(scope.url),
      bitrix24(wrong),
    ]);
    const [a, b, c, d] = p.integrations;
    await answeredCall(t, p);
    expect(await dispatch()).toBe(4);

    expect((await deliveriesOf(t, p.project.id, a.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 503: QUERY_LIMIT_EXCEEDED: Too many requests',
    });
    const failures = [];
    for (const integration of [b, c, d]) {
      const [delivery] = await deliveriesOf(t, p.project.id, integration.id);
      failures.push([delivery?.status, delivery?.attempts, delivery?.lastError]);
    }
    expect(failures).toEqual([
      ['failed', 1, 'HTTP 401: expired_token: The access token provided has expired.'],
      ['failed', 1, 'HTTP 403: insufficient_scope: The request requires higher privileges.'],
      ['failed', 1, 'HTTP 401: invalid_token: The access token provided is invalid.'],
    ]);

    t.clock.advance(30_000);
    expect(await dispatch()).toBe(1);
    expect(await dispatch()).toBe(0);
    const [delivered] = await deliveriesOf(t, p.project.id, a.id);
    expect(delivered).toMatchObject({
      status: 'delivered',
      attempts: 2,
      note: expect.stringMatching(/^Bitrix24 lead \d+$/),
    });
    expect(
      fake.bitrixLeads.filter((l) => l.hook === limited.hook).map((l) => `Bitrix24 lead ${l.id}`),
    ).toEqual([delivered?.note]);
  });

  it('skips a call without a caller number, recording why, and sends nothing', async () => {
    const token = amoToken();
    const { hook, url } = bitrixHook();
    const p = await integrationsProject(t, [amocrm(token), bitrix24(url)]);
    await answeredCall(t, p, { caller: 'anonymous' });
    await answeredCall(t, p, { caller: 'anonymous', number: 'billboard' });
    expect(await dispatch()).toBe(4);
    for (const integration of p.integrations)
      expect(
        (await deliveriesOf(t, p.project.id, integration.id)).map((d) => [d.status, d.note, d.attempts]),
      ).toEqual([
        ['delivered', 'skipped: no caller number', 0],
        ['delivered', 'skipped: no caller number', 0],
      ]);
    expect(fake.amoLeads.filter((l) => l.token === token)).toEqual([]);
    expect(fake.amoRefused.filter((r) => r.token === token)).toEqual([]);
    expect(fake.bitrixLeads.filter((l) => l.hook === hook)).toEqual([]);
    expect(fake.bitrixRefused.filter((r) => r.hook === hook)).toEqual([]);
  });
});
