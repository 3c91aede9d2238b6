import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from './integration.js';
import type { OutboxMessage } from './outbox-message.js';
import { webhookDelivery, webhookSignature } from './webhook.js';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

describe('webhook signature (Standard Webhooks)', () => {
  it('is v1,<base64 HMAC-SHA256 of "id.timestamp.body"> keyed with the secret’s decoded bytes', () => {
    // Computed independently of webhook.ts.
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    const expected = createHmac('sha256', key).update('msg_1.1768467600.{"a":1}').digest('base64');
    expect(webhookSignature(SECRET, 'msg_1', 1768467600, '{"a":1}')).toBe(`v1,${expected}`);
    expect(webhookSignature(SECRET, 'msg_2', 1768467600, '{"a":1}')).not.toBe(`v1,${expected}`);
    expect(webhookSignature(SECRET, 'msg_1', 1768467601, '{"a":1}')).not.toBe(`v1,${expected}`);
  });

  it('verifies with the specification’s own library, and fails there when anything is changed', () => {
    const raw = '{"id":"e1","type":"call.ended","note":"порядок ключей сохранён"}';
    const message = { id: 'e1', type: 'call.ended', raw, payload: JSON.parse(raw) } as OutboxMessage;
    for (const secret of [SECRET, newWebhookSecret()]) {
      const now = Date.now();
      const delivery = webhookDelivery(message, { url: 'https://crm.example.com/h' }, { secret }, now);
      if (delivery.kind !== 'send') throw new Error(delivery.kind);
      const headers = delivery.request.headers;
      expect(new Webhook(secret).verify(raw, headers)).toEqual(JSON.parse(raw));
      expect(() => new Webhook(secret).verify(`${raw} `, headers)).toThrow();
      expect(() => new Webhook(newWebhookSecret()).verify(raw, headers)).toThrow();
      expect(() => new Webhook(secret).verify(raw, { ...headers, 'webhook-id': 'e2' })).toThrow();
    }
  });

  it('posts the stored JSON byte for byte, with the event headers, signed at the time of sending', () => {
    const raw = '{"id":"e1","type":"call.ended"}';
    const message = { id: 'e1', type: 'call.ended', raw, payload: JSON.parse(raw) } as OutboxMessage;
    const delivery = webhookDelivery(
      message,
      { url: 'https://crm.example.com/h' },
      { secret: SECRET },
      1_768_467_600_999,
    );
    expect(delivery).toEqual({
      kind: 'send',
      request: {
        url: 'https://crm.example.com/h',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Ringtrace-Webhooks/1',
          'webhook-id': 'e1',
          'webhook-timestamp': '1768467600',
          'webhook-signature': webhookSignature(SECRET, 'e1', 1768467600, raw),
          'ringtrace-event-type': 'call.ended',
        },
        body: raw,
      },
    });
    // A secret that is not whsec_ and base64 (stored before validation, say) is not sent with.
    expect(
      webhookDelivery(message, { url: 'https://crm.example.com/h' }, { secret: 's3cret' }, 0),
    ).toMatchObject({
      kind: 'invalid',
    });
  });
});
