// RFC 3261 §17 transactions, reduced to what a proxy needs (over TCP nothing is retransmitted). The proxy core
// owns the maps that find them; a transaction only keeps its own timers and calls onTerminated when it may be
// forgotten.
import { buildAck, withRequestVias } from './build.js';
import { getParam, getTag, MAGIC_COOKIE, type Via } from './header-values.js';
import { getHeader, parseCSeq, type SipRequest, type SipResponse, serializeMessage } from './message.js';
import type { SipLog } from './sip-log.js';
import { T1, T2, T4, Timers, TX_TIMEOUT } from './timers.js';
import { type Endpoint, isReliable, type SipTransport } from './transport.js';

export interface TxEnv {
  transport: SipTransport;
  log: SipLog;
}

/** §17.2.3 matching key; ACK and CANCEL look up the INVITE's transaction with method 'INVITE'. */
export function serverTxKey(
  req: SipRequest,
  topVia: Via,
  method = req.method === 'ACK' ? 'INVITE' : req.method,
) {
  const branch = getParam(topVia.params, 'branch') ?? '';
  const sentBy = `${topVia.host}:${topVia.port ?? 5060}`;
  if (branch.startsWith(MAGIC_COOKIE)) return `${branch}|${sentBy}|${method}`;
  // RFC 2543 peer: no usable branch, fall back to the dialog identifiers.
  const seq = parseCSeq(req)?.seq ?? 0;
  return `${getHeader(req, 'call-id')}|${getTag(getHeader(req, 'from'))}|${seq}|${sentBy}|${method}`;
}

type ServerState = 'proceeding' | 'completed' | 'accepted' | 'confirmed' | 'terminated';

/** The upstream side of a request: absorbs retransmissions, retransmits non-2xx finals until the ACK. */
export class ServerTransaction {
  state: ServerState = 'proceeding';
  finalStatus: number | undefined;
  #last: Buffer | undefined;
  readonly #timers: Timers;

  constructor(
    private readonly env: TxEnv,
    readonly key: string,
    /** The request as received (top Via already carries received/rport). */
    readonly request: SipRequest,
    readonly upstream: Endpoint,
    private readonly onTerminated: () => void,
  ) {
    this.#timers = new Timers((err) => env.log.warn({ err }, 'sip server transaction timer failed'));
  }

  get isInvite(): boolean {
    return this.request.method === 'INVITE';
  }

  get hasFinal(): boolean {
    return this.finalStatus !== undefined;
  }

  /** Sends a response (ours or relayed); its Vias are replaced by the request's. */
  respond(res: SipResponse): void {
    if (this.state === 'terminated' || this.state === 'confirmed') return;
    if (this.hasFinal && !(res.status >= 200 && res.status < 300 && this.state === 'accepted')) return;
    const data = serializeMessage(withRequestVias(res, this.request));
    this.#last = data;
    this.env.transport.send(data, this.upstream);
    if (res.status < 200) return;
    this.finalStatus ??= res.status;
    if (!this.isInvite) {
      this.state = 'completed';
      this.#timers.set('J', TX_TIMEOUT, () => this.terminate());
    } else if (res.status < 300) {
      // RFC 6026 "Accepted": absorb INVITE retransmissions; 2xx retransmissions are the UAS's job.
      this.state = 'accepted';
      this.#timers.set('L', TX_TIMEOUT, () => this.terminate());
    } else {
      this.state = 'completed';
      this.#retransmitFinal(T1);
      this.#timers.set('H', TX_TIMEOUT, () => this.terminate());
    }
  }

  #retransmitFinal(interval: number): void {
    if (isReliable(this.upstream)) return;
    this.#timers.set('G', interval, () => {
      if (this.state !== 'completed' || !this.#last) return;
      this.env.transport.send(this.#last, this.upstream);
      this.#retransmitFinal(Math.min(interval * 2, T2));
    });
  }

  /** A retransmitted request: repeat the last response (nothing yet → stay silent). */
  retransmission(): void {
    if (this.state === 'accepted') return;
    if (this.#last && this.state !== 'terminated') this.env.transport.send(this.#last, this.upstream);
  }

  /** ACK for our non-2xx final: stop retransmitting. */
  ack(): void {
    if (this.state !== 'completed') return;
    this.state = 'confirmed';
    this.#timers.clear('G');
    this.#timers.clear('H');
    this.#timers.set('I', T4, () => this.terminate());
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.#timers.clearAll();
    this.onTerminated();
  }
}

type ClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface ClientTxHandlers {
  onResponse(res: SipResponse): void;
  /** Timer B/F fired without a final response. */
  onTimeout(): void;
  /** The next hop could not be resolved or the datagram could not be sent. */
  onTransportError(err: Error): void;
  onTerminated(): void;
}

/** The downstream side: retransmits the request, ACKs non-2xx finals of an INVITE, absorbs duplicates. */
export class ClientTransaction {
  state: ClientState = 'calling';
  gotResponse = false;
  readonly #timers: Timers;
  readonly #data: Buffer;
  #ack: Buffer | undefined;

  constructor(
    private readonly env: TxEnv,
    readonly branch: string,
    /** The request as sent, our Via on top. */
    readonly request: SipRequest,
    readonly destination: Endpoint,
    private readonly handlers: ClientTxHandlers,
  ) {
    this.#timers = new Timers((err) => env.log.warn({ err }, 'sip client transaction timer failed'));
    this.#data = serializeMessage(request);
  }

  get isInvite(): boolean {
    return this.request.method === 'INVITE';
  }

  start(): void {
    this.#send(this.#data);
    this.#retransmit(T1);
    this.#timers.set('B', TX_TIMEOUT, () => {
      if (this.state !== 'calling' && this.state !== 'proceeding') return;
      if (this.isInvite && this.state === 'proceeding') return; // Timer C (ring timeout) is the proxy's job
      this.terminate();
      this.handlers.onTimeout();
    });
  }

  #send(data: Buffer): void {
    this.env.transport.send(data, this.destination, (err) => {
      if (this.state === 'terminated') return;
      this.terminate();
      this.handlers.onTransportError(err);
    });
  }

  #retransmit(interval: number): void {
    if (isReliable(this.destination)) return;
    this.#timers.set('A', interval, () => {
      const active = this.isInvite
        ? this.state === 'calling'
        : this.state === 'calling' || this.state === 'proceeding';
      if (!active) return;
      this.#send(this.#data);
      const next = this.isInvite
        ? interval * 2
        : this.state === 'proceeding'
          ? T2
          : Math.min(interval * 2, T2);
      this.#retransmit(next);
    });
  }

  /** Stop retransmitting (the proxy gave up on this branch but still wants to hear a late response). */
  stopRetransmitting(): void {
    this.#timers.clear('A');
  }

  receive(res: SipResponse): void {
    if (this.state === 'terminated') return;
    this.gotResponse = true;
    if (res.status < 200) {
      if (this.state === 'calling') this.state = 'proceeding';
      if (this.isInvite) this.#timers.clear('A');
      if (this.state === 'proceeding') this.handlers.onResponse(res);
      return;
    }
    this.#timers.clear('A');
    this.#timers.clear('B');
    if (this.isInvite && res.status < 300) {
      // Each 2xx (and its retransmissions) goes up: the 2xx/ACK exchange is end to end.
      if (this.state !== 'accepted') {
        this.state = 'accepted';
        this.#timers.set('M', TX_TIMEOUT, () => this.terminate());
      }
      this.handlers.onResponse(res);
      return;
    }
    if (this.state === 'completed' || this.state === 'accepted') {
      if (this.#ack) this.#send(this.#ack); // retransmitted final: the ACK was lost
      return;
    }
    this.state = 'completed';
    if (this.isInvite) {
      this.#ack = serializeMessage(buildAck(this.request, res));
      this.#send(this.#ack);
    }
    this.#timers.set('D', this.isInvite ? TX_TIMEOUT : T4, () => this.terminate());
    this.handlers.onResponse(res);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.#timers.clearAll();
    this.handlers.onTerminated();
  }
}
