import { createHmac } from 'node:crypto';
import { sameSecret } from '../../secret.js';
import { zoneOffset } from '../../time-zone.js';
import type { CallStatus } from './call.js';
import { type CallEvent, withPlus } from './call-events.js';

/**
 * Zadarma PBX notifications (research notes §2.2; verified against zadarma/user-api-v1: lib/Webhook/*.php for
 * the signed fields, lib/Client.php `encodeSignature`, examples/callinfo_callback.php).
 *
 * `Signature: base64(hash_hmac('sha1', string, secret))`. PHP's hash_hmac returns *hex*, so the header is the
 * base64 of the 40-character hex digest, not of the raw digest.
 */
export function zadarmaSignature(secret: string, signatureString: string): string {
  const hex = createHmac('sha1', secret).update(signatureString, 'utf8').digest('hex');
  return Buffer.from(hex, 'utf8').toString('base64');
}

type Form = Record<string, string | undefined>;

/** The string each event signs, field order as in the SDK's getSignatureString(); undefined: not signed. */
export function zadarmaSignatureString(form: Form): string | undefined {
  const f = (name: string) => form[name] ?? '';
  switch (form.event) {
    case 'NOTIFY_START':
    case 'NOTIFY_IVR':
    case 'NOTIFY_INTERNAL':
    case 'NOTIFY_END':
      return f('caller_id') + f('called_did') + f('call_start');
    case 'NOTIFY_ANSWER':
      return f('caller_id') + f('destination') + f('call_start');
    case 'NOTIFY_OUT_START':
    case 'NOTIFY_OUT_END':
      return f('internal') + f('destination') + f('call_start');
    case 'NOTIFY_RECORD':
      return f('pbx_call_id') + f('call_id_with_rec');
    default:
      return undefined;
  }
}

export type ZadarmaCheck = 'ok' | 'missing' | 'mismatch' | 'unknown_event';

export function verifyZadarma(secret: string, form: Form, header: unknown): ZadarmaCheck {
  if (typeof header !== 'string' || header === '') return 'missing';
  const text = zadarmaSignatureString(form);
  if (text === undefined) return 'unknown_event';
  return sameSecret(zadarmaSignature(secret, text), header.trim()) ? 'ok' : 'mismatch';
}

/**
 * `YYYY-MM-DD HH:MM:SS` read as a wall-clock time in `timeZone` → epoch ms (undefined if it is not such a
 * time). Zadarma writes call_start in the time zone of the Zadarma account (the one its API reports at
 * GET /v1/info/timezone/); in a DST overlap the earlier moment is taken.
 */
export function localTimeToEpoch(text: string, timeZone: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return undefined;
  try {
    const first = wall - zoneOffset(wall, timeZone);
    return wall - zoneOffset(first, timeZone);
  } catch {
    return undefined;
  }
}

/** NOTIFY_END `disposition` → our status. */
export function zadarmaStatus(disposition: string): CallStatus {
  switch (disposition.trim().toLowerCase()) {
    case 'answered':
      return 'answered';
    case 'busy':
      return 'busy';
    case 'cancel':
      return 'canceled';
    case 'no answer':
      return 'no-answer';
    default:
      // failed, no money, unallocated number, no limit, no day limit, line limit, …
      return 'failed';
  }
}

/** Where Zadarma hands out a temporary link to the recording (an authenticated API method). */
export const zadarmaRecordingRef = (callIdWithRec: string) =>
  `https://api.zadarma.com/v1/pbx/record/request/?call_id=${encodeURIComponent(callIdWithRec)}`;

/** call_start further than this from when we expect it means the account's time zone is not the one we use. */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000;
/** The longest a call may plausibly ring or sit in IVR and queues before NOTIFY_END's talk time starts. */
const MAX_RING_MS = 60 * 60_000;

export type ZadarmaEvent =
  | { kind: 'ignore'; reason: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'event'; event: CallEvent; skewMs?: number };

/**
 * A verified notification as a call event. Events are real time, so their arrival (`now`) is when they happened;
 * call_start is trusted for the start only when it agrees with that within 10 minutes.
 *
 * NOTIFY_START starts the call; NOTIFY_ANSWER marks the answer (it has no called_did, so it cannot start one);
 * NOTIFY_END finishes it with the disposition, `duration` as the talk time of an answered call, and the
 * recording; NOTIFY_RECORD adds a recording. Internal, outgoing and IVR notifications are ignored.
 */
export function zadarmaCallEvent(form: Form, ctx: { now: number; timeZone: string }): ZadarmaEvent {
  const event = form.event ?? '';
  const id = form.pbx_call_id?.trim() ?? '';
  if (!['NOTIFY_START', 'NOTIFY_ANSWER', 'NOTIFY_END', 'NOTIFY_RECORD'].includes(event))
    return { kind: 'ignore', reason: `${event || 'an event'} is not used by Ringtrace` };
  if (id === '' || id.length > 128) return { kind: 'invalid', message: 'pbx_call_id is missing or too long' };
  const ref = { provider: 'zadarma', providerCallId: id };
  const recording =
    form.is_recorded === '1' && form.call_id_with_rec
      ? { recordingUrl: zadarmaRecordingRef(form.call_id_with_rec) }
      : {};

  if (event === 'NOTIFY_ANSWER')
    return {
      kind: 'event',
      event: { ...ref, update: () => ({ status: 'in-progress', answeredAt: ctx.now }) },
    };
  if (event === 'NOTIFY_RECORD') {
    if (!form.call_id_with_rec) return { kind: 'invalid', message: 'call_id_with_rec is missing' };
    const recordingUrl = zadarmaRecordingRef(form.call_id_with_rec);
    return { kind: 'event', event: { ...ref, update: () => ({ recordingUrl }) } };
  }

  if (!form.called_did) return { kind: 'invalid', message: 'called_did is missing' };
  const parsed = localTimeToEpoch(form.call_start ?? '', ctx.timeZone);
  if (parsed === undefined) return { kind: 'invalid', message: 'call_start is not YYYY-MM-DD HH:MM:SS' };
  const duration = Number(form.duration ?? '0');
  if (!Number.isInteger(duration) || duration < 0)
    return { kind: 'invalid', message: 'duration is not a whole number of seconds' };
  // NOTIFY_START arrives as the call starts; NOTIFY_END `duration` after the answer, plus ringing and IVR time.
  const expected = event === 'NOTIFY_START' ? ctx.now : ctx.now - duration * 1000;
  const skew = parsed - expected;
  const earliest = event === 'NOTIFY_START' ? -MAX_CLOCK_SKEW_MS : -MAX_RING_MS;
  const startedAt = skew >= earliest && skew <= MAX_CLOCK_SKEW_MS ? parsed : expected;
  const incoming = {
    ...ref,
    caller: withPlus(form.caller_id ?? ''),
    called: form.called_did,
    startedAt,
  };
  const skewed = startedAt === parsed ? {} : { skewMs: skew };
  if (event === 'NOTIFY_START') return { kind: 'event', event: { ...ref, incoming }, ...skewed };

  if (!form.disposition) return { kind: 'invalid', message: 'disposition is missing' };
  const status = zadarmaStatus(form.disposition);
  return {
    kind: 'event',
    ...skewed,
    event: {
      ...ref,
      incoming,
      update: () =>
        status === 'answered'
          ? {
              status,
              endedAt: ctx.now,
              answeredAt: ctx.now - duration * 1000,
              talkSeconds: duration,
              ...recording,
            }
          : { status, endedAt: ctx.now, talkSeconds: 0, ...recording },
    },
  };
}
