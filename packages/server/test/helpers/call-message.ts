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
