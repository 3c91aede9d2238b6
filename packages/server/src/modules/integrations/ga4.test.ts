import { describe, expect, it } from 'vitest';
import { callEndedMessage } from '../../../test/helpers/call-message.js';
import { ga4Delivery, ga4NameProblem, ga4Problems } from './ga4.js';
import type { OutboxMessage } from './outbox-message.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

function message(
  startedAt: number,
  gaClientId: string | null,
  gaSessions: Record<string, string> | null = null,
): OutboxMessage {
  const data = {
    call: { id: 'c1', startedAt, talkSeconds: 42, firstTimeCaller: false },
    attribution: { gaClientId, gaSessions },
  };
  return callEndedMessage(data, startedAt);
}

describe('GA4 names and limits', () => {
  it('accepts GA4 names and refuses reserved, malformed and long ones', () => {
    for (const ok of ['generate_lead', 'phone_call', 'Lead2', 'a'.repeat(40)])
      expect(ga4NameProblem(ok, 'event')).toBeUndefined();
    expect(ga4NameProblem('', 'event')).toMatch(/1 to 40/);
    expect(ga4NameProblem('a'.repeat(41), 'event')).toMatch(/1 to 40/);
    expect(ga4NameProblem('2lead', 'event')).toMatch(/start with a letter/);
    expect(ga4NameProblem('lead-form', 'event')).toMatch(/letters, digits and underscores/);
    expect(ga4NameProblem('_lead', 'event')).toMatch(/reserved prefix "_"/);
    expect(ga4NameProblem('google_lead', 'param')).toMatch(/reserved prefix/);
    expect(ga4NameProblem('firebase_x', 'event')).toMatch(/reserved prefix/);
    expect(ga4NameProblem('session_start', 'event')).toMatch(/reserved/);
    expect(ga4NameProblem('app_remove', 'event')).toMatch(/reserved/);
    expect(ga4NameProblem('ad_click', 'event')).toMatch(/reserved/);
    // Reserved event names are fine as parameter names.
    expect(ga4NameProblem('session_start', 'param')).toBeUndefined();
  });

  it('lists every problem of a body', () => {
    const params = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`p${i}`, i]));
    expect(
      ga4Problems({
        client_id: '',
        events: [{ name: 'ok_event', params: { ...params, long: 'x'.repeat(101) } }],
      }),
    ).toEqual([
      'client_id is required',
      'events[0] has more than 25 parameters',
      'events[0].params.long is longer than 100 characters',
    ]);
    expect(ga4Problems({ client_id: '1.2', events: [] })).toEqual(['a request carries 1 to 25 events']);
    expect(
      ga4Problems({ client_id: '1.2', events: [{ name: 'x', params: { v: 'x'.repeat(100) } }] }),
    ).toEqual([]);
  });
});

describe('GA4 request', () => {
  const settings = { measurementId: 'G-ABC123', eventName: 'generate_lead' };
  it('backdates the event to the call within 72 hours, and sends older calls as of now', () => {
    const recent = ga4Delivery(
      message(NOW - 3_600_000, '1.2'),
      settings,
      { apiSecret: 'a b' },
      NOW,
      'https://g',
    );
    expect(recent.kind).toBe('send');
    if (recent.kind !== 'send') return;
    expect(recent.request.url).toBe('https://g/mp/collect?measurement_id=G-ABC123&api_secret=a+b');
    expect(JSON.parse(recent.request.body as string)).toEqual({
      client_id: '1.2',
      timestamp_micros: (NOW - 3_600_000) * 1000,
      events: [
        {
          name: 'generate_lead',
          params: {
            method: 'phone_call',
            call_id: 'c1',
            call_duration: 42,
            first_time_caller: 0,
            engagement_time_msec: 100,
          },
        },
      ],
    });
    const old = ga4Delivery(
      message(NOW - 73 * 3_600_000, '1.2'),
      settings,
      { apiSecret: 's' },
      NOW,
      'https://g',
    );
    expect(old.kind === 'send' && JSON.parse(old.request.body as string).timestamp_micros).toBeUndefined();
  });

  it('credits the visit’s session of the same stream, within 24 hours of the session’s start', () => {
    const sessionParam = (sessions: Record<string, string>) => {
      const sent = ga4Delivery(message(NOW, '1.2', sessions), settings, { apiSecret: 's' }, NOW, 'https://g');
      return sent.kind === 'send'
        ? JSON.parse(sent.request.body as string).events[0].params.session_id
        : 'none';
    };
    const startedSeconds = (msAgo: number) => String(Math.floor((NOW - msAgo) / 1000));
    expect(sessionParam({ 'G-ABC123': startedSeconds(3_600_000) })).toBe(startedSeconds(3_600_000));
    expect(sessionParam({ 'G-OTHER': startedSeconds(60_000) })).toBeUndefined();
    // GA4 ignores a session id sent more than 24 hours after the session started.
    expect(sessionParam({ 'G-ABC123': startedSeconds(24 * 3_600_000 + 1_000) })).toBeUndefined();
  });

  it('skips a call without a GA client id and refuses what GA4 would drop', () => {
    expect(ga4Delivery(message(NOW, null), settings, { apiSecret: 's' }, NOW, 'https://g')).toEqual({
      kind: 'skip',
      note: 'skipped: no GA client id',
    });
    const bad = ga4Delivery(
      message(NOW, '1.2'),
      { ...settings, eventName: '_x' },
      { apiSecret: 's' },
      NOW,
      'https://g',
    );
    expect(bad.kind).toBe('invalid');
  });
});
