import { createHmac } from 'node:crypto';
import type { Delivery } from './delivery.js';
import type { OutboxMessage } from './outbox-message.js';

/**
 * The signature header of our webhooks, Stripe's scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256>` over
 * `"<t>.<raw body>"`, keyed with the integration's secret (the whole `whsec_…` string, as UTF-8). Receivers
 * recompute it over the raw body, compare in constant time, and reject a `t` more than a few minutes old, so that
 * a captured request cannot be replayed later. The event id header lets them ignore a redelivery.
 */
export function webhookSignature(secret: string, timestampSeconds: number, rawBody: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

/** POSTs the stored event JSON as it is, signed at the moment of sending. */
export function webhookDelivery(
  message: OutboxMessage,
  settings: Record<string, unknown>,
  secrets: Record<string, string>,
  nowMs: number,
): Delivery {
  const url = settings.url;
  const secret = secrets.secret;
  if (typeof url !== 'string' || !secret) return { kind: 'invalid', reason: 'webhook without url or secret' };
  const t = Math.floor(nowMs / 1000);
  return {
    kind: 'send',
    request: {
      url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Ringtrace-Webhooks/1',
        'ringtrace-event-id': message.id,
        'ringtrace-event-type': message.type,
        'ringtrace-signature': webhookSignature(secret, t, message.raw),
      },
      body: message.raw,
    },
  };
}
