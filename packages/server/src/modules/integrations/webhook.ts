import { createHmac } from 'node:crypto';
import type { Delivery } from './delivery.js';
import type { AnyOutboxMessage } from './outbox-message.js';

/** A Standard Webhooks secret: `whsec_` and the key's bytes in (standard, padded) base64. */
export const WEBHOOK_SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * The `webhook-signature` header of our webhooks, by the Standard Webhooks specification (standardwebhooks.com,
 * the scheme Svix and others use, with verifiers in many languages): `v1,<base64 HMAC-SHA256>` over
 * `"<webhook-id>.<webhook-timestamp>.<raw body>"`, keyed with the base64-decoded part of the `whsec_` secret.
 * Receivers recompute it over the raw body, compare in constant time, reject a timestamp more than a few minutes
 * away (a captured request cannot be replayed later), and ignore a `webhook-id` they have already handled (a
 * redelivery keeps its id).
 */
export function webhookSignature(
  secret: string,
  id: string,
  timestampSeconds: number,
  rawBody: string,
): string {
  const key = WEBHOOK_SECRET.exec(secret)?.[1];
  if (!key) throw new Error('a webhook secret is whsec_ and base64');
  const signature = createHmac('sha256', Buffer.from(key, 'base64'))
    .update(`${id}.${timestampSeconds}.${rawBody}`)
    .digest('base64');
  return `v1,${signature}`;
}

/** POSTs the stored event JSON as it is, signed at the moment of sending. */
export function webhookDelivery(
  message: AnyOutboxMessage,
  settings: Record<string, unknown>,
  secrets: Record<string, string>,
  nowMs: number,
): Delivery {
  const url = settings.url;
  const secret = secrets.secret;
  if (typeof url !== 'string' || !secret || !WEBHOOK_SECRET.test(secret))
    return { kind: 'invalid', reason: 'webhook without url or a whsec_ secret' };
  const t = Math.floor(nowMs / 1000);
  return {
    kind: 'send',
    request: {
      url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Ringtrace-Webhooks/1',
        'webhook-id': message.id,
        'webhook-timestamp': String(t),
        'webhook-signature': webhookSignature(secret, message.id, t, message.raw),
        // Not part of the specification: lets a receiver route before parsing the body.
        'ringtrace-event-type': message.type,
      },
      body: message.raw,
    },
  };
}
