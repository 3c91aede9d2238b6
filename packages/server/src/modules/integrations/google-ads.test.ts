import { describe, expect, it } from 'vitest';
import { callEndedMessage } from '../../../test/helpers/call-message.js';
import { ManualClock } from '../../clock.js';
import type { AttemptResult, OutboundRequest, ReadyRequest, Verdict } from './delivery.js';
import {
  clickConversion,
  conversionActionOf,
  customerIdOf,
  googleAdsAnswer,
  googleAdsDateTime,
  googleAdsDelivery,
  NO_CLICK_ID_NOTE,
} from './google-ads.js';
import { GoogleTokens } from './google-oauth.js';
import type { IntegrationTarget } from './integration.js';
import type { OutboxMessage } from './outbox-message.js';

const STARTED = Date.UTC(2026, 0, 15, 9, 30, 5, 750);
const ACTION = 'customers/1234567890/conversionActions/987654';

function message(clickIds: Record<string, string> | null | undefined): OutboxMessage {
  const data = {
    call: { id: '0199-call', startedAt: STARTED, talkSeconds: 42 },
    attribution: clickIds === undefined ? {} : { clickIds },
  };
  return callEndedMessage(data, STARTED);
}

const target: IntegrationTarget = {
  id: 'i1',
  projectId: 'p',
  kind: 'google_ads',
  enabled: true,
  settings: { customerId: '1234567890', conversionAction: ACTION, loginCustomerId: '5556667777' },
  secrets: {
    developerToken: 'dev-token',
    clientId: 'c.apps.googleusercontent.com',
    clientSecret: 's',
    refreshToken: 'r',
  },
};

describe('Google Ads settings', () => {
  it('reads customer ids with or without dashes', () => {
    expect(customerIdOf('123-456-7890')).toBe('1234567890');
    expect(customerIdOf(' 1234567890 ')).toBe('1234567890');
    for (const bad of ['123-456-789', '12345678901', 'abc-def-ghij', ''])
      expect(customerIdOf(bad)).toBeUndefined();
  });

  it('takes a conversion action’s resource name, or its id alone for the customer', () => {
    expect(conversionActionOf('987654', '1234567890')).toEqual({ resourceName: ACTION });
    expect(conversionActionOf(ACTION, '1234567890')).toEqual({ resourceName: ACTION });
    expect(conversionActionOf(ACTION, '1112223333')).toEqual({
      problem: expect.stringMatching(/belongs to customer 1234567890, not to settings.customerId 1112223333/),
    });
    for (const bad of ['customers/1234567890/conversionActions/', 'conversionActions/5', 'AW-123/abc'])
      expect(conversionActionOf(bad, '1234567890')).toMatchObject({ problem: expect.any(String) });
  });
});

describe('Google Ads click conversion', () => {
  it('formats the moment in UTC with its zone, to the second', () => {
    expect(googleAdsDateTime(STARTED)).toBe('2026-01-15 09:30:05+00:00');
    expect(googleAdsDateTime(STARTED)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });

  it('sends the gclid, else the wbraid, else the gbraid; the call’s start and id; the value with its currency', () => {
    const settings = { conversionAction: ACTION, value: 1500, currency: 'RUB' };
    expect(clickConversion(message({ gclid: 'Cj0K', wbraid: 'w', yclid: '7' }), settings)).toEqual({
      gclid: 'Cj0K',
      conversionAction: ACTION,
      conversionDateTime: '2026-01-15 09:30:05+00:00',
      conversionValue: 1500,
      currencyCode: 'RUB',
      orderId: '0199-call',
    });
    expect(clickConversion(message({ wbraid: 'w', gbraid: 'g' }), { conversionAction: ACTION })).toEqual({
      wbraid: 'w',
      conversionAction: ACTION,
      conversionDateTime: '2026-01-15 09:30:05+00:00',
      orderId: '0199-call',
    });
    expect(clickConversion(message({ gbraid: 'g' }), settings)).toMatchObject({ gbraid: 'g' });
    expect(clickConversion(message({ gbraid: 'g' }), settings)).not.toHaveProperty('gclid');
    // No Google click id: a Yandex click, no ids, no visit, or an event written before click ids were sent.
    for (const ids of [{ yclid: '7' }, null, undefined])
      expect(clickConversion(message(ids), settings)).toBeUndefined();
  });

  it('skips a call without a Google click id and refuses an integration without credentials', () => {
    const tokens = new GoogleTokens({ tokenUrl: 'https://oauth.example/token', clock: new ManualClock() });
    expect(googleAdsDelivery(message({ fbclid: 'f' }), target, 'https://ads.example/v26', tokens)).toEqual({
      kind: 'skip',
      note: NO_CLICK_ID_NOTE,
    });
    const { refreshToken: _, ...noRefresh } = target.secrets;
    expect(
      googleAdsDelivery(
        message({ gclid: 'g' }),
        { ...target, secrets: noRefresh },
        'https://ads.example/v26',
        tokens,
      ),
    ).toMatchObject({ kind: 'invalid' });
  });

  it('gets a token first, then uploads with the headers Google requires; a 401 drops the token', async () => {
    const tokens = new GoogleTokens({ tokenUrl: 'https://oauth.example/token', clock: new ManualClock() });
    const asked: OutboundRequest[] = [];
    let issued = 0;
    const send = async (request: OutboundRequest): Promise<AttemptResult> => {
      asked.push(request);
      return {
        kind: 'response',
        status: 200,
        body: JSON.stringify({ access_token: `ya29.${++issued}`, expires_in: 3599, token_type: 'Bearer' }),
      };
    };
    const prepareOf = () => {
      const delivery = googleAdsDelivery(
        message({ gclid: 'Cj0K' }),
        target,
        'https://ads.example/v26',
        tokens,
      );
      if (delivery.kind !== 'prepare') throw new Error(`not prepared: ${delivery.kind}`);
      return delivery.prepare(send);
    };
    const ready = (await prepareOf()) as ReadyRequest;
    expect(ready.kind).toBe('send');
    expect(ready.request).toEqual({
      url: 'https://ads.example/v26/customers/1234567890:uploadClickConversions',
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'developer-token': 'dev-token',
        'login-customer-id': '5556667777',
        authorization: 'Bearer ya29.1',
      },
      body: JSON.stringify({
        conversions: [
          {
            gclid: 'Cj0K',
            conversionAction: ACTION,
            conversionDateTime: '2026-01-15 09:30:05+00:00',
            orderId: '0199-call',
          },
        ],
        partialFailure: true,
      }),
    });
    expect(asked.map((r) => r.url)).toEqual(['https://oauth.example/token']);
    // The token is kept for the next call…
    expect(((await prepareOf()) as ReadyRequest).request.headers.authorization).toBe('Bearer ya29.1');
    expect(asked).toHaveLength(1);
    // …until Google refuses it.
    expect(ready.read?.(401, '{"error":{"code":401,"message":"bad","status":"UNAUTHENTICATED"}}')).toEqual({
      kind: 'fail',
      reason: 'HTTP 401: UNAUTHENTICATED: bad',
    });
    expect(((await prepareOf()) as ReadyRequest).request.headers.authorization).toBe('Bearer ya29.2');
    // A refused token exchange is the attempt's verdict.
    const refusing = async (): Promise<AttemptResult> => ({
      kind: 'response',
      status: 400,
      body: '{"error":"invalid_grant"}',
    });
    tokens.forget('i1');
    const delivery = googleAdsDelivery(message({ gclid: 'Cj0K' }), target, 'https://ads.example/v26', tokens);
    const verdict = delivery.kind === 'prepare' ? ((await delivery.prepare(refusing)) as Verdict) : undefined;
    expect(verdict).toMatchObject({
      kind: 'fail',
      reason: expect.stringMatching(/^Google OAuth: HTTP 400: invalid_grant/),
    });
  });
});

describe('Google Ads answers', () => {
  const failure = (...errors: [string, string][]) =>
    JSON.stringify({
      partialFailureError: {
        code: 3,
        message: errors.map((e) => e[1]).join(', '),
        details: [
          {
            '@type': 'type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure',
            errors: errors.map(([code, text]) => ({
              errorCode: { conversionUploadError: code },
              message: text,
              location: { fieldPathElements: [{ fieldName: 'conversions', index: 0 }] },
            })),
            requestId: 'r1',
          },
        ],
      },
      results: [{}],
      jobId: '77',
    });

  it('notes an upload, and counts an order id uploaded before as delivered', () => {
    expect(
      googleAdsAnswer(
        200,
        JSON.stringify({
          results: [
            {
              gclid: 'Cj0KCQiA-abcdefghijklmnop',
              conversionAction: ACTION,
              conversionDateTime: '2026-01-15 09:30:05+00:00',
            },
          ],
          jobId: '812',
        }),
      ),
    ).toEqual({
      kind: 'delivered',
      note: 'Google Ads click conversion uploaded (gclid Cj0KCQiA-abcdefg…, 2026-01-15 09:30:05+00:00, job 812)',
    });
    expect(googleAdsAnswer(200, '{"results":[{}],"partialFailureError":null}')).toEqual({
      kind: 'delivered',
      note: 'Google Ads click conversion uploaded',
    });
    for (const code of ['ORDER_ID_ALREADY_IN_USE', 'CLICK_CONVERSION_ALREADY_EXISTS'])
      expect(googleAdsAnswer(200, failure([code, 'already recorded']))).toEqual({
        kind: 'delivered',
        note: 'Google Ads already had this call (its order id was uploaded before): not uploaded again',
      });
  });

  it('fails a partial failure a person must fix, and retries one that time fixes', () => {
    expect(
      googleAdsAnswer(200, failure(['UNPARSEABLE_GCLID', 'The imported gclid could not be decoded.'])),
    ).toEqual({
      kind: 'fail',
      reason: 'Google Ads: UNPARSEABLE_GCLID: The imported gclid could not be decoded.',
    });
    expect(
      googleAdsAnswer(
        200,
        failure(['NO_CONVERSION_ACTION_FOUND', 'not found'], ['ORDER_ID_ALREADY_IN_USE', 'x']),
      ),
    ).toMatchObject({
      kind: 'fail',
      reason: 'Google Ads: NO_CONVERSION_ACTION_FOUND: not found; ORDER_ID_ALREADY_IN_USE: x',
    });
    expect(googleAdsAnswer(200, failure(['TOO_RECENT_EVENT', 'less than 6 hours ago']))).toEqual({
      kind: 'retry',
      reason: 'Google Ads: TOO_RECENT_EVENT: less than 6 hours ago',
    });
    expect(
      googleAdsAnswer(200, JSON.stringify({ partialFailureError: { code: 3, message: 'odd' } })),
    ).toEqual({
      kind: 'fail',
      reason: 'Google Ads: odd',
    });
  });

  it('reads Google’s error envelope: refusals fail, quota and outages retry, other bodies follow the status', () => {
    const envelope = (code: number, status: string, errorCode: object, text: string) =>
      JSON.stringify({
        error: {
          code,
          message: 'The caller does not have permission',
          status,
          details: [
            {
              '@type': 'type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure',
              errors: [{ errorCode, message: text }],
            },
          ],
        },
      });
    expect(
      googleAdsAnswer(
        403,
        envelope(
          403,
          'PERMISSION_DENIED',
          { authorizationError: 'DEVELOPER_TOKEN_NOT_APPROVED' },
          'test only',
        ),
      ),
    ).toEqual({
      kind: 'fail',
      reason: 'HTTP 403: PERMISSION_DENIED: DEVELOPER_TOKEN_NOT_APPROVED: test only',
    });
    expect(
      googleAdsAnswer(
        429,
        envelope(429, 'RESOURCE_EXHAUSTED', { quotaError: 'RESOURCE_EXHAUSTED' }, 'Too many requests'),
      ),
    ).toMatchObject({ kind: 'retry' });
    expect(googleAdsAnswer(502, '<html>Bad Gateway</html>')).toBeUndefined();
    expect(googleAdsAnswer(404, '')).toBeUndefined();
  });
});
