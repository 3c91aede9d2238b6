import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { type FakeIntegrations, startFakeIntegrations } from '../helpers/fake-integrations.js';
import {
  answeredCall,
  type CallOptions,
  deliveriesOf,
  expectRefused,
  type IntegrationsProject,
  integrationsProject,
  integrationsUrl,
  outboxOf,
  PUBLIC_URL,
} from '../helpers/integration-calls.js';

const HOUR = 3_600_000;

/** A Google Ads account of the fake Google, with an OAuth client and a refresh token that reach it. */
interface Account {
  customerId: string;
  dashed: string;
  actionId: string;
  developerToken: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

describe.each(testDatabases())('Google Ads integration on $name', (database) => {
  let t: TestApp;
  let fake: FakeIntegrations;

  beforeAll(async () => {
    fake = await startFakeIntegrations();
    t = await createTestApp(await database.open(), {
      PUBLIC_URL,
      INTEGRATION_TIMEOUT_SECONDS: '1',
      GOOGLE_ADS_API_URL: `${fake.origin}/v26`,
      GOOGLE_OAUTH_TOKEN_URL: `${fake.origin}/oauth2/token`,
    });
    // Google's access tokens expire by the tests' clock.
    fake.now = () => t.clock.now();
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const dispatch = () => t.deps.services.outboxDispatcher.dispatchOnce();

  /** A new account (with its conversion action) and the credentials a person authorised for it. */
  function account(o: { manager?: string } = {}): Account {
    const customerId = String(randomInt(1_000_000_000, 9_999_999_999));
    const actionId = String(randomInt(100_000, 999_999_999));
    const clientId = `${randomInt(1e9, 9e9)}-${randomBytes(6).toString('hex')}.apps.googleusercontent.com`;
    const a: Account = {
      customerId,
      dashed: `${customerId.slice(0, 3)}-${customerId.slice(3, 6)}-${customerId.slice(6)}`,
      actionId,
      developerToken: randomBytes(16).toString('base64url'),
      clientId,
      clientSecret: `GOCSPX-${randomBytes(12).toString('base64url')}`,
      refreshToken: `1//0g${randomBytes(30).toString('base64url')}`,
    };
    fake.googleClients.set(clientId, a.clientSecret);
    fake.googleRefreshTokens.set(a.refreshToken, clientId);
    fake.googleAdsCustomers.set(customerId, {
      developerToken: a.developerToken,
      actions: new Set([actionId]),
      clicks: new Map(),
      ...(o.manager && { manager: o.manager }),
    });
    return a;
  }

  const googleAds = (a: Account, settings: Record<string, unknown> = {}) => ({
    kind: 'google_ads',
    name: 'Google Ads',
    settings: {
      customerId: a.dashed,
      conversionAction: a.actionId,
      developerToken: a.developerToken,
      clientId: a.clientId,
      clientSecret: a.clientSecret,
      refreshToken: a.refreshToken,
      ...settings,
    },
  });

  /** A visitor clicks the account's ad (a fresh id of the given kind), lands with it, and calls. */
  async function adCall(p: IntegrationsProject, a: Account, kind = 'gclid', o: CallOptions = {}) {
    const click = `Cj0KCQiA${randomBytes(36).toString('base64url')}`;
    fake.googleAdsCustomers.get(a.customerId)?.clicks.set(click, t.clock.now() - 2_000);
    const landingUrl = `https://clinic.example.ru/implants?utm_source=google&utm_medium=cpc&${kind}=${click}`;
    return { click, ...(await answeredCall(t, p, { landingUrl, ...o })) };
  }

  const conversionsOf = (a: Account) => fake.googleConversions.filter((c) => c.customerId === a.customerId);
  const tokenRequestsOf = (a: Account) =>
    fake.googleTokenRequests.filter((r) => r.refresh_token === a.refreshToken);
  const refusalsOf = (a: Account) => fake.googleAdsRefused.filter((r) => r.customerId === a.customerId);

  it('adds a Google Ads integration: ids normalised, the four credentials sealed and write-only', async () => {
    const a = account();
    const p = await integrationsProject(t, [
      googleAds(a, { loginCustomerId: '555-666-7777', value: 1500, currency: 'RUB' }),
    ]);
    const [created] = p.integrations;
    const action = `customers/${a.customerId}/conversionActions/${a.actionId}`;
    expect(created).toMatchObject({
      kind: 'google_ads',
      enabled: true,
      events: ['call.ended'],
      secretKeys: ['developerToken', 'clientId', 'clientSecret', 'refreshToken'],
    });
    expect(created.settings).toEqual({
      customerId: a.customerId,
      conversionAction: action,
      loginCustomerId: '5556667777',
      value: 1500,
      currency: 'RUB',
    });
    const url = `${integrationsUrl(p)}/${created.id}`;
    // Settings merge; an emptied optional one is cleared; a new refresh token replaces the old one, still unseen.
    const patched = await t.call({
      method: 'PATCH',
      url,
      payload: { settings: { loginCustomerId: null, refreshToken: '1//0g-replaced-refresh' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().settings).toEqual({
      customerId: a.customerId,
      conversionAction: action,
      value: 1500,
      currency: 'RUB',
    });
    const shown = await t.call({ method: 'GET', url });
    const listed = await t.call({ method: 'GET', url: integrationsUrl(p) });
    for (const res of [patched, shown, listed])
      for (const secret of [a.developerToken, a.clientId, a.clientSecret, a.refreshToken, 'replaced-refresh'])
        expect(res.body).not.toContain(secret);
    const stored = await t.deps.database.db
      .selectFrom('integration')
      .select(['secrets', 'settings'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(stored.secrets).toMatch(/^sealed:v1:/);
    for (const secret of [a.developerToken, a.clientSecret, 'replaced-refresh'])
      expect(`${stored.secrets}${stored.settings}`).not.toContain(secret);
    expect((await t.deps.services.integrations.target(created.id))?.secrets).toEqual({
      developerToken: a.developerToken,
      clientId: a.clientId,
      clientSecret: a.clientSecret,
      refreshToken: '1//0g-replaced-refresh',
    });

    await expectRefused(t, p, [
      [googleAds(a, { customerId: '123-456-789' }), '/settings/customerId', /10 digits/],
      [googleAds(a, { customerId: 'AW-1234567890' }), '/settings/customerId', /customer id/],
      [
        googleAds(a, { conversionAction: 'customers/1112223333/conversionActions/5' }),
        '/settings/conversionAction',
        /belongs to customer 1112223333/,
      ],
      [
        googleAds(a, { conversionAction: 'AW-123456/AbC-dEf' }),
        '/settings/conversionAction',
        /resource name/,
      ],
      [googleAds(a, { loginCustomerId: '55566677' }), '/settings/loginCustomerId', /manager/],
      [googleAds(a, { value: 10 }), '/settings/currency', /required with settings.value/],
      [googleAds(a, { value: 10, currency: 'rub' }), '/settings/currency', /ISO 4217/],
      [googleAds(a, { clientId: 'my-client' }), '/settings/clientId', /apps\.googleusercontent\.com/],
      [
        googleAds(a, { refreshToken: `Bearer ${a.refreshToken}` }),
        '/settings/refreshToken',
        /without spaces/,
      ],
      [googleAds(a, { developerToken: undefined }), '/settings/developerToken', /required/],
      [googleAds(a, { clientSecret: '' }), '/settings/clientSecret', /non-empty/],
      // Another kind's setting is refused by the kind's own rules, a key no kind has by the schema.
      [
        googleAds(a, { eventName: 'lead' }),
        '/settings/eventName',
        /google_ads integration do not take: eventName$/,
      ],
      [googleAds(a, { gclid: 'x' }), '/settings', /additional properties/],
    ]);
    // Calls only: a pool alert is for webhooks.
    const alert = await t.call({
      method: 'POST',
      url: integrationsUrl(p),
      payload: { ...googleAds(a), events: ['pool.exhausted'] },
    });
    expect(alert.statusCode).toBe(400);
    expect(alert.json().error.message).toMatch(/takes only call.started, call.ended/);
  });

  it('uploads an ended call as a click conversion for the visit’s gclid, after the refresh grant', async () => {
    const a = account({ manager: '5556667777' });
    const p = await integrationsProject(t, [
      googleAds(a, { loginCustomerId: '555-666-7777', value: 1500, currency: 'RUB' }),
    ]);
    const [integration] = p.integrations;
    const call = await adCall(p, a);
    // call.started is not sent to Google Ads by default: one event, for the end.
    expect((await outboxOf(t, integration.id)).map((r) => r.type)).toEqual(['call.ended']);
    expect(await dispatch()).toBe(1);
    expect(await dispatch()).toBe(0);

    expect(tokenRequestsOf(a)).toEqual([
      {
        grant_type: 'refresh_token',
        client_id: a.clientId,
        client_secret: a.clientSecret,
        refresh_token: a.refreshToken,
      },
    ]);
    expect(refusalsOf(a)).toEqual([]);
    const [upload] = conversionsOf(a);
    expect(conversionsOf(a)).toHaveLength(1);
    expect(upload).toMatchObject({ version: 'v26', loginCustomerId: '5556667777' });
    expect(fake.googleAccessTokens.get(upload?.accessToken ?? '')?.refreshToken).toBe(a.refreshToken);
    const started = new Date(call.startedAt);
    const pad = (n: number) => String(n).padStart(2, '0');
    expect(upload?.conversion).toEqual({
      gclid: call.click,
      conversionAction: `customers/${a.customerId}/conversionActions/${a.actionId}`,
      conversionDateTime: `${started.getUTCFullYear()}-${pad(started.getUTCMonth() + 1)}-${pad(started.getUTCDate())} ${pad(started.getUTCHours())}:${pad(started.getUTCMinutes())}:${pad(started.getUTCSeconds())}+00:00`,
      conversionValue: 1500,
      currencyCode: 'RUB',
      orderId: call.callId,
    });
    expect(await deliveriesOf(t, p.project.id, integration.id)).toEqual([
      expect.objectContaining({
        status: 'delivered',
        attempts: 1,
        callId: call.callId,
        lastError: null,
        note: `Google Ads click conversion uploaded (gclid ${call.click.slice(0, 16)}…, ${upload?.conversion.conversionDateTime}, job ${upload?.jobId})`,
      }),
    ]);
  });

  it('keeps the access token across calls, and asks for a new one a minute before it expires', async () => {
    const a = account();
    const p = await integrationsProject(t, [googleAds(a)]);
    // Two calls due together share one token exchange.
    await adCall(p, a);
    await adCall(p, a);
    expect(await dispatch()).toBe(2);
    expect(tokenRequestsOf(a)).toHaveLength(1);
    t.clock.advance(HOUR / 2);
    await adCall(p, a);
    expect(await dispatch()).toBe(1);
    expect(tokenRequestsOf(a)).toHaveLength(1);
    const first = conversionsOf(a).map((c) => c.accessToken);
    expect(new Set(first).size).toBe(1);
    // The token lasts 3,599 s; past 3,539 s it is renewed before use.
    t.clock.advance(HOUR / 2 - 2 * 60_000);
    await adCall(p, a);
    expect(await dispatch()).toBe(1);
    expect(tokenRequestsOf(a)).toHaveLength(2);
    const latest = conversionsOf(a).at(-1)?.accessToken;
    expect(latest).not.toBe(first[0]);
    expect(conversionsOf(a)).toHaveLength(4);
    expect(refusalsOf(a)).toEqual([]);
    const list = await deliveriesOf(t, p.project.id, p.integrations[0].id);
    expect(list.map((d) => [d.status, d.attempts])).toEqual(Array(4).fill(['delivered', 1]));
  });

  it('sends an iOS click’s wbraid, and skips calls without a Google click id, sending nothing', async () => {
    const a = account();
    const p = await integrationsProject(t, [googleAds(a)]);
    const [integration] = p.integrations;
    const ios = await adCall(p, a, 'wbraid');
    await answeredCall(t, p, {
      landingUrl: 'https://clinic.example.ru/?utm_source=yandex&utm_medium=cpc&yclid=42',
    });
    await answeredCall(t, p, { number: 'billboard' });
    expect(await dispatch()).toBe(3);
    expect(conversionsOf(a).map((c) => c.conversion)).toEqual([
      expect.objectContaining({ wbraid: ios.click, orderId: ios.callId }),
    ]);
    expect(conversionsOf(a)[0]?.conversion).not.toHaveProperty('gclid');
    expect(
      (await deliveriesOf(t, p.project.id, integration.id)).map((d) => [d.status, d.attempts, d.note]),
    ).toEqual([
      ['delivered', 0, 'skipped: no Google click id'],
      ['delivered', 0, 'skipped: no Google click id'],
      ['delivered', 1, expect.stringMatching(/^Google Ads click conversion uploaded \(wbraid /)],
    ]);
    expect(tokenRequestsOf(a)).toHaveLength(1);
  });

  it('retries Google Ads’ 429 and 503 and the token endpoint’s 503, and then uploads', async () => {
    const limited = account();
    const down = account();
    fake.googleAdsReplies.set(limited.customerId, [429, 503]);
    fake.googleTokenReplies.set(down.refreshToken, [503]);
    const p = await integrationsProject(t, [googleAds(limited), googleAds(down)]);
    const [a, b] = p.integrations;
    const first = await adCall(p, limited);
    // The same visitor's click counts for both accounts in this test.
    fake.googleAdsCustomers.get(down.customerId)?.clicks.set(first.click, t.clock.now() - 300_000);
    expect(await dispatch()).toBe(2);
    expect((await deliveriesOf(t, p.project.id, a.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringMatching(
        /^HTTP 429: RESOURCE_EXHAUSTED: RESOURCE_TEMPORARILY_EXHAUSTED: Too many/,
      ),
    });
    expect((await deliveriesOf(t, p.project.id, b.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'Google OAuth: HTTP 503: internal_failure: scripted 503',
    });
    const [event] = await outboxOf(t, a.id);
    const wait = (event?.available_at ?? 0) - t.clock.now();
    expect(wait).toBeGreaterThanOrEqual(24_000);
    expect(wait).toBeLessThanOrEqual(30_000);

    t.clock.advance(30_000);
    expect(await dispatch()).toBe(2);
    expect((await deliveriesOf(t, p.project.id, a.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 2,
      lastError: expect.stringMatching(/^HTTP 503: UNAVAILABLE/),
    });
    expect((await deliveriesOf(t, p.project.id, b.id))[0]).toMatchObject({
      status: 'delivered',
      attempts: 2,
    });
    t.clock.advance(60_000);
    expect(await dispatch()).toBe(1);
    expect((await deliveriesOf(t, p.project.id, a.id))[0]).toMatchObject({
      status: 'delivered',
      attempts: 3,
    });
    expect(conversionsOf(limited)).toHaveLength(1);
    expect(conversionsOf(down)).toHaveLength(1);
    // One token for all three attempts.
    expect(tokenRequestsOf(limited)).toHaveLength(1);
  });

  it('fails a revoked refresh token, a wrong client secret, a refused developer token and missing manager at once', async () => {
    const revoked = account();
    fake.googleRefreshTokens.delete(revoked.refreshToken);
    const wrongSecret = account();
    const wrongDeveloper = account();
    const managed = account({ manager: '5556667777' });
    const p = await integrationsProject(t, [
      googleAds(revoked),
      googleAds(wrongSecret, { clientSecret: 'GOCSPX-not-the-secret' }),
      googleAds(wrongDeveloper, { developerToken: 'not-the-developer-token' }),
      googleAds(managed),
    ]);
    await adCall(p, revoked);
    expect(await dispatch()).toBe(4);
    const outcomes = [];
    for (const integration of p.integrations) {
      const [delivery] = await deliveriesOf(t, p.project.id, integration.id);
      outcomes.push([delivery?.status, delivery?.attempts, delivery?.lastError]);
    }
    expect(outcomes).toEqual([
      [
        'failed',
        1,
        'Google OAuth: HTTP 400: invalid_grant: Token has been expired or revoked. (the refresh token was revoked or has expired: authorise again and set a new refreshToken)',
      ],
      ['failed', 1, 'Google OAuth: HTTP 401: invalid_client: Unauthorized (check clientId and clientSecret)'],
      ['failed', 1, 'HTTP 401: UNAUTHENTICATED: DEVELOPER_TOKEN_INVALID: The developer token is not valid.'],
      [
        'failed',
        1,
        expect.stringMatching(/^HTTP 403: PERMISSION_DENIED: USER_PERMISSION_DENIED: .*login-customer-id/),
      ],
    ]);
    for (const a of [revoked, wrongSecret, wrongDeveloper, managed]) expect(conversionsOf(a)).toEqual([]);
    // Nothing is due later.
    t.clock.advance(6 * HOUR);
    expect(await dispatch()).toBe(0);

    // Authorised again: the new refresh token is PATCHed and the failed delivery retried by hand.
    fake.googleRefreshTokens.set('1//0g-authorised-again', revoked.clientId);
    const [integration] = p.integrations;
    const fixed = await t.call({
      method: 'PATCH',
      url: `${integrationsUrl(p)}/${integration.id}`,
      payload: { settings: { refreshToken: '1//0g-authorised-again' } },
    });
    expect(fixed.statusCode, fixed.body).toBe(200);
    const [failed] = await deliveriesOf(t, p.project.id, integration.id);
    const retry = await t.call({
      method: 'POST',
      url: `${integrationsUrl(p)}/${integration.id}/deliveries/${failed?.id}/retry`,
    });
    expect(retry.statusCode, retry.body).toBe(200);
    expect(await dispatch()).toBe(1);
    expect((await deliveriesOf(t, p.project.id, integration.id))[0]).toMatchObject({
      status: 'delivered',
      attempts: 1,
    });
    expect(conversionsOf(revoked)).toHaveLength(1);
  });

  it('fails a partial failure a person must fix: an undecodable gclid, a conversion action that does not exist', async () => {
    const a = account();
    const other = account();
    const p = await integrationsProject(t, [googleAds(a), googleAds(other, { conversionAction: '424242' })]);
    // The shared landing page carries gclid=abc: no real click id.
    await answeredCall(t, p);
    expect(await dispatch()).toBe(2);
    expect((await deliveriesOf(t, p.project.id, p.integrations[0].id))[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'Google Ads: UNPARSEABLE_GCLID: The imported gclid could not be decoded.',
    });
    const wrongAction = await adCall(p, other);
    fake.googleAdsCustomers.get(a.customerId)?.clicks.set(wrongAction.click, t.clock.now() - HOUR);
    expect(await dispatch()).toBe(2);
    expect(
      (await deliveriesOf(t, p.project.id, p.integrations[1].id)).map((d) => [d.status, d.lastError]),
    ).toEqual([
      ['failed', expect.stringMatching(/^Google Ads: NO_CONVERSION_ACTION_FOUND: The conversion action/)],
      ['failed', 'Google Ads: UNPARSEABLE_GCLID: The imported gclid could not be decoded.'],
    ]);
    expect((await deliveriesOf(t, p.project.id, p.integrations[0].id))[0]).toMatchObject({
      status: 'delivered',
    });
    expect(conversionsOf(other)).toEqual([]);
  });

  it('counts an upload whose answer was lost as delivered when Google refuses its order id again', async () => {
    const a = account();
    fake.googleAdsReplies.set(a.customerId, ['lost']);
    const p = await integrationsProject(t, [googleAds(a)]);
    const [integration] = p.integrations;
    const call = await adCall(p, a);
    expect(await dispatch()).toBe(1);
    expect((await deliveriesOf(t, p.project.id, integration.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 502: UNAVAILABLE: Bad Gateway',
    });
    expect(conversionsOf(a)).toHaveLength(1);
    t.clock.advance(30_000);
    expect(await dispatch()).toBe(1);
    expect(conversionsOf(a)).toHaveLength(1);
    expect(conversionsOf(a)[0]?.conversion.orderId).toBe(call.callId);
    expect((await deliveriesOf(t, p.project.id, integration.id))[0]).toMatchObject({
      status: 'delivered',
      attempts: 2,
      lastError: null,
      note: 'Google Ads already had this call (its order id was uploaded before): not uploaded again',
    });
  });
});
