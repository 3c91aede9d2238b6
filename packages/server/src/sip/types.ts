// Domain-facing types of the SIP driver. Nothing here refers to the wire format or a SIP library.

export type RouteDecision =
  | { action: 'forward'; target: string /* SIP URI, e.g. sip:101@10.0.0.5:5060 */; ringTimeoutMs?: number }
  | { action: 'reject'; status: number /* 404, 403, 480, 503… */; reason: string };

export interface InviteInfo {
  sipCallId: string;
  /** User part of the From URI, e.g. +74951234567 or 74951234567. */
  from: string;
  /** From display name, decoded from UTF-8. */
  fromDisplayName?: string;
  /** User part of the Request-URI: the tracking number dialled, when the provider forwards to `sip:<number>@us`. */
  to: string;
  /**
   * Where else the dialled number may be when the provider forwards to a fixed URI (`sip:ringtrace@us`): the To
   * header's user (forwarding keeps the original To), then the Diversion entries' (RFC 5806), the original called
   * number first.
   */
  calledCandidates: string[];
  requestUri: string;
  /** Epoch ms. */
  receivedAt: number;
  /** IP address the INVITE datagram came from. */
  sourceAddress: string;
}

export type SipCallStatus = 'answered' | 'no-answer' | 'busy' | 'failed' | 'canceled';

export interface SipCallSummary {
  sipCallId: string;
  from: string;
  to: string;
  /** Forward target URI; '' when the call was rejected before forwarding. */
  target: string;
  startedAt: number;
  ringingAt?: number;
  answeredAt?: number;
  endedAt: number;
  status: SipCallStatus;
  /** Final SIP status sent to the caller (absent for answered calls: 200 is implied). */
  finalSipStatus?: number;
  /** 'callee-bye', 'caller-bye', 'caller-cancel', 'ring-timeout', 'busy-here', 'no-response', '404', … */
  cause: string;
}

export interface SipCallEvent {
  type: 'ringing' | 'answered';
  sipCallId: string;
  at: number;
}

export interface SipLogger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  debug(o: object, m: string): void;
}

export interface SipProxyOptions {
  /** UDP listen address. Use a concrete IP: it goes into Via and Record-Route (or set publicAddress). */
  address: string;
  port: number;
  /** Address written into Via/Record-Route when `address` is a wildcard or behind NAT. */
  publicAddress?: string;
  /**
   * SIP over TLS on a port of its own (5061 by convention): our certificate chain and key (PEM), and extra CAs
   * (PEM) that the certificates of peers we connect to (`sips:` or `;transport=tls` targets) may be signed by.
   */
  tls?: { port: number; cert: string; key: string; ca?: string };
  /**
   * Signs our Record-Route entries (dialog-token.ts), so that after a restart the in-dialog requests of calls set up
   * before it (the BYE) are still relayed. Give the installation's secret; without it only this process's own
   * routes are recognised.
   */
  dialogSecret?: string;
  /** Default ring timeout before CANCEL → 480 to the caller. */
  ringTimeoutMs: number;
  /** Safety net for answered calls whose BYE never passes through us; default 4 h. */
  maxCallMs?: number;
  /** Bound on the route() callback; default 10 s, then 503 to the caller. */
  routeTimeoutMs?: number;
  /** The call service decides (attribution happens there). */
  route(invite: InviteInfo): Promise<RouteDecision>;
  onCallEvent?(e: SipCallEvent): void | Promise<void>;
  /** Exactly once per forwarded/rejected INVITE. */
  onCallEnd(summary: SipCallSummary): void | Promise<void>;
  /** Injected clock (epoch ms) for every timestamp in InviteInfo, events and summaries. */
  now?: () => number;
  log?: SipLogger;
}

export interface SipProxy {
  address: string;
  /** The UDP and TCP port. */
  port: number;
  /** The TLS port, when TLS is on. */
  tlsPort?: number;
  activeCalls(): number;
  close(): Promise<void>;
}
