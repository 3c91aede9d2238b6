import { describe, expect, it } from 'vitest';
import type { Call } from './call.js';
import {
  type MangoCall,
  mangoCallEvent,
  mangoMissedStatus,
  mangoRecordingEvent,
  mangoSign,
  mangoSummaryEvent,
  parseMango,
  verifyMango,
} from './mango.js';

const call = (over: Partial<Call> = {}): Call =>
  ({ id: 'c1', status: 'ringing', answeredAt: null, endedAt: null, ...over }) as Call;

const leg = (over: Partial<MangoCall>): MangoCall => ({
  entry_id: 'MTAxMDg0NTYyNzY6MTAx',
  call_id: 'MToxMDA1MjU3MTozMDE6ODk5NjYzMzY1',
  timestamp: 1_768_467_600,
  seq: 1,
  call_state: 'Appeared',
  location: 'ivr',
  from: { number: '79161234567' },
  to: { number: '74951234567', line_number: '74951234567' },
  ...over,
});

describe('Mango signature', () => {
  it('matches the research notes vector: sha256_hex(key + json + salt)', () => {
    expect(mangoSign('key', '{"a":1}', 'salt')).toBe(
      '0a14249b7c9fe83386698debbe9dd7e4a3c0adca8a825e1b5b6d2ed4dfb58f00',
    );
  });

  it('checks the key, then the sign over the json string as received', () => {
    const creds = { apiKey: 'key', apiSalt: 'salt' };
    const json = '{"a":1}';
    const sign = mangoSign('key', json, 'salt');
    expect(verifyMango(creds, { vpbx_api_key: 'key', sign, json })).toBe('ok');
    expect(verifyMango(creds, { vpbx_api_key: 'key', sign: sign.toUpperCase(), json })).toBe('ok');
    expect(verifyMango(creds, { vpbx_api_key: 'key', sign, json: '{"a": 1}' })).toBe('mismatch');
    expect(verifyMango(creds, { vpbx_api_key: 'other', sign, json })).toBe('wrong_key');
    expect(verifyMango(creds, { vpbx_api_key: 'key', json })).toBe('missing');
    expect(verifyMango(creds, { sign, json })).toBe('missing');
  });
});

describe('Mango payloads', () => {
  it('accepts numbers written as numbers or numeric strings, and nulls', () => {
    const parsed = parseMango(
      'call',
      JSON.stringify({ ...leg({}), timestamp: '1768467600', location: null }),
    );
    expect(parsed.ok).toBe(true);
  });

  it('refuses broken JSON and missing fields apart', () => {
    expect(parseMango('call', '{"entry_id":')).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(parseMango('summary', '{"entry_id":"x"}')).toMatchObject({
      ok: false,
      code: 'validation_failed',
    });
  });
});

describe('Mango call events', () => {
  it('starts the call from the line it came in on, in UTC seconds', () => {
    const e = mangoCallEvent(leg({}));
    expect(e?.incoming).toEqual({
      provider: 'mango',
      providerCallId: 'MTAxMDg0NTYyNzY6MTAx',
      caller: '+79161234567',
      called: '74951234567',
      startedAt: 1_768_467_600_000,
    });
    expect(e?.update?.(call())).toBeUndefined();
  });

  it('ignores calls placed by the PBX employees (outgoing, internal)', () => {
    expect(mangoCallEvent(leg({ from: { extension: '101', number: '74957778899' } }))).toBeUndefined();
  });

  it('counts only an employee connecting as the answer', () => {
    const at = 1_768_467_610;
    expect(
      mangoCallEvent(leg({ call_state: 'Connected', location: 'ivr' }))?.update?.(call()),
    ).toBeUndefined();
    expect(
      mangoCallEvent(leg({ call_state: 'Connected', location: 'abonent', timestamp: at }))?.update?.(call()),
    ).toEqual({ status: 'in-progress', answeredAt: at * 1000 });
  });

  it('finishes the call only on an unambiguous hang-up', () => {
    const end = (reason: number, current: Call) =>
      mangoCallEvent(leg({ call_state: 'Disconnected', disconnect_reason: reason }))?.update?.(current);
    const talking = call({ status: 'in-progress', answeredAt: 1 });
    expect(end(1110, call())).toMatchObject({ status: 'canceled' });
    expect(end(1110, talking)).toMatchObject({ status: 'answered' });
    expect(end(1120, talking)).toMatchObject({ status: 'answered' });
    // A leg that ends because the PBX moves the caller on (or an employee did not pick up) is not the end.
    expect(end(1111, call())).toBeUndefined();
    expect(end(1100, call())).toBeUndefined();
    expect(end(1183, talking)).toBeUndefined();
  });

  it('maps result codes of missed calls', () => {
    expect(mangoMissedStatus(1110)).toBe('canceled');
    expect(mangoMissedStatus(1111)).toBe('no-answer');
    expect(mangoMissedStatus(1121)).toBe('busy');
    expect(mangoMissedStatus(1163)).toBe('no-answer');
    expect(mangoMissedStatus(1131)).toBe('failed');
    expect(mangoMissedStatus(2240)).toBe('failed');
    expect(mangoMissedStatus(undefined)).toBe('no-answer');
  });

  it('finishes from the summary: answer moment, talk = end − answer', () => {
    const answered = mangoSummaryEvent({
      entry_id: 'E',
      from: { number: '79161234567' },
      to: { extension: '101', number: '74957778899' },
      line_number: '74951234567',
      create_time: 100,
      forward_time: 102,
      talk_time: 110,
      end_time: 205,
      entry_result: 1,
      disconnect_reason: 1110,
    });
    expect(answered?.incoming).toMatchObject({ called: '74951234567', startedAt: 100_000 });
    expect(answered?.update?.(call())).toEqual({
      status: 'answered',
      answeredAt: 110_000,
      endedAt: 205_000,
      talkSeconds: 95,
    });
    const missed = mangoSummaryEvent({
      entry_id: 'E',
      line_number: '74951234567',
      create_time: '100',
      talk_time: '0',
      end_time: '130',
      entry_result: '0',
      disconnect_reason: '1121',
    });
    expect(missed?.update?.(call())).toEqual({ status: 'busy', endedAt: 130_000, talkSeconds: 0 });
  });
});

describe('mangoRecordingEvent', () => {
  const e = { entry_id: 'E1', recording_id: 'MToxMDEy', recording_state: 'Completed' };
  it('stores the reference once the recording is Completed, or when it was put into storage', () => {
    const ref = 'https://app.mango-office.ru/vpbx/queries/recording/post?recording_id=MToxMDEy';
    expect(mangoRecordingEvent('recording', e)?.update?.(undefined)).toEqual({ recordingUrl: ref });
    expect(
      mangoRecordingEvent('record/added', { entry_id: 'E1', recording_id: 'MToxMDEy' })?.providerCallId,
    ).toBe('E1');
  });
  it('ignores a recording still being made', () => {
    expect(mangoRecordingEvent('recording', { ...e, recording_state: 'Started' })).toBeUndefined();
    expect(mangoRecordingEvent('recording', { ...e, recording_state: 'Continued' })).toBeUndefined();
  });
});
