import { describe, expect, it } from 'vitest';
import type { Call } from './call.js';
import {
  localTimeToEpoch,
  verifyZadarma,
  zadarmaCallEvent,
  zadarmaSignature,
  zadarmaSignatureString,
  zadarmaStatus,
} from './zadarma.js';

const now = Date.UTC(2026, 0, 15, 9, 0, 0);
const ctx = { now, timeZone: 'Europe/Moscow' };
const start = {
  event: 'NOTIFY_START',
  call_start: '2026-01-15 12:00:00', // 09:00 UTC in Moscow
  pbx_call_id: 'in_0123456789abcdef',
  caller_id: '79161234567',
  called_did: '74951234567',
};

describe('Zadarma signature', () => {
  it('matches the research notes vector: base64 of the hex HMAC-SHA1', () => {
    expect(zadarmaSignature('secret', '+79161234567' + '74951234567' + '2024-01-01 12:00:00')).toBe(
      'NmE0Njg2ZjAxNTQwMThmMDc5YjRkMmQ1NDBmNWFmZGIxM2Y4ZjJiOA==',
    );
  });

  it('signs the fields each event lists, in the SDK order', () => {
    const base = { caller_id: 'A', called_did: 'B', destination: 'D', internal: 'I', call_start: 'T' };
    expect(zadarmaSignatureString({ ...base, event: 'NOTIFY_START' })).toBe('ABT');
    expect(zadarmaSignatureString({ ...base, event: 'NOTIFY_END' })).toBe('ABT');
    expect(zadarmaSignatureString({ ...base, event: 'NOTIFY_ANSWER' })).toBe('ADT');
    expect(zadarmaSignatureString({ ...base, event: 'NOTIFY_OUT_END' })).toBe('IDT');
    expect(zadarmaSignatureString({ event: 'NOTIFY_RECORD', pbx_call_id: 'P', call_id_with_rec: 'R' })).toBe(
      'PR',
    );
    expect(zadarmaSignatureString({ event: 'SMS' })).toBeUndefined();
  });

  it('verifies the header', () => {
    const good = zadarmaSignature('s3cret', '797161234567' + '74951234567' + '2026-01-15 12:00:00');
    const form = { ...start, caller_id: '797161234567' };
    expect(verifyZadarma('s3cret', form, good)).toBe('ok');
    expect(verifyZadarma('other', form, good)).toBe('mismatch');
    expect(verifyZadarma('s3cret', { ...form, called_did: '74990000000' }, good)).toBe('mismatch');
    expect(verifyZadarma('s3cret', form, undefined)).toBe('missing');
    expect(verifyZadarma('s3cret', { event: 'SMS' }, good)).toBe('unknown_event');
  });
});

describe('call_start', () => {
  it('is read in the given time zone, DST included', () => {
    expect(localTimeToEpoch('2024-01-01 12:00:00', 'Europe/Moscow')).toBe(Date.UTC(2024, 0, 1, 9));
    expect(localTimeToEpoch('2024-07-01 12:00:00', 'Europe/Berlin')).toBe(Date.UTC(2024, 6, 1, 10));
    expect(localTimeToEpoch('2024-01-01 12:00:00', 'Europe/Berlin')).toBe(Date.UTC(2024, 0, 1, 11));
    expect(localTimeToEpoch('2024-01-01 12:00:00', 'UTC')).toBe(Date.UTC(2024, 0, 1, 12));
  });

  it('refuses what is not a date and time', () => {
    expect(localTimeToEpoch('2024-02-30 12:00:00', 'UTC')).toBeUndefined();
    expect(localTimeToEpoch('1704110400', 'UTC')).toBeUndefined();
    expect(localTimeToEpoch('2024-01-01 12:00:00', 'Mars/Olympus')).toBeUndefined();
  });
});

describe('Zadarma events', () => {
  it('starts the call at call_start when it agrees with the arrival time', () => {
    const mapped = zadarmaCallEvent(start, ctx);
    expect(mapped).toMatchObject({
      kind: 'event',
      event: {
        incoming: {
          provider: 'zadarma',
          providerCallId: 'in_0123456789abcdef',
          caller: '+79161234567',
          called: '74951234567',
          startedAt: now,
        },
      },
    });
    expect(mapped).not.toHaveProperty('skewMs');
  });

  it('falls back to the arrival time when call_start is in another time zone', () => {
    const mapped = zadarmaCallEvent(start, { now, timeZone: 'UTC' });
    expect(mapped).toMatchObject({
      kind: 'event',
      skewMs: 3 * 3600_000,
      event: { incoming: { startedAt: now } },
    });
  });

  it('ends the call with the disposition, duration as talk, and the recording', () => {
    const mapped = zadarmaCallEvent(
      {
        ...start,
        event: 'NOTIFY_END',
        internal: '100',
        duration: '95',
        disposition: 'answered',
        status_code: '16',
        is_recorded: '1',
        call_id_with_rec: '1768467600.12345',
      },
      { ...ctx, now: now + 120_000 },
    );
    if (mapped.kind !== 'event') throw new Error(mapped.kind);
    expect(mapped.event.incoming?.startedAt).toBe(now);
    expect(mapped.event.update?.({ status: 'in-progress' } as Call)).toEqual({
      status: 'answered',
      endedAt: now + 120_000,
      answeredAt: now + 25_000,
      talkSeconds: 95,
      recordingUrl: 'https://api.zadarma.com/v1/pbx/record/request/?call_id=1768467600.12345',
    });
  });

  it('maps dispositions', () => {
    expect(zadarmaStatus('answered')).toBe('answered');
    expect(zadarmaStatus('busy')).toBe('busy');
    expect(zadarmaStatus('cancel')).toBe('canceled');
    expect(zadarmaStatus('no answer')).toBe('no-answer');
    expect(zadarmaStatus('no money')).toBe('failed');
    expect(zadarmaStatus('unallocated number')).toBe('failed');
  });

  it('ignores internal and outgoing calls, refuses broken ones', () => {
    expect(zadarmaCallEvent({ ...start, event: 'NOTIFY_INTERNAL', internal: '100' }, ctx).kind).toBe(
      'ignore',
    );
    expect(zadarmaCallEvent({ ...start, event: 'NOTIFY_OUT_START' }, ctx).kind).toBe('ignore');
    expect(zadarmaCallEvent({ ...start, pbx_call_id: '' }, ctx).kind).toBe('invalid');
    expect(zadarmaCallEvent({ ...start, call_start: 'yesterday' }, ctx).kind).toBe('invalid');
    expect(zadarmaCallEvent({ ...start, event: 'NOTIFY_END', disposition: '' }, ctx).kind).toBe('invalid');
  });
});
