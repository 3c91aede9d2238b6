import { describe, expect, it } from 'vitest';
import { crmCallMessage } from '../../../test/helpers/call-message.js';
import { amocrmAnswer, amocrmBaseUrl, amocrmDelivery } from './amocrm.js';
import { verdictOf } from './delivery.js';

const STARTED = Date.UTC(2026, 0, 15, 9, 0, 0, 700);

const message = (call: Record<string, unknown> = {}, attribution: Record<string, unknown> = {}) =>
  crmCallMessage({ startedAt: STARTED, ...call }, attribution);

describe('amoCRM account address', () => {
  it('takes an account address in the forms people paste, and only amo hosts (or the loopback)', () => {
    for (const [given, origin] of [
      ['https://clinic.amocrm.ru', 'https://clinic.amocrm.ru'],
      ['clinic.amocrm.ru', 'https://clinic.amocrm.ru'],
      ['https://clinic.amocrm.ru/leads/pipeline/123?x=1', 'https://clinic.amocrm.ru'],
      ['https://Clinic-2.Kommo.com/', 'https://clinic-2.kommo.com'],
      ['https://clinic.amocrm.com', 'https://clinic.amocrm.com'],
      ['http://127.0.0.1:8123', 'http://127.0.0.1:8123'],
    ])
      expect(amocrmBaseUrl(given as string)).toEqual({ url: origin });
    for (const bad of [
      'http://clinic.amocrm.ru',
      'https://amocrm.ru',
      'https://clinic.amocrm.ru.evil.example',
      'https://evil.example/clinic.amocrm.ru',
      'https://user:pw@clinic.amocrm.ru',
      'https://clinic.amocrm.ru:8443',
      'ftp://127.0.0.1',
      'not a url',
    ])
      expect(amocrmBaseUrl(bad)).toMatchObject({ problem: expect.stringMatching(/amocrm\.ru/) });
  });
});

describe('amoCRM unsorted call lead', () => {
  it('posts one unsorted SIP lead with the call, its contact and UTM fields, Bearer-authenticated', () => {
    const delivery = amocrmDelivery(
      message(),
      { baseUrl: 'https://clinic.amocrm.ru', pipelineId: 7, sourceName: 'Site calls' },
      { accessToken: 'tok' },
    );
    expect(delivery.kind).toBe('send');
    if (delivery.kind !== 'send') return;
    expect(delivery.request.url).toBe('https://clinic.amocrm.ru/api/v4/leads/unsorted/sip');
    expect(delivery.request.headers).toMatchObject({
      authorization: 'Bearer tok',
      'content-type': 'application/json',
    });
    const seconds = Math.floor(STARTED / 1000);
    expect(JSON.parse(delivery.request.body as string)).toEqual([
      {
        source_name: 'Site calls',
        source_uid: 'c1',
        pipeline_id: 7,
        created_at: seconds,
        metadata: {
          is_call_event_needed: true,
          uniq: 'c1',
          duration: 95,
          service_code: 'ringtrace',
          link: 'https://ct.example.com/rec/c1.mp3',
          phone: '79161234567',
          called_at: seconds,
          from: '+79161234567',
        },
        _embedded: {
          leads: [
            {
              name: 'Call from +79161234567',
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
              name: '+79161234567',
              custom_fields_values: [
                { field_code: 'PHONE', values: [{ value: '+79161234567', enum_code: 'WORK' }] },
              ],
            },
          ],
        },
      },
    ]);
  });

  it('leaves out what the call does not have, and skips a call without a caller number', () => {
    const bare = amocrmDelivery(
      message(
        { recordingUrl: null, talkSeconds: null },
        { source: null, medium: null, campaign: null, keyword: null, landingUrl: null },
      ),
      { baseUrl: 'https://clinic.amocrm.ru' },
      { accessToken: 'tok' },
    );
    if (bare.kind !== 'send') throw new Error(bare.kind);
    const [item] = JSON.parse(bare.request.body as string);
    expect(item.source_name).toBe('Ringtrace');
    expect(item.pipeline_id).toBeUndefined();
    expect(item.metadata.link).toBeUndefined();
    expect(item.metadata.duration).toBe(0);
    expect(item._embedded.leads).toEqual([{ name: 'Call from +79161234567' }]);
    for (const caller of ['anonymous', '', '79161234567', '+0123'])
      expect(
        amocrmDelivery(message({ caller }), { baseUrl: 'https://a.amocrm.ru' }, { accessToken: 't' }),
      ).toEqual({ kind: 'skip', note: 'skipped: no caller number' });
    expect(amocrmDelivery(message(), { baseUrl: 'https://a.amocrm.ru' }, {}).kind).toBe('invalid');
  });
});

describe('amoCRM answers', () => {
  const problem = (errors: object[]) =>
    JSON.stringify({
      'validation-errors': [{ request_id: '0', errors }],
      title: 'Bad Request',
      type: 'https://httpstatus.es/400',
      status: 400,
      detail: 'Request validation failed',
    });
  const response = (status: number, body: string) => ({ kind: 'response' as const, status, body });

  it('notes the lead amo made, and takes a refused duplicate for delivered', () => {
    const created = JSON.stringify({
      _total_items: 1,
      _embedded: { unsorted: [{ uid: 'u1', _embedded: { leads: [{ id: 4242 }], contacts: [{ id: 7 }] } }] },
    });
    expect(amocrmAnswer(200, created)).toEqual({ kind: 'delivered', note: 'amoCRM lead 4242' });
    expect(amocrmAnswer(200, '')).toEqual({ kind: 'delivered' });
    expect(
      amocrmAnswer(
        400,
        problem([{ code: 'NotUnique', path: '0.source_uid', detail: 'Duplicate source_uid' }]),
      ),
    ).toEqual({ kind: 'delivered', note: 'amoCRM already had this call (sent before): not added again' });
  });

  it('fails other validation errors with amo’s words, and leaves the rest to the status codes', () => {
    expect(
      amocrmAnswer(
        400,
        problem([{ code: 'NotSupportedChoice', path: '0.pipeline_id', detail: 'The value is not valid.' }]),
      ),
    ).toEqual({ kind: 'fail', reason: 'HTTP 400: 0.pipeline_id: The value is not valid.' });
    expect(amocrmAnswer(401, '{"title":"Unauthorized","status":401}')).toBeUndefined();
    expect(amocrmAnswer(429, '')).toBeUndefined();
    const read = amocrmAnswer;
    expect(verdictOf(response(401, 'Unauthorized'), 1, read).kind).toBe('fail');
    expect(verdictOf(response(429, ''), 1, read)).toEqual({ kind: 'retry', reason: 'HTTP 429' });
    expect(verdictOf(response(502, 'bad gateway'), 20, read).kind).toBe('fail');
  });
});
