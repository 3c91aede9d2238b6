import { describe, expect, it } from 'vitest';
import { crmCallMessage } from '../../../test/helpers/call-message.js';
import { bitrix24Answer, bitrix24Delivery, bitrix24Webhook } from './bitrix24.js';
import { MAX_ATTEMPTS, verdictOf } from './delivery.js';

const HOOK = 'https://clinic.bitrix24.ru/rest/1/abc123def456ghi7/';

const message = (call: Record<string, unknown> = {}, attribution: Record<string, unknown> = {}) =>
  crmCallMessage(call, {
    confidence: 90,
    landingUrl: 'https://clinic.example.ru/?utm_content=banner-2',
    ...attribution,
  });

describe('Bitrix24 inbound webhook URL', () => {
  it('takes the URL Bitrix24 shows (with or without a method at the end) and names its portal', () => {
    for (const given of [
      HOOK,
      'https://clinic.bitrix24.ru/rest/1/abc123def456ghi7',
      'https://clinic.bitrix24.ru/rest/1/abc123def456ghi7/profile',
      'https://clinic.bitrix24.ru/rest/1/abc123def456ghi7/crm.lead.add.json',
    ])
      expect(bitrix24Webhook(given)).toEqual({ url: HOOK, portal: 'clinic.bitrix24.ru' });
    // On-premise portals are any host; the loopback may be plain http (a local stand-in).
    expect(bitrix24Webhook('https://crm.clinic.ru:8443/rest/12/x9/')).toEqual({
      url: 'https://crm.clinic.ru:8443/rest/12/x9/',
      portal: 'crm.clinic.ru:8443',
    });
    expect(bitrix24Webhook('http://127.0.0.1:9000/rest/3/s/')).toMatchObject({ portal: '127.0.0.1:9000' });
    for (const bad of [
      'http://clinic.bitrix24.ru/rest/1/abc/',
      'https://clinic.bitrix24.ru/rest/abc/',
      'https://clinic.bitrix24.ru/rest/one/abc/',
      'https://clinic.bitrix24.ru/crm/lead/',
      'https://clinic.bitrix24.ru/rest/1/abc/?auth=x',
      'https://u:p@clinic.bitrix24.ru/rest/1/abc/',
      'clinic.bitrix24.ru/rest/1/abc/',
    ])
      expect(bitrix24Webhook(bad)).toMatchObject({ problem: expect.stringMatching(/inbound webhook/) });
  });
});

describe('Bitrix24 lead', () => {
  it('adds a lead with the caller, the source, UTM values and the call in its comments', () => {
    const delivery = bitrix24Delivery(
      message(),
      { portal: 'clinic.bitrix24.ru', sourceId: 'UC_ADS', assignedById: 5 },
      { webhookUrl: HOOK },
    );
    if (delivery.kind !== 'send') throw new Error(delivery.kind);
    expect(delivery.request.url).toBe(`${HOOK}crm.lead.add.json`);
    expect(delivery.request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(delivery.request.body as string)).toEqual({
      fields: {
        TITLE: 'Call from +79161234567',
        PHONE: [{ VALUE: '+79161234567', VALUE_TYPE: 'WORK' }],
        SOURCE_ID: 'UC_ADS',
        SOURCE_DESCRIPTION: 'Ringtrace: google / cpc, campaign implants, keyword dental implants',
        ORIGINATOR_ID: 'ringtrace',
        ORIGIN_ID: 'c1',
        ASSIGNED_BY_ID: 5,
        UTM_SOURCE: 'google',
        UTM_MEDIUM: 'cpc',
        UTM_CAMPAIGN: 'implants',
        UTM_CONTENT: 'banner-2',
        UTM_TERM: 'dental implants',
        COMMENTS: [
          'Ringtrace call c1',
          'Tracking number: +74951234567',
          'Status: answered, talked 95 s, waited 6 s',
          'Recording: https://ct.example.com/rec/c1.mp3',
          'Source: google / cpc, campaign implants, keyword dental implants',
          'Attribution confidence: 90%',
          'Landing page: https://clinic.example.ru/?utm_content=banner-2',
          'First-time caller',
        ].join('\n'),
      },
      params: { REGISTER_SONET_EVENT: 'Y' },
    });
  });

  it('falls back to CALL and the tracking number without a source, and skips a call without a caller', () => {
    const none = {
      channel: null,
      source: null,
      medium: null,
      campaign: null,
      keyword: null,
      landingUrl: null,
    };
    const delivery = bitrix24Delivery(message({ recordingUrl: null }, none), {}, { webhookUrl: HOOK });
    if (delivery.kind !== 'send') throw new Error(delivery.kind);
    const { fields } = JSON.parse(delivery.request.body as string);
    expect(fields.SOURCE_ID).toBe('CALL');
    expect(fields.SOURCE_DESCRIPTION).toBe('Ringtrace: a call to +74951234567');
    expect(Object.keys(fields).filter((k) => k.startsWith('UTM_') || k === 'ASSIGNED_BY_ID')).toEqual([]);
    expect(fields.COMMENTS).not.toContain('Recording');
    expect(bitrix24Delivery(message({ caller: 'Anonymous' }), {}, { webhookUrl: HOOK })).toEqual({
      kind: 'skip',
      note: 'skipped: no caller number',
    });
    expect(bitrix24Delivery(message(), {}, {}).kind).toBe('invalid');
  });
});

describe('Bitrix24 answers', () => {
  const response = (status: number, body: unknown) => ({
    kind: 'response' as const,
    status,
    body: JSON.stringify(body),
  });
  const verdict = (status: number, body: unknown, attempts = 1) =>
    verdictOf(response(status, body), attempts, bitrix24Answer);

  it('notes the new lead’s id, retries the rate limit and fails refusals with Bitrix24’s words', () => {
    expect(verdict(200, { result: 311, time: { start: 1 } })).toEqual({
      kind: 'delivered',
      note: 'Bitrix24 lead 311',
    });
    const limit = { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' };
    expect(verdict(503, limit)).toEqual({
      kind: 'retry',
      reason: 'HTTP 503: QUERY_LIMIT_EXCEEDED: Too many requests',
    });
    expect(verdict(503, limit, MAX_ATTEMPTS)).toEqual({
      kind: 'fail',
      reason: `gave up after ${MAX_ATTEMPTS} attempts: HTTP 503: QUERY_LIMIT_EXCEEDED: Too many requests`,
    });
    expect(verdict(500, { error: 'INTERNAL_SERVER_ERROR', error_description: '' }).kind).toBe('retry');
    // A timeout answered with Bitrix24's error body is passing trouble like any 408.
    expect(verdict(408, { error: 'REQUEST_TIMEOUT', error_description: '' }).kind).toBe('retry');
    expect(
      verdict(401, { error: 'expired_token', error_description: 'The access token provided has expired.' }),
    ).toEqual({ kind: 'fail', reason: 'HTTP 401: expired_token: The access token provided has expired.' });
    expect(verdict(403, { error: 'insufficient_scope', error_description: 'crm' }).kind).toBe('fail');
    expect(verdict(400, { error: 'ERROR_CORE', error_description: 'Field PHONE is wrong' })).toEqual({
      kind: 'fail',
      reason: 'HTTP 400: ERROR_CORE: Field PHONE is wrong',
    });
    // A 2xx without a lead id did not create one that we know of.
    expect(verdict(200, { time: {} }).kind).toBe('fail');
    // Not Bitrix24's JSON (a proxy's page): the status codes decide.
    expect(verdictOf({ kind: 'response', status: 502, body: '<html>' }, 1, bitrix24Answer).kind).toBe(
      'retry',
    );
  });
});
