// Connects the SIP proxy to the call service: an INVITE becomes an attributed call record and is forwarded to the
// number's SIP destination; the signalling outcome completes the record. Nothing here knows SIP wire details.
import type { CallService } from '../modules/calls/call.service.js';
import type {
  InviteInfo,
  RouteDecision,
  SipCallEvent,
  SipCallSummary,
  SipProxyOptions,
} from './sip-proxy.js';

export interface SipRoutingOptions {
  calls: CallService;
  /** Addresses allowed to send INVITEs (the provider's SIP servers); empty = anyone who can reach the port. */
  allowedSources: ReadonlySet<string>;
  log: { warn(o: object, m: string): void };
}

const PROVIDER = 'sip';

export function sipCallRouting(
  o: SipRoutingOptions,
): Pick<SipProxyOptions, 'route' | 'onCallEvent' | 'onCallEnd'> {
  return {
    async route(invite: InviteInfo): Promise<RouteDecision> {
      if (o.allowedSources.size > 0 && !o.allowedSources.has(invite.sourceAddress)) {
        return { action: 'reject', status: 403, reason: 'Forbidden' };
      }
      // The Request-URI names the number dialled, unless the provider forwards every number to one fixed URI: the
      // number is then in To or Diversion (the first of them that is one of ours).
      let started: Awaited<ReturnType<CallService['start']>> = { kind: 'unknown_number' };
      for (const called of new Set([invite.to, ...invite.calledCandidates])) {
        started = await o.calls.start({
          provider: PROVIDER,
          providerCallId: invite.sipCallId,
          caller: invite.from,
          called,
          startedAt: invite.receivedAt,
        });
        if (started.kind !== 'unknown_number') break;
      }
      if (started.kind === 'unknown_number') return { action: 'reject', status: 404, reason: 'Not Found' };
      if (started.forwardTo?.kind !== 'sip') {
        // A phone-number destination needs a telephony provider to dial out; the SIP proxy cannot reach it.
        o.log.warn({ callId: started.call.id }, 'no SIP destination for a call that came in over SIP');
        return { action: 'reject', status: 480, reason: 'Temporarily Unavailable' };
      }
      return { action: 'forward', target: started.forwardTo.target };
    },

    async onCallEvent(e: SipCallEvent): Promise<void> {
      await o.calls.progress({
        provider: PROVIDER,
        providerCallId: e.sipCallId,
        ...(e.type === 'answered' ? { status: 'in-progress', answeredAt: e.at } : { status: 'ringing' }),
      });
    },

    async onCallEnd(s: SipCallSummary): Promise<void> {
      await o.calls.progress({
        provider: PROVIDER,
        providerCallId: s.sipCallId,
        status: s.status,
        endedAt: s.endedAt,
        ...(s.answeredAt !== undefined && { answeredAt: s.answeredAt }),
      });
    },
  };
}
