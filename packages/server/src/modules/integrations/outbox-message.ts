import type { CallEventData, CallEventType } from '../calls/call-outbox.js';
import type { PoolEventType, PoolExhaustedData } from '../tracking/pool-alerts.js';

interface PayloadOf<Type extends string, Data> {
  id: string;
  type: Type;
  projectId: string;
  /**
   * Epoch milliseconds: when the call started (call.started) or ended (call.ended), when its recording was stored
   * (call.recorded), when the pool was full.
   */
  occurredAt: number;
  data: Data;
}
export type CallPayload = PayloadOf<CallEventType, CallEventData>;
export type PoolPayload = PayloadOf<PoolEventType, PoolExhaustedData>;
/** The JSON of an outbox event, as stored and as a webhook receiver gets it. */
export type OutboxPayload = CallPayload | PoolPayload;

/** An event being delivered: its stored text (sent byte for byte) and the same, parsed. A call's by default. */
export interface OutboxMessage<Payload extends OutboxPayload = CallPayload> {
  id: string;
  type: Payload['type'];
  raw: string;
  payload: Payload;
}
export type AnyOutboxMessage = OutboxMessage<OutboxPayload>;

/** A call's start or end: what the analytics, ad and CRM kinds deliver (integration.ts). */
export const isCallOutcome = (message: AnyOutboxMessage): message is OutboxMessage<CallPayload> =>
  message.payload.type === 'call.started' || message.payload.type === 'call.ended';
