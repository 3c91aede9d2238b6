import type { CallEventData } from '../../src/modules/calls/call-outbox.js';
import type { OutboxMessage } from '../../src/modules/integrations/outbox-message.js';

/**
 * A `call.ended` outbox message around `data`, as the dispatcher hands one to an integration kind. `data` is only
 * the part a test cares about (an integration reads a few fields), hence the cast.
 */
export function callEndedMessage(data: unknown, occurredAt = 0): OutboxMessage {
  const payload = {
    id: 'e1',
    type: 'call.ended' as const,
    projectId: 'p',
    occurredAt,
    data: data as CallEventData,
  };
  return { id: 'e1', type: 'call.ended', raw: JSON.stringify(payload), payload };
}

/**
 * A `call.ended` message of an answered call from a paid Google ad, as the CRM kinds read one; `call` and
 * `attribution` override its fields.
 */
export function crmCallMessage(
  call: Record<string, unknown> = {},
  attribution: Record<string, unknown> = {},
): OutboxMessage {
  const data = {
    call: {
      id: 'c1',
      caller: '+79161234567',
      trackingNumber: '+74951234567',
      startedAt: Date.UTC(2026, 0, 15, 9, 0),
      talkSeconds: 95,
      waitSeconds: 6,
      status: 'answered',
      recordingUrl: 'https://ct.example.com/rec/c1.mp3',
      firstTimeCaller: true,
      ...call,
    },
    attribution: {
      channel: 'paid',
      source: 'google',
      medium: 'cpc',
      campaign: 'implants',
      keyword: 'dental implants',
      confidence: 100,
      landingUrl: 'https://clinic.example.ru/?utm_source=google&utm_content=banner-2',
      ...attribution,
    },
  };
  return callEndedMessage(data, data.call.startedAt as number);
}
