// Datagram dispatch for the record-routing, call-stateful proxy: transaction matching, new INVITEs,
// CANCEL, in-dialog requests (ACK/BYE/re-INVITE…), OPTIONS, and responses coming back downstream.
import { createHash } from 'node:crypto';
import {
  makeResponse,
  newBranch,
  reasonPhrase,
  reopenEndpoint,
  responseEndpoint,
  viaEndpoint,
} from './build.js';
import { CallSession } from './call-session.js';
import { DialogTokens } from './dialog-token.js';
import {
  formatVia,
  getParam,
  getTag,
  hasParam,
  MAGIC_COOKIE,
  parseNameAddr,
  parseUri,
  parseVia,
  setParam,
  type Via,
} from './header-values.js';
import { InDialogRelay } from './in-dialog-relay.js';
import { inviteInfo } from './invite-info.js';
import {
  cloneMessage,
  getHeader,
  getHeaders,
  parseCSeq,
  parseMessage,
  prependHeader,
  type SipRequest,
  type SipResponse,
  serializeMessage,
  shiftHeader,
} from './message.js';
import type { ProxyContext } from './proxy-context.js';
import { decrementMaxForwards, maxForwardsSpent, nextHop, stripOwnRoutes } from './routing.js';
import type { SipLog } from './sip-log.js';
import {
  ClientTransaction,
  type ClientTxHandlers,
  ServerTransaction,
  serverTxKey,
  type TxEnv,
} from './transactions.js';
import { type Endpoint, isReliable, type SipTransport, type TransportName } from './transport.js';
import type { SipCallEvent, SipCallSummary, SipProxyOptions } from './types.js';

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, PRACK, NOTIFY, REFER';
const DIALOG_METHODS = new Set(['BYE', 'INFO', 'UPDATE', 'PRACK', 'NOTIFY', 'REFER']);
/** The branch of a request relayed without transaction state: `sl` is not hex, so no other branch of ours has it. */
const STATELESS_BRANCH = `${MAGIC_COOKIE}sl`;

export class ProxyCore implements ProxyContext {
  readonly log: SipLog;
  readonly ringTimeoutMs: number;
  readonly maxCallMs: number;
  readonly routeTimeoutMs: number;
  readonly now: () => number;
  #env: TxEnv | undefined;
  #host = '';
  #port = 0;
  #tlsPort: number | undefined;
  readonly #serverTx = new Map<string, ServerTransaction>();
  readonly #clientTx = new Map<string, ClientTransaction>();
  /** Initial-INVITE server transaction key → its call (for CANCEL); Call-ID → calls (for dialogs). */
  readonly #byServerKey = new Map<string, CallSession>();
  readonly #relays = new Map<string, InDialogRelay>();
  readonly #calls = new Map<string, CallSession[]>();
  readonly #pending = new Set<Promise<void>>();
  readonly #chains = new WeakMap<object, Promise<void>>();
  readonly #dialogs: DialogTokens;

  constructor(private readonly o: SipProxyOptions & { log: SipLog }) {
    this.log = o.log;
    this.ringTimeoutMs = o.ringTimeoutMs;
    this.maxCallMs = o.maxCallMs ?? 4 * 3600_000;
    this.routeTimeoutMs = o.routeTimeoutMs ?? 10_000;
    this.now = o.now ?? Date.now;
    this.#dialogs = new DialogTokens(o.dialogSecret);
  }

  attach(transport: SipTransport, advertised: string): void {
    this.#env = { transport, log: this.log };
    this.#host = advertised.includes(':') && !advertised.startsWith('[') ? `[${advertised}]` : advertised;
    this.#port = transport.port;
    this.#tlsPort = transport.tlsPort;
  }

  /** The port a peer reaches us at over this transport (TLS has its own). */
  #portOf(transport: TransportName): number {
    return transport === 'tls' ? (this.#tlsPort ?? this.#port) : this.#port;
  }

  #isOurPort(port: number): boolean {
    return port === this.#port || port === this.#tlsPort;
  }

  get #tx(): TxEnv {
    if (!this.#env) throw new Error('sip proxy core not attached');
    return this.#env;
  }

  activeCalls(): number {
    let n = 0;
    for (const list of this.#calls.values()) for (const c of list) if (!c.ended) n++;
    return n;
  }

  // ---- ProxyContext --------------------------------------------------------------------------------

  route = (info: Parameters<SipProxyOptions['route']>[0]) => this.o.route(info);

  isOurUri(uri: string): boolean {
    const u = parseUri(uri);
    if (!u || u.scheme === 'tel') return false;
    return (
      u.host.toLowerCase() === this.#host.toLowerCase() &&
      this.#isOurPort(u.port ?? (u.scheme === 'sips' ? 5061 : 5060))
    );
  }

  ourVia(branch: string, transport: TransportName = 'udp'): string {
    return `SIP/2.0/${transport.toUpperCase()} ${this.#host}:${this.#portOf(transport)};branch=${branch};rport`;
  }

  recordRoute(
    dialog: { callId: string; callerTag: string },
    inbound: TransportName = 'udp',
    outbound: TransportName = 'udp',
  ): string[] {
    const token = this.#dialogs.sign(dialog.callId, dialog.callerTag);
    const uri = (t: TransportName) =>
      `<sip:${this.#host}:${this.#portOf(t)}${t === 'udp' ? '' : `;transport=${t}`};lr;rt=${token}>`;
    // Each side reaches us over its own transport: two entries when they differ (RFC 5658), the callee's on top.
    return inbound === outbound ? [uri(inbound)] : [uri(outbound), uri(inbound)];
  }

  startClientTx(req: SipRequest, to: Endpoint, h: Omit<ClientTxHandlers, 'onTerminated'>): ClientTransaction {
    const via = parseVia(getHeaders(req, 'via')[0] ?? '');
    const key = `${getParam(via?.params ?? [], 'branch') ?? ''}|${req.method}`;
    const tx = new ClientTransaction(this.#tx, key, req, to, {
      ...h,
      onTerminated: () => this.#clientTx.delete(key),
    });
    this.#clientTx.set(key, tx);
    tx.start();
    return tx;
  }

  sendStateless(req: SipRequest, to: Endpoint): void {
    this.#tx.transport.send(serializeMessage(req), to);
  }

  emitEvent(owner: object, e: SipCallEvent): void {
    this.#track(owner, () => this.o.onCallEvent?.(e), 'sip onCallEvent failed');
  }

  emitEnd(owner: object, s: SipCallSummary): void {
    this.log.info({ sipCallId: s.sipCallId, status: s.status, cause: s.cause }, 'sip call ended');
    this.#track(owner, () => this.o.onCallEnd(s), 'sip onCallEnd failed');
  }

  /** Callbacks of one call run one after another (ringing → answered → end), each awaited. */
  #track(owner: object, fn: () => void | Promise<void> | undefined, message: string): void {
    const p = (this.#chains.get(owner) ?? Promise.resolve())
      .then(fn)
      .catch((err: unknown) => this.log.warn({ err }, message))
      .finally(() => this.#pending.delete(p));
    this.#chains.set(owner, p);
    this.#pending.add(p);
  }

  forget(session: CallSession): void {
    const list = (this.#calls.get(session.callIdKey) ?? []).filter((c) => c !== session);
    if (list.length) this.#calls.set(session.callIdKey, list);
    else this.#calls.delete(session.callIdKey);
    if (this.#byServerKey.get(session.server.key) === session) this.#byServerKey.delete(session.server.key);
  }

  // ---- messages ------------------------------------------------------------------------------------

  /** A message from a UDP datagram, or cut out of a TCP connection's stream (`from` is then that connection). */
  onMessage(data: Buffer, from: Endpoint): void {
    if (data.length <= 4 && /^[\r\n\s]*$/.test(data.toString('latin1'))) return; // CRLF keep-alive
    const parsed = parseMessage(data);
    if (!parsed.ok) {
      this.#dropped(parsed.reason, from);
      return;
    }
    const msg = parsed.message;
    if (msg.kind === 'response') this.#onResponse(msg, from);
    else this.#onRequest(msg, from);
  }

  #onResponse(res: SipResponse, from: Endpoint): void {
    const via = parseVia(getHeaders(res, 'via')[0] ?? '');
    if (!via || !this.#isOurVia(via)) {
      this.#dropped('response-not-ours', from);
      return;
    }
    const cseq = parseCSeq(res);
    const tx = this.#clientTx.get(`${getParam(via.params, 'branch') ?? ''}|${cseq?.method ?? ''}`);
    if (tx) {
      tx.receive(res);
      return;
    }
    // A 2xx retransmission after our client transaction ended (§16.7 step 5), or the answer to a request we relayed
    // statelessly: forwarded statelessly to the next Via.
    const branch = getParam(via.params, 'branch') ?? '';
    if (
      (cseq?.method === 'INVITE' && res.status >= 200 && res.status < 300) ||
      branch.startsWith(STATELESS_BRANCH)
    ) {
      shiftHeader(res, 'via');
      const up = viaEndpoint(getHeaders(res, 'via')[0] ?? '');
      if (up) this.#tx.transport.send(serializeMessage(res), up);
      return;
    }
    this.#dropped('response-without-transaction', from);
  }

  #dropped(reason: string, from: Endpoint): void {
    this.log.debug(
      { reason, remote: `${from.host}:${from.port}`, transport: from.transport ?? 'udp' },
      'sip message dropped',
    );
  }

  #isOurVia(via: Via): boolean {
    return via.host.toLowerCase() === this.#host.toLowerCase() && this.#isOurPort(via.port ?? 5060);
  }

  #onRequest(req: SipRequest, from: Endpoint): void {
    const vias = getHeaders(req, 'via');
    const via = parseVia(vias[0] ?? '');
    const cseq = parseCSeq(req);
    if (!via || !cseq) {
      this.#dropped('bad-via', from); // cannot even answer it
      return;
    }
    // §18.2.1 / RFC 3581: note where the request really came from, so responses find their way back.
    if (via.host !== from.host) setParam(via.params, 'received', from.host);
    if (hasParam(via.params, 'rport')) setParam(via.params, 'rport', String(from.port));
    req.headers[req.headers.findIndex((h) => h.name === 'via')] = { name: 'via', value: formatVia(via) };
    if (cseq.method !== req.method) {
      this.#reply(req, from, 400, 'CSeq Method Mismatch');
      return;
    }
    const key = serverTxKey(req, via);
    const inviteKey = serverTxKey(req, via, 'INVITE');

    if (req.method === 'ACK') {
      const tx = this.#serverTx.get(inviteKey);
      if (tx && (tx.state === 'completed' || tx.state === 'confirmed'))
        tx.ack(); // ACK for our non-2xx
      else if (!tx || tx.state === 'accepted' || tx.state === 'terminated') this.#inDialog(req, key, from);
      return;
    }
    if (req.method === 'CANCEL') {
      const session = this.#byServerKey.get(inviteKey);
      const relay = this.#relays.get(inviteKey);
      if (!session && !relay) {
        this.#reply(req, from, 481);
        return;
      }
      this.#reply(req, from, 200);
      session?.cancelFromCaller();
      relay?.cancel();
      return;
    }
    const existing = this.#serverTx.get(key);
    if (existing) {
      existing.retransmission();
      return;
    }
    if (getTag(getHeader(req, 'to')) !== undefined) {
      this.#inDialog(req, key, from);
    } else if (req.method === 'OPTIONS') {
      this.#reply(req, from, 200, 'OK', [
        { name: 'allow', value: ALLOW },
        { name: 'accept', value: 'application/sdp' },
      ]);
    } else if (req.method === 'INVITE') {
      this.#newInvite(req, key, from);
    } else if (DIALOG_METHODS.has(req.method)) {
      this.#reply(req, from, 481);
    } else {
      this.#reply(req, from, 405, reasonPhrase(405), [{ name: 'allow', value: ALLOW }]);
    }
  }

  /**
   * Where responses to a request go: back on the TCP or TLS connection it came in on, or over a new one to its top
   * Via's sent-by if that has closed (§18.2.2); over UDP to the top Via's received/rport or sent-by.
   */
  #upstream(req: SipRequest, from: Endpoint): Endpoint | undefined {
    if (!isReliable(from)) return responseEndpoint(req);
    const reopenAt = reopenEndpoint(req);
    return reopenAt?.transport === from.transport ? { ...from, reopenAt } : from;
  }

  #reply(
    req: SipRequest,
    from: Endpoint,
    status: number,
    reason = reasonPhrase(status),
    extra: { name: string; value: string }[] = [],
  ): void {
    const to = this.#upstream(req, from);
    if (!to) return;
    const res = makeResponse(req, status, reason, { toTag: newBranch().slice(MAGIC_COOKIE.length), extra });
    this.#tx.transport.send(serializeMessage(res), to);
  }

  #newInvite(req: SipRequest, key: string, from: Endpoint): void {
    const callId = getHeader(req, 'call-id') ?? '';
    if (maxForwardsSpent(req)) {
      this.#reply(req, from, 483);
      return;
    }
    const looped = getHeaders(req, 'via').some((v) => {
      const p = parseVia(v);
      return p !== undefined && this.#isOurVia(p);
    });
    const fromTag = getTag(getHeader(req, 'from'));
    const seq = parseCSeq(req)?.seq;
    // §8.2.2.2 merged request: the same INVITE again under another branch must not become a second call.
    const merged = (this.#calls.get(callId) ?? []).some((c) => c.callerTag === fromTag && c.cseq === seq);
    if (looped || merged) {
      this.#reply(req, from, 482, looped ? 'Loop Detected' : 'Merged Request');
      return;
    }
    const upstream = this.#upstream(req, from);
    if (!upstream) return;

    const server = new ServerTransaction(this.#tx, key, req, upstream, () => {
      this.#serverTx.delete(key);
      this.#byServerKey.delete(key);
    });
    this.#serverTx.set(key, server);
    server.respond(makeResponse(req, 100, 'Trying'));

    const session = new CallSession(this, server, inviteInfo(req, from, this.now()));
    this.#byServerKey.set(key, session);
    this.#calls.set(callId, [...(this.#calls.get(callId) ?? []), session]);
    this.log.debug({ sipCallId: session.sipCallId }, 'sip invite received');
    session.start().catch((err: unknown) => this.log.warn({ err }, 'sip call session failed'));
  }

  /** In-dialog requests: only for dialogs we set up (we are not an open relay). */
  #inDialog(req: SipRequest, key: string, from: Endpoint): void {
    const callId = getHeader(req, 'call-id') ?? '';
    const fromTag = getTag(getHeader(req, 'from'));
    const toTag = getTag(getHeader(req, 'to'));
    const candidates = (this.#calls.get(callId) ?? []).filter(
      (c) => c.callerTag === fromTag || c.callerTag === toTag,
    );
    const session = candidates.find((c) => !c.ended) ?? candidates[0];
    if (!session) {
      if (!this.#relayWithoutDialog(req, from, key) && req.method !== 'ACK') this.#reply(req, from, 481);
      return;
    }
    if (maxForwardsSpent(req)) {
      if (req.method !== 'ACK') this.#reply(req, from, 483);
      return;
    }
    const fromCaller = session.callerTag === fromTag;
    const relay = new InDialogRelay(this, session, fromCaller);
    const ackBranch = MAGIC_COOKIE + createHash('sha1').update(key).digest('hex').slice(0, 20);
    const upstream = this.#upstream(req, from);
    if (req.method === 'ACK') {
      relay.forwardAck(req, ackBranch);
      return;
    }
    if (!upstream) return;
    const server = new ServerTransaction(this.#tx, key, req, upstream, () => {
      this.#serverTx.delete(key);
      this.#relays.delete(key);
    });
    this.#serverTx.set(key, server);
    if (req.method === 'INVITE') this.#relays.set(key, relay);
    if (req.method === 'BYE') session.onBye(fromCaller);
    relay.forward(server);
    this.log.debug(
      { sipCallId: session.sipCallId, method: req.method, remote: from.host },
      'sip in-dialog request',
    );
  }

  /**
   * An in-dialog request of a dialog we no longer know (set up before a restart), relayed statelessly (§16.11) along
   * its route set if the route through us is one we signed for this dialog. Its responses come back through
   * #onResponse by the branch's mark. False when it is not ours to relay.
   */
  #relayWithoutDialog(req: SipRequest, from: Endpoint, key: string): boolean {
    const top = parseNameAddr(getHeaders(req, 'route')[0] ?? '');
    const token = top && this.isOurUri(top.uri) ? /;rt=([\w-]+)/.exec(top.uri)?.[1] : undefined;
    const tags = [getTag(getHeader(req, 'from')), getTag(getHeader(req, 'to'))];
    if (!token || !this.#dialogs.verify(token, getHeader(req, 'call-id') ?? '', tags)) return false;
    const fwd = cloneMessage(req);
    stripOwnRoutes(fwd, this);
    if (maxForwardsSpent(fwd)) {
      if (req.method !== 'ACK') this.#reply(req, from, 483);
      return true;
    }
    decrementMaxForwards(fwd);
    const hop = nextHop(fwd);
    if (!hop || this.isOurUri(`sip:${hop.host}:${hop.port}`)) return false;
    // The same request again (a retransmission) gets the same branch, as §16.11 asks of a stateless proxy.
    const branch = STATELESS_BRANCH + createHash('sha1').update(key).digest('hex').slice(0, 20);
    prependHeader(fwd, 'via', this.ourVia(branch, hop.transport));
    this.#tx.transport.send(serializeMessage(fwd), hop);
    this.log.info(
      { sipCallId: getHeader(req, 'call-id'), method: req.method, remote: from.host },
      'sip in-dialog request relayed without its dialog',
    );
    return true;
  }

  /** Proxy shutdown: every open call gets its summary; waits for the callbacks. */
  async shutdown(): Promise<void> {
    for (const list of this.#calls.values()) for (const c of list) c.shutdown();
    for (const tx of [...this.#serverTx.values()]) tx.terminate();
    for (const tx of [...this.#clientTx.values()]) tx.terminate();
    this.#calls.clear();
    await Promise.allSettled([...this.#pending]);
  }
}
