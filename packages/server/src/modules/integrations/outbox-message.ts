import type { CallEventData, CallEventType } from '../calls/call-outbox.js';

/** The JSON of an outbox event, as stored and as a webhook receiver gets it. */
export interface OutboxPayload {
  id: string;
  type: CallEventType;
  projectId: string;
  /** Epoch milliseconds: when the call started (call.started) or ended (call.ended). */
  occurredAt: number;
  data: CallEventData;
}

/** An event being delivered: its stored text (sent byte for byte) and the same, parsed. */
export interface OutboxMessage {
  id: string;
  type: CallEventType;
  raw: string;
  payload: OutboxPayload;
}
