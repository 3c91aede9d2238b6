import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OutboxMessage } from './outbox-message.js';
import { webhookDelivery, webhookSignature } from './webhook.js';

describe('webhook signature', () => {
  it('is Stripe’s t=…,v1=<hex HMAC-SHA256 of "t.body"> keyed with the secret string', () => {
    // Computed independently: echo -n '1768467600.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    const expected = createHmac('sha256', 'whsec_test').update('1768467600.{"a":1}').digest('hex');
    expect(webhookSignature('whsec_test', 1768467600, '{"a":1}')).toBe(`t=1768467600,v1=${expected}`);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    expect(webhookSignature('whsec_other', 1768467600, '{"a":1}')).not.toBe(
      webhookSignature('whsec_test', 1768467600, '{"a":1}'),
    );
    expect(webhookSignature('whsec_test', 1768467601, '{"a":1}')).not.toBe(
      webhookSignature('whsec_test', 1768467600, '{"a":1}'),
    );
  });

  it('posts the stored JSON byte for byte, with the event headers, signed at the time of sending', () => {
    const raw = '{"id":"e1","type":"call.ended","note":"порядок ключей сохранён"}';
    const message = { id: 'e1', type: 'call.ended', raw, payload: JSON.parse(raw) } as OutboxMessage;
    const delivery = webhookDelivery(
      message,
      { url: 'https://crm.example.com/h' },
      { secret: 's3cret' },
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
          'ringtrace-event-id': 'e1',
          'ringtrace-event-type': 'call.ended',
          'ringtrace-signature': webhookSignature('s3cret', 1768467600, raw),
        },
        body: raw,
      },
    });
  });
});
