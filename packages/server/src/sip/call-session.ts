// One initial INVITE through the proxy: route decision, forwarding, ring timer, CANCEL, answer, hang-up,
// and the single summary handed to onCallEnd.

import { buildCancel, makeResponse, newBranch, randomToken, reasonPhrase } from './build.js';
import { classifyFinal } from './call-outcome.js';
import { getTag, parseNameAddr } from './header-values.js';
import {
  cloneMessage,
  getHeader,
  getHeaders,
  parseCSeq,
  prependHeader,
  type SipRequest,
  type SipResponse,
} from './message.js';
import type { ProxyContext } from './proxy-context.js';
import { decrementMaxForwards, nextHop, stripOwnRoutes, uriEndpoint } from './routing.js';
import { Timers, TX_TIMEOUT } from './timers.js';
import type { ClientTransaction, ServerTransaction } from './transactions.js';
import type { InviteInfo, RouteDecision, SipCallStatus } from './types.js';

export class CallSession {
  target = '';
  ringingAt: number | undefined;
  answeredAt: number | undefined;
  ended = false;
  client: ClientTransaction | undefined;
  /** Contacts of both ends, for peers that send in-dialog requests straight to us without our Route. */
  readonly callerContact: string | undefined;
  calleeContact: string | undefined;
  readonly callerTag: string;
  /** Call-ID exactly as on the wire (latin1 text), the dialog table key. */
  readonly callIdKey: string;
  readonly cseq: number;
  #canceledByCaller = false;
  #cancelPending = false;
  #cancelSent = false;
  #lateAnswerKilled = false;
  readonly #timers: Timers;
  readonly #toTag = randomToken();

  constructor(
    private readonly ctx: ProxyContext,
    readonly server: ServerTransaction,
    readonly info: InviteInfo,
  ) {
    this.#timers = new Timers((err) =>
      ctx.log.warn({ err, sipCallId: info.sipCallId }, 'sip call timer failed'),
    );
    const req = server.request;
    this.callerTag = getTag(getHeader(req, 'from')) ?? '';
    this.callIdKey = getHeader(req, 'call-id') ?? '';
    this.cseq = parseCSeq(req)?.seq ?? 0;
    const contact = getHeaders(req, 'contact')[0];
    this.callerContact = contact === undefined ? undefined : parseNameAddr(contact)?.uri;
  }

  get sipCallId(): string {
    return this.info.sipCallId;
  }

  async start(): Promise<void> {
    let decision: RouteDecision;
    try {
      decision = await this.#withTimeout(this.ctx.route(this.info));
    } catch (err) {
      if (this.server.hasFinal) return;
      this.ctx.log.warn({ err, sipCallId: this.sipCallId }, 'sip route callback failed');
      this.#respond(503, reasonPhrase(503));
      this.end('failed', 'route-error', 503);
      return;
    }
    if (this.server.hasFinal || this.ended) return; // canceled or shut down while the route was decided
    if (decision.action === 'reject') {
      const status = decision.status >= 300 && decision.status <= 699 ? decision.status : 500;
      this.#respond(status, decision.reason || reasonPhrase(status));
      const c = classifyFinal(status);
      this.end(c.status, c.cause, status);
      return;
    }
    const ring = decision.ringTimeoutMs;
    this.#forward(decision.target, ring !== undefined && ring > 0 ? ring : this.ctx.ringTimeoutMs);
  }

  #withTimeout<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#timers.set('route', this.ctx.routeTimeoutMs, () => reject(new Error('route timeout')));
      p.then(resolve, reject).finally(() => this.#timers.clear('route'));
    });
  }

  #forward(target: string, ringTimeoutMs: number): void {
    this.target = target;
    const fwd = cloneMessage(this.server.request);
    fwd.uri = target;
    stripOwnRoutes(fwd, this.ctx);
    decrementMaxForwards(fwd);
    const hop = nextHop(fwd);
    const dialog = { callId: this.callIdKey, callerTag: this.callerTag };
    const routes = this.ctx.recordRoute(dialog, this.server.upstream.transport, hop?.transport);
    for (const route of routes.reverse()) prependHeader(fwd, 'record-route', route);
    prependHeader(fwd, 'via', this.ctx.ourVia(newBranch(), hop?.transport));
    if (!hop || this.ctx.isOurUri(target)) {
      this.ctx.log.warn({ sipCallId: this.sipCallId }, 'sip forward target invalid');
      this.#respond(500, reasonPhrase(500));
      this.end('failed', 'bad-target', 500);
      return;
    }
    this.client = this.ctx.startClientTx(fwd, hop, {
      onResponse: (res) => this.#onResponse(res),
      onTimeout: () => this.#giveUp(this.#canceledByCaller ? 487 : 408),
      onTransportError: () => this.#giveUp(this.#canceledByCaller ? 487 : 503, 'target-unreachable'),
    });
    this.#timers.set('ring', ringTimeoutMs, () => this.#ringTimeout());
  }

  #onResponse(res: SipResponse): void {
    const now = this.ctx.now();
    if (res.status < 200) {
      if (this.#cancelPending) this.#sendCancel();
      if (res.status === 100) return;
      if (this.ringingAt === undefined) {
        this.ringingAt = now;
        this.ctx.emitEvent(this, { type: 'ringing', sipCallId: this.sipCallId, at: now });
      }
      if (!this.server.hasFinal) this.server.respond(res);
      return;
    }
    if (res.status < 300) {
      const contact = getHeaders(res, 'contact')[0];
      this.calleeContact ??= contact === undefined ? undefined : parseNameAddr(contact)?.uri;
      if (this.server.hasFinal && this.server.finalStatus !== undefined && this.server.finalStatus >= 300) {
        this.#killLateAnswer(res);
        return;
      }
      if (this.answeredAt === undefined) {
        this.answeredAt = now;
        this.#timers.clear('ring');
        this.#timers.clear('cancel-guard');
        this.#timers.set('max-call', this.ctx.maxCallMs, () => this.end('answered', 'max-duration'));
        this.ctx.emitEvent(this, { type: 'answered', sipCallId: this.sipCallId, at: now });
      }
      this.server.respond(res);
      return;
    }
    if (this.server.hasFinal) return; // e.g. the 487 after our own ring-timeout CANCEL
    this.server.respond(res);
    if (this.#canceledByCaller) this.end('canceled', 'caller-cancel', res.status);
    else {
      const c = classifyFinal(res.status);
      this.end(c.status, c.cause, res.status);
    }
  }

  /** Timer C: no final answer in time → CANCEL downstream, final error upstream. */
  #ringTimeout(): void {
    if (this.server.hasFinal || this.answeredAt !== undefined) return;
    const responded = this.client?.gotResponse ?? false;
    this.#cancelDownstream();
    if (responded) {
      this.#respond(480, reasonPhrase(480));
      this.end('no-answer', 'ring-timeout', 480);
    } else {
      this.#respond(408, reasonPhrase(408));
      this.end('failed', 'no-response', 408);
    }
  }

  #giveUp(status: number, cause?: string): void {
    if (this.server.hasFinal) return;
    this.#respond(status, reasonPhrase(status));
    if (status === 487) this.end('canceled', 'caller-cancel', 487);
    else this.end('failed', cause ?? 'no-response', status);
  }

  /** The caller's CANCEL matched our server transaction (the core already answered it 200). */
  cancelFromCaller(): void {
    if (this.server.hasFinal) return;
    this.#canceledByCaller = true;
    if (!this.client?.gotResponse) {
      // Routing still pending, or the target has not answered at all: nothing to wait for downstream.
      this.#cancelDownstream();
      this.#respond(487, reasonPhrase(487));
      this.end('canceled', 'caller-cancel', 487);
      return;
    }
    this.#sendCancel();
    // The callee owes us a 487; do not let the caller wait forever if it never comes.
    this.#timers.set('cancel-guard', TX_TIMEOUT, () => this.#giveUp(487));
  }

  #cancelDownstream(): void {
    if (!this.client) return;
    if (this.client.gotResponse) this.#sendCancel();
    else {
      this.#cancelPending = true; // §9.1: CANCEL only after a provisional response
      this.client.stopRetransmitting();
    }
  }

  #sendCancel(): void {
    if (this.#cancelSent || !this.client) return;
    this.#cancelSent = true;
    this.#cancelPending = false;
    this.ctx.startClientTx(buildCancel(this.client.request), this.client.destination, {
      onResponse: () => {},
      onTimeout: () => this.ctx.log.debug({ sipCallId: this.sipCallId }, 'sip cancel timed out'),
      onTransportError: () => {},
    });
  }

  /** A 2xx after we already failed the call upstream (ring timeout race): ACK it and hang that leg up. */
  #killLateAnswer(res: SipResponse): void {
    if (this.#lateAnswerKilled || !this.client) return;
    this.#lateAnswerKilled = true;
    this.ctx.log.warn({ sipCallId: this.sipCallId }, 'sip late answer hung up');
    const uri = this.calleeContact ?? this.client.request.uri;
    const from = getHeader(this.client.request, 'from') ?? '';
    const hop = uriEndpoint(uri);
    if (!hop) return;
    const base = (method: string, seq: number): SipRequest => {
      const req: SipRequest = { kind: 'request', method, uri, headers: [], body: Buffer.alloc(0) };
      req.headers.push(
        { name: 'via', value: this.ctx.ourVia(newBranch(), hop.transport) },
        { name: 'max-forwards', value: '70' },
        { name: 'from', value: from },
        { name: 'to', value: getHeader(res, 'to') ?? '' },
        { name: 'call-id', value: this.sipCallId },
        { name: 'cseq', value: `${seq} ${method}` },
      );
      return req;
    };
    this.ctx.sendStateless(base('ACK', this.cseq), hop);
    this.ctx.startClientTx(base('BYE', this.cseq + 1), hop, {
      onResponse: () => {},
      onTimeout: () => {},
      onTransportError: () => {},
    });
  }

  /** BYE seen in this dialog (before it is forwarded). */
  onBye(fromCaller: boolean): void {
    if (this.answeredAt === undefined) return;
    this.end('answered', fromCaller ? 'caller-bye' : 'callee-bye');
  }

  #respond(status: number, reason: string): void {
    this.server.respond(makeResponse(this.server.request, status, reason, { toTag: this.#toTag }));
  }

  /** Closes the record: the one and only onCallEnd for this INVITE. */
  end(status: SipCallStatus, cause: string, finalSipStatus?: number): void {
    if (this.ended) return;
    this.ended = true;
    this.#timers.clearAll();
    const { info } = this;
    this.ctx.emitEnd(this, {
      sipCallId: info.sipCallId,
      from: info.from,
      to: info.to,
      target: this.target,
      startedAt: info.receivedAt,
      ...(this.ringingAt === undefined ? {} : { ringingAt: this.ringingAt }),
      ...(this.answeredAt === undefined ? {} : { answeredAt: this.answeredAt }),
      endedAt: this.ctx.now(),
      status,
      ...(finalSipStatus === undefined ? {} : { finalSipStatus }),
      cause,
    });
    // Keep the dialog findable a little longer: the BYE's 200, ACK retransmissions, stray requests.
    this.#timers.set('linger', TX_TIMEOUT, () => this.ctx.forget(this));
  }

  /** Proxy shutdown: fail the caller if still pending and close the record. */
  shutdown(): void {
    const answered = this.answeredAt !== undefined;
    if (!this.server.hasFinal) {
      this.#cancelDownstream();
      this.#respond(503, reasonPhrase(503));
    }
    this.end(
      answered ? 'answered' : 'failed',
      'shutdown',
      answered ? undefined : (this.server.finalStatus ?? 503),
    );
    this.#timers.clearAll();
  }
}
