import type { CallTable } from '../../db/database.js';
import type { Attribution } from './attribution.js';

export type CallStatus = CallTable['status'];
export const FINAL_STATUSES: readonly CallStatus[] = ['answered', 'no-answer', 'busy', 'failed', 'canceled'];

export interface Call {
  id: string;
  projectId: string;
  provider: string;
  providerCallId: string;
  caller: string;
  trackingNumber: string;
  destination: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  status: CallStatus;
  recordingUrl: string | null;
  visitId: string | null;
  staticChannelId: string | null;
  poolId: string | null;
  channel: string | null;
  source: string | null;
  medium: string | null;
  confidence: number | null;
  attribution: Attribution | null;
  firstTimeCaller: boolean;
  isTarget: boolean;
}

export const toCall = (r: CallTable): Call => ({
  id: r.id,
  projectId: r.project_id,
  provider: r.provider,
  providerCallId: r.provider_call_id,
  caller: r.caller,
  trackingNumber: r.tracking_number,
  destination: r.destination,
  startedAt: r.started_at,
  answeredAt: r.answered_at,
  endedAt: r.ended_at,
  waitSeconds: r.wait_seconds,
  talkSeconds: r.talk_seconds,
  status: r.status,
  recordingUrl: r.recording_url,
  visitId: r.visit_id,
  staticChannelId: r.static_channel_id,
  poolId: r.pool_id,
  channel: r.channel,
  source: r.source,
  medium: r.medium,
  confidence: r.confidence,
  attribution: r.attribution === null ? null : (JSON.parse(r.attribution) as Attribution),
  firstTimeCaller: r.first_time_caller === 1,
  isTarget: r.is_target === 1,
});

/** A status only moves forward: a late "ringing" never overwrites "answered", nor one final status another. */
export function nextStatus(current: CallStatus, incoming: CallStatus): CallStatus {
  if (FINAL_STATUSES.includes(current)) return current;
  if (current === 'in-progress' && incoming === 'ringing') return current;
  return incoming;
}
