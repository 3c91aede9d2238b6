import type { SipRequest } from './message.js';
import type { SipLog } from './sip-log.js';
import type { ClientTransaction, ClientTxHandlers } from './transactions.js';
import type { Endpoint, TransportName } from './transport.js';
import type { InviteInfo, RouteDecision, SipCallEvent, SipCallSummary } from './types.js';

/** What a call session needs from the proxy core (kept narrow so sessions stay easy to follow). */
export interface ProxyContext {
  readonly log: SipLog;
  readonly ringTimeoutMs: number;
  readonly maxCallMs: number;
  readonly routeTimeoutMs: number;
  now(): number;
  route(info: InviteInfo): Promise<RouteDecision>;
  isOurUri(uri: string): boolean;
  /** Our Via for a request sent over `transport`. */
  ourVia(branch: string, transport?: TransportName): string;
  /**
   * Our Record-Route entries, top first, for a dialog (its Call-ID and the caller's tag) whose caller and callee
   * reach us over these transports.
   */
  recordRoute(
    dialog: { callId: string; callerTag: string },
    inbound?: TransportName,
    outbound?: TransportName,
  ): string[];
  /** Sends a request in a new client transaction (branch taken from its top Via) and registers it. */
  startClientTx(
    req: SipRequest,
    to: Endpoint,
    handlers: Omit<ClientTxHandlers, 'onTerminated'>,
  ): ClientTransaction;
  sendStateless(req: SipRequest, to: Endpoint): void;
  /** Callbacks are serialized per owner (the call session). */
  emitEvent(owner: object, e: SipCallEvent): void;
  emitEnd(owner: object, s: SipCallSummary): void;
  /** Drops a finished session from the dialog table. */
  forget(session: { callIdKey: string }): void;
}
