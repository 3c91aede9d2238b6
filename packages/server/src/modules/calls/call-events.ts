// Provider-neutral call events: what every webhook adapter (Mango, Zadarma, the generic JSON webhook) turns its
// notifications into, and how such an event is applied to the call records.
import { type Call, FINAL_STATUSES } from './call.js';
import type { CallProgress, CallService, ForwardTarget, IncomingCall } from './call.service.js';

/** The part of a progress report that an event carries; the provider and call id come from the event. */
export type CallUpdate = Omit<CallProgress, 'provider' | 'providerCallId'>;

export interface CallEvent {
  provider: string;
  providerCallId: string;
  /** How to create the call if this is the first event seen for it; absent when the event cannot start one. */
  incoming?: IncomingCall;
  /**
   * What the event changes, decided from the call as it stands. Events without `incoming` get no current call
   * (CallService has no read by provider id) and are applied as they are: they must carry only changes that
   * are harmless on a finished call (a recording, an answer time).
   */
  update?: (current: Call | undefined) => CallUpdate | undefined;
  /** The provider account whose webhook reported the event (viaAccount). */
  providerAccountId?: string;
}

export type AppliedEvent =
  | { kind: 'unknown_number' }
  | { kind: 'unknown_call' }
  /** A recording of a call not known yet: kept, and stored on the call when it arrives. */
  | { kind: 'held' }
  | { kind: 'ok'; call: Call; forwardTo: ForwardTarget | undefined };

/** What a webhook answers about a `held` recording. */
export const HELD_NOTE = 'the call is not known yet: its recording is kept and stored on it when it arrives';

/** The event as reported through one provider account: a call it creates remembers that account. */
export const viaAccount = (event: CallEvent, providerAccountId: string): CallEvent => ({
  ...event,
  providerAccountId,
  ...(event.incoming && { incoming: { ...event.incoming, providerAccountId } }),
});

/**
 * Creates the call on its first event (CallService.start is idempotent by provider call id), then applies the
 * update. Once a call is final only late details (recording, the provider's own talk time of an answered call)
 * still apply, so a retried or reordered event never reopens or rewrites a finished call.
 */
export async function applyCallEvent(calls: CallService, event: CallEvent): Promise<AppliedEvent> {
  const ref = { provider: event.provider, providerCallId: event.providerCallId };
  if (!event.incoming) {
    const update = event.update?.(undefined);
    const updated = await calls.progress({ ...ref, ...update });
    if (updated) return { kind: 'ok', call: updated, forwardTo: undefined };
    // A recording can overtake the event that creates its call (Mango sends both as the call ends).
    if (!update?.recordingUrl || !event.providerAccountId) return { kind: 'unknown_call' };
    const call = await calls.holdRecording({
      ...ref,
      providerAccountId: event.providerAccountId,
      recordingUrl: update.recordingUrl,
    });
    return call ? { kind: 'ok', call, forwardTo: undefined } : { kind: 'held' };
  }
  const started = await calls.start(event.incoming);
  if (started.kind === 'unknown_number') return started;
  const current = started.call;
  const update = event.update?.(current);
  const allowed = update && FINAL_STATUSES.includes(current.status) ? lateDetails(current, update) : update;
  if (!allowed || Object.keys(allowed).length === 0) return started;
  const updated = await calls.progress({ ...ref, ...allowed });
  return { kind: 'ok', call: updated ?? current, forwardTo: started.forwardTo };
}

function lateDetails(current: Call, update: CallUpdate): CallUpdate {
  return {
    ...(update.recordingUrl !== undefined && { recordingUrl: update.recordingUrl }),
    // A talk time only from an update that agrees the call was answered (a stale "missed" report brings none).
    ...(current.status === 'answered' &&
      update.status === 'answered' &&
      update.talkSeconds !== undefined && { talkSeconds: update.talkSeconds }),
  };
}

/** Digits of an international number without `+` (Mango, Zadarma) → `+…`; anything else is left as it is. */
export function withPlus(raw: string): string {
  const value = raw.trim();
  // 11 digits starting with 8 is a Russian trunk-prefixed national number, not a country code.
  return /^\d{11,15}$/.test(value) && !/^8\d{10}$/.test(value) ? `+${value}` : value;
}
