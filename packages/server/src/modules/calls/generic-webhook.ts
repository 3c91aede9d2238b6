import { createHmac } from 'node:crypto';
import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { sameSecret } from '../../secret.js';
import type { CallStatus } from './call.js';
import type { CallEvent } from './call-events.js';

// ---------------------------------------------------------------------------------------------------------------
// The generic JSON webhook, authenticated the Standard Webhooks way (https://www.standardwebhooks.com).

export const STANDARD_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/**
 * The HMAC key. A Standard Webhooks secret (`whsec_<base64>`) is the base64-decoded part after the prefix, as
 * the official libraries read it; any other secret is used as its UTF-8 bytes, so a shell script can sign with
 * `openssl dgst -sha256 -hmac "$SECRET"`.
 */
export function standardWebhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', standardWebhookKey(secret)).update(`${id}.${timestamp}.${body}`, 'utf8');
  return `v1,${mac.digest('base64')}`;
}

export type StandardWebhookCheck = 'ok' | 'missing' | 'malformed' | 'stale' | 'mismatch';

/**
 * Verifies the three `webhook-*` headers over the raw body. The signature header may list several
 * space-separated signatures (secret rotation); one matching `v1` entry is enough. The timestamp must be within
 * 5 minutes of our clock either way, so a captured request cannot be replayed later.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: { id: unknown; timestamp: unknown; signature: unknown },
  rawBody: string,
  nowMs: number,
): StandardWebhookCheck {
  const { id, timestamp, signature } = headers;
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string')
    return 'missing';
  if (id === '' || id.length > 256 || !/^\d{1,12}$/.test(timestamp)) return 'malformed';
  const seconds = Number(timestamp);
  if (Math.abs(nowMs / 1000 - seconds) > STANDARD_WEBHOOK_TOLERANCE_SECONDS) return 'stale';
  const expected = signStandardWebhook(secret, id, seconds, rawBody).slice('v1,'.length);
  const matches = signature.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    return version === 'v1' && value !== undefined && sameSecret(value, expected);
  });
  return matches ? 'ok' : 'mismatch';
}

const FinalStatus = Type.Union([
  Type.Literal('answered'),
  Type.Literal('no-answer'),
  Type.Literal('busy'),
  Type.Literal('failed'),
  Type.Literal('canceled'),
]);

/** The generic webhook body. Unknown fields are refused, so a misspelt `talk_seconds` is an error, not lost. */
export const GenericEventSchema = Type.Object(
  {
    event: Type.Union([
      Type.Literal('call.started'),
      Type.Literal('call.answered'),
      Type.Literal('call.ended'),
    ]),
    callId: Type.String({ minLength: 1, maxLength: 128, description: "the PBX's own id of the call" }),
    caller: Type.String({ minLength: 1, maxLength: 64 }),
    called: Type.String({ minLength: 1, maxLength: 64, description: 'the tracking number dialled' }),
    at: Type.Union([
      Type.String({ minLength: 1, maxLength: 40, description: 'ISO 8601 with an offset or Z' }),
      Type.Integer({ description: 'epoch milliseconds' }),
    ]),
    status: Type.Optional(FinalStatus),
    talkSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })),
    recordingUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://\\S+$' })),
  },
  { additionalProperties: false },
);
export type GenericEvent = Static<typeof GenericEventSchema>;

const validator = Compile(GenericEventSchema);

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
// Epoch milliseconds between 2000 and 2100: a value in seconds (or microseconds) is an error, not 1970.
const MIN_MS = 946_684_800_000;
const MAX_MS = 4_102_444_800_000;

export type ParsedGenericEvent =
  | { ok: true; event: GenericEvent; at: number }
  | { ok: false; code: 'invalid_json' | 'validation_failed'; message: string; details?: unknown };

/** Parses and validates a (verified) raw body. */
export function parseGenericEvent(raw: string): ParsedGenericEvent {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'the body is not valid JSON' };
  }
  if (!validator.Check(value)) {
    const errors = validator.Errors(value).map((e) => ({ path: e.instancePath, message: e.message }));
    const first = errors.find((e) => e.path !== '') ?? errors[0];
    return {
      ok: false,
      code: 'validation_failed',
      message: `body ${first?.path ?? ''} ${first?.message ?? 'is invalid'}`.replace(/\s+/g, ' ').trim(),
      details: errors,
    };
  }
  const at = typeof value.at === 'number' ? value.at : ISO_8601.test(value.at) ? Date.parse(value.at) : NaN;
  if (!Number.isFinite(at) || at < MIN_MS || at > MAX_MS) {
    return {
      ok: false,
      code: 'validation_failed',
      message: 'body /at must be an ISO 8601 time with an offset, or epoch milliseconds',
    };
  }
  return { ok: true, event: value, at };
}

/** A generic event as a call event: every event carries the numbers, so any of them can start the call. */
export function genericCallEvent(e: GenericEvent, at: number): CallEvent {
  const startedAt = e.event === 'call.ended' ? at - (e.talkSeconds ?? 0) * 1000 : at;
  return {
    provider: 'generic',
    providerCallId: e.callId,
    incoming: {
      provider: 'generic',
      providerCallId: e.callId,
      caller: e.caller,
      called: e.called,
      startedAt,
    },
    update: (current) => {
      if (e.event === 'call.started' || !current) return undefined;
      if (e.event === 'call.answered') return { status: 'in-progress', answeredAt: at };
      const status: CallStatus =
        e.status ??
        ((e.talkSeconds ?? 0) > 0 || current.answeredAt !== null || current.status === 'in-progress'
          ? 'answered'
          : 'no-answer');
      return {
        status,
        endedAt: at,
        ...(status === 'answered' &&
          e.talkSeconds !== undefined && { answeredAt: at - e.talkSeconds * 1000 }),
        ...(e.talkSeconds !== undefined && { talkSeconds: status === 'answered' ? e.talkSeconds : 0 }),
        ...(e.recordingUrl !== undefined && { recordingUrl: e.recordingUrl }),
      };
    },
  };
}
