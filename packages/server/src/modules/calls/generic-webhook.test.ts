import { describe, expect, it } from 'vitest';
import type { Call } from './call.js';
import { withPlus } from './call-events.js';
import {
  genericCallEvent,
  parseGenericEvent,
  signStandardWebhook,
  verifyStandardWebhook,
} from './generic-webhook.js';

describe('Standard Webhooks signature', () => {
  // The "sign function works" vector of standard-webhooks/libraries/javascript/src/webhook.test.ts.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const body = '{"test": 2432232314}';

  it('matches the reference library', () => {
    expect(signStandardWebhook(secret, id, 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('accepts one matching v1 signature among several, within five minutes', () => {
    const now = 1614265330_000;
    const good = signStandardWebhook(secret, id, 1614265330, body);
    const headers = (signature: string, timestamp = '1614265330') => ({ id, timestamp, signature });
    expect(verifyStandardWebhook(secret, headers(good), body, now)).toBe('ok');
    expect(verifyStandardWebhook(secret, headers(`v1a,xyz v2,abc ${good}`), body, now + 299_000)).toBe('ok');
    expect(verifyStandardWebhook(secret, headers(good), `${body} `, now)).toBe('mismatch');
    expect(verifyStandardWebhook('whsec_b3RoZXI=', headers(good), body, now)).toBe('mismatch');
    expect(verifyStandardWebhook(secret, headers(good), body, now + 301_000)).toBe('stale');
    expect(verifyStandardWebhook(secret, headers(good), body, now - 301_000)).toBe('stale');
    expect(verifyStandardWebhook(secret, headers(good, '1614265330.5'), body, now)).toBe('malformed');
    expect(verifyStandardWebhook(secret, { id, timestamp: undefined, signature: good }, body, now)).toBe(
      'missing',
    );
  });

  it('uses a secret without the whsec_ prefix as it is', () => {
    const sig = signStandardWebhook('plain secret', 'e1', 1700000000, '{}');
    expect(
      verifyStandardWebhook(
        'plain secret',
        { id: 'e1', timestamp: '1700000000', signature: sig },
        '{}',
        1700000000_000,
      ),
    ).toBe('ok');
  });
});

describe('generic events', () => {
  const started = { event: 'call.started', callId: 'pbx-1', caller: '+79161234567', called: '+74951234567' };

  it('takes ISO 8601 with an offset or epoch milliseconds', () => {
    const iso = parseGenericEvent(JSON.stringify({ ...started, at: '2026-01-15T12:00:00+03:00' }));
    const ms = parseGenericEvent(JSON.stringify({ ...started, at: Date.UTC(2026, 0, 15, 9) }));
    expect(iso).toMatchObject({ ok: true, at: Date.UTC(2026, 0, 15, 9) });
    expect(ms).toMatchObject({ ok: true, at: Date.UTC(2026, 0, 15, 9) });
  });

  it('refuses local times, epoch seconds, unknown fields and bad JSON', () => {
    expect(parseGenericEvent(JSON.stringify({ ...started, at: '2026-01-15T12:00:00' }))).toMatchObject({
      ok: false,
      code: 'validation_failed',
    });
    expect(parseGenericEvent(JSON.stringify({ ...started, at: 1768467600 }))).toMatchObject({ ok: false });
    expect(
      parseGenericEvent(JSON.stringify({ ...started, at: 1768467600000, talk_seconds: 5 })),
    ).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(parseGenericEvent('{"event":')).toMatchObject({ ok: false, code: 'invalid_json' });
  });

  it('ends a call as answered when it was answered, unless told otherwise', () => {
    const at = Date.UTC(2026, 0, 15, 9, 2);
    const ended = { event: 'call.ended' as const, callId: 'x', caller: '1', called: '2', at };
    const ringing = { status: 'ringing', answeredAt: null } as Call;
    const talking = { status: 'in-progress', answeredAt: at - 60_000 } as Call;
    expect(genericCallEvent(ended, at).update?.(ringing)).toMatchObject({ status: 'no-answer', endedAt: at });
    expect(genericCallEvent(ended, at).update?.(talking)).toMatchObject({ status: 'answered' });
    expect(genericCallEvent({ ...ended, status: 'busy' }, at).update?.(ringing)).toMatchObject({
      status: 'busy',
    });
    expect(genericCallEvent({ ...ended, talkSeconds: 30 }, at).update?.(ringing)).toEqual({
      status: 'answered',
      endedAt: at,
      answeredAt: at - 30_000,
      talkSeconds: 30,
    });
  });
});

describe('withPlus', () => {
  it('adds + to international digits only', () => {
    expect(withPlus('79161234567')).toBe('+79161234567');
    expect(withPlus('+79161234567')).toBe('+79161234567');
    expect(withPlus('89161234567')).toBe('89161234567');
    expect(withPlus('100')).toBe('100');
    expect(withPlus('sip:101@vpbx.mango-office.ru')).toBe('sip:101@vpbx.mango-office.ru');
  });
});
