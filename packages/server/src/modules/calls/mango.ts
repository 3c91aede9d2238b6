import { createHash, timingSafeEqual } from 'node:crypto';
import { type Static, type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import type { CallStatus } from './call.js';
import { type CallEvent, withPlus } from './call-events.js';

/**
 * Mango Office VPBX API events (research notes §2.1; field names verified against maxodrom/yii2-mango-office-api
 * EventsController and models). Mango posts a form with `vpbx_api_key`, `sign` and `json` to
 * `<external system URL>/events/<type>`; `sign = sha256_hex(api_key + json + api_salt)` over the `json` field
 * exactly as received.
 */
export const mangoSign = (apiKey: string, json: string, apiSalt: string): string =>
  createHash('sha256').update(`${apiKey}${json}${apiSalt}`, 'utf8').digest('hex');

export type MangoCheck = 'ok' | 'missing' | 'wrong_key' | 'mismatch';

export function verifyMango(
  credentials: { apiKey?: string; apiSalt?: string },
  form: Record<string, string | undefined>,
): MangoCheck {
  const { vpbx_api_key: key, sign, json } = form;
  if (!key || !sign || json === undefined) return 'missing';
  if (!sameText(key, credentials.apiKey ?? '')) return 'wrong_key';
  const expected = mangoSign(credentials.apiKey ?? '', json, credentials.apiSalt ?? '');
  return sameText(sign.toLowerCase(), expected) ? 'ok' : 'mismatch';
}

/** Constant-time equality of two strings of any length (compared as SHA-256 digests). */
function sameText(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

// Mango writes counters and times as JSON numbers; be tolerant of numeric strings and of nulls.
const Num = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^\\d{1,15}$' })]);
const Text = Type.Union([Type.String({ maxLength: 256 }), Type.Null()]);
const opt = <T extends TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
const Party = Type.Object({
  extension: Type.Optional(Text),
  number: Type.Optional(Text),
  line_number: Type.Optional(Text),
  taken_from_call_id: Type.Optional(Text),
  acd_group: Type.Optional(Text),
});

/** `/events/call`: one state change of one leg (IVR, queue, employee) of the call group `entry_id`. */
export const MangoCallSchema = Type.Object({
  entry_id: Type.String({ minLength: 1, maxLength: 128 }),
  call_id: opt(Type.String({ maxLength: 128 })),
  timestamp: Num,
  seq: opt(Num),
  call_state: Type.String({ minLength: 1, maxLength: 32 }),
  location: opt(Type.String({ maxLength: 32 })),
  from: opt(Party),
  to: opt(Party),
  disconnect_reason: opt(Num),
});
export type MangoCall = Static<typeof MangoCallSchema>;

/** `/events/summary`: the final record of the call group, sent once when it is over. */
export const MangoSummarySchema = Type.Object({
  entry_id: Type.String({ minLength: 1, maxLength: 128 }),
  call_direction: opt(Num),
  from: opt(Party),
  to: opt(Party),
  line_number: opt(Type.String({ maxLength: 256 })),
  create_time: Num,
  forward_time: opt(Num),
  talk_time: opt(Num),
  end_time: opt(Num),
  entry_result: opt(Num),
  disconnect_reason: opt(Num),
});
export type MangoSummary = Static<typeof MangoSummarySchema>;

/**
 * `/events/recording` (a recording's progress: `recording_state` Started, Continued, Completed) and
 * `/events/record/added` (the recording was put into Mango's cloud storage). Field names and states as used by
 * public Mango integrations (docs/telephony.md cites them); other fields (extension, call_id, user_id…) are
 * accepted and unused.
 */
export const MangoRecordingSchema = Type.Object({
  entry_id: Type.String({ minLength: 1, maxLength: 128 }),
  recording_id: Type.String({ minLength: 1, maxLength: 256 }),
  recording_state: opt(Type.String({ maxLength: 32 })),
});
export type MangoRecording = Static<typeof MangoRecordingSchema>;

const validators = {
  call: Compile(MangoCallSchema),
  summary: Compile(MangoSummarySchema),
  recording: Compile(MangoRecordingSchema),
};

export type ParsedMango<T> =
  | { ok: true; value: T }
  | { ok: false; code: 'invalid_json' | 'validation_failed'; message: string; details?: unknown };

export function parseMango(kind: 'call', json: string): ParsedMango<MangoCall>;
export function parseMango(kind: 'summary', json: string): ParsedMango<MangoSummary>;
export function parseMango(kind: 'recording', json: string): ParsedMango<MangoRecording>;
export function parseMango(
  kind: 'call' | 'summary' | 'recording',
  json: string,
): ParsedMango<MangoCall | MangoSummary | MangoRecording> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'the json field is not valid JSON' };
  }
  const validator = validators[kind];
  if (validator.Check(value)) return { ok: true, value };
  const details = validator.Errors(value).map((e) => ({ path: e.instancePath, message: e.message }));
  const first = details.find((d) => d.path !== '') ?? details[0];
  return {
    ok: false,
    code: 'validation_failed',
    message: `json ${first?.path ?? ''} ${first?.message ?? 'is invalid'}`.replace(/\s+/g, ' ').trim(),
    details,
  };
}

const num = (v: number | string | null | undefined): number | undefined =>
  v === null || v === undefined ? undefined : Number(v);

/**
 * How an unanswered call ended, from Mango's result code (the code table in the yii2 client's Call model):
 * 1110 the caller hung up; 1120–1123 the called side ended, was busy, rejected or on do-not-disturb;
 * 113x–115x, 1171 and 2xxx+ are restrictions, billing and system errors; the rest (1111 no answer in time,
 * 116x queue and group failures, 119x inactive number or off hours, routing codes) is a missed call.
 */
export function mangoMissedStatus(reason: number | undefined): CallStatus {
  if (reason === undefined) return 'no-answer';
  if (reason === 1110) return 'canceled';
  if (reason >= 1120 && reason <= 1123) return 'busy';
  if ((reason >= 1130 && reason <= 1159) || reason === 1171 || reason >= 2000) return 'failed';
  return 'no-answer';
}

const CALLER_HUNG_UP = 1110;
const CALLED_HUNG_UP = 1120;

/**
 * An `/events/call` leg as a call event, or undefined for legs that are not an inbound call (the caller is one
 * of the PBX's own employees: outgoing and internal calls). The tracking number is the PBX line the call came
 * in on (`to.line_number`); later legs' `to.number` is the employee's phone.
 *
 * - Appeared: the first one seen for an entry_id starts the call.
 * - Connected: an employee (location `abonent`) answered; IVR and queue legs also "connect" but are not an answer.
 * - Disconnected: a leg ending is not the call ending (the PBX moves the caller from IVR to queue to the next
 *   employee), so only an unambiguous end finishes the call: the caller hung up (1110), or after an answer the
 *   employee hung up (1120). Everything else waits for the summary.
 */
export function mangoCallEvent(e: MangoCall): CallEvent | undefined {
  if (e.from?.extension) return undefined;
  const at = Number(e.timestamp) * 1000;
  const called = e.to?.line_number || e.to?.number || '';
  return {
    provider: 'mango',
    providerCallId: e.entry_id,
    incoming: {
      provider: 'mango',
      providerCallId: e.entry_id,
      caller: withPlus(e.from?.number ?? ''),
      called,
      startedAt: at,
    },
    update: (current) => {
      if (!current) return undefined;
      if (e.call_state === 'Connected') {
        return e.location === 'ivr' || e.location === 'queue'
          ? undefined
          : { status: 'in-progress', answeredAt: at };
      }
      if (e.call_state !== 'Disconnected') return undefined;
      const reason = num(e.disconnect_reason);
      const answered = current.answeredAt !== null || current.status === 'in-progress';
      if (answered && (reason === CALLER_HUNG_UP || reason === CALLED_HUNG_UP))
        return { status: 'answered', endedAt: at };
      if (!answered && reason === CALLER_HUNG_UP) return { status: 'canceled', endedAt: at, talkSeconds: 0 };
      return undefined;
    },
  };
}

/**
 * The summary finishes the call: answered when an employee or an external number answered (`talk_time` is the
 * answer moment, 0 when nobody did), talk = end − answer; otherwise the status comes from the result code.
 * It can also be the first event we see for an entry (the call events were lost): then it creates the call.
 */
export function mangoSummaryEvent(s: MangoSummary): CallEvent | undefined {
  if (s.from?.extension) return undefined;
  const created = Number(s.create_time) * 1000;
  const talk = num(s.talk_time) ?? 0;
  const end = num(s.end_time) ?? 0;
  const endedAt = end > 0 ? end * 1000 : undefined;
  return {
    provider: 'mango',
    providerCallId: s.entry_id,
    incoming: {
      provider: 'mango',
      providerCallId: s.entry_id,
      caller: withPlus(s.from?.number ?? ''),
      called: s.line_number || s.to?.number || '',
      startedAt: created,
    },
    update: () =>
      talk > 0
        ? {
            status: 'answered',
            answeredAt: talk * 1000,
            ...(endedAt !== undefined && { endedAt, talkSeconds: Math.max(0, end - talk) }),
          }
        : {
            status: mangoMissedStatus(num(s.disconnect_reason)),
            talkSeconds: 0,
            ...(endedAt !== undefined && { endedAt }),
          },
  };
}

/**
 * Where Mango hands out a recording: its signed `queries/recording/post` API method with this `recording_id`
 * (recording-fetch.ts makes the call). Stored as the call's recordingUrl, as Zadarma's API reference is.
 */
export const mangoRecordingRef = (recordingId: string) =>
  `https://app.mango-office.ru/vpbx/queries/recording/post?recording_id=${encodeURIComponent(recordingId)}`;

/**
 * A recording event as a call event (by `entry_id`, which never creates a call), or undefined while the
 * recording is still being made. `events/recording` counts once its state is Completed; `events/record/added`
 * means the file is in Mango's storage, so it always counts. A call with several recorded legs keeps the last.
 */
export function mangoRecordingEvent(
  type: 'recording' | 'record/added',
  e: MangoRecording,
): CallEvent | undefined {
  if (type === 'recording' && e.recording_state?.toLowerCase() !== 'completed') return undefined;
  const recordingUrl = mangoRecordingRef(e.recording_id);
  return { provider: 'mango', providerCallId: e.entry_id, update: () => ({ recordingUrl }) };
}
