// Forwards one in-dialog request (ACK, BYE, re-INVITE, UPDATE, INFO…) along the dialog's route set.
import { buildCancel, makeResponse, newBranch, reasonPhrase } from './build.js';
import type { CallSession } from './call-session.js';
import { cloneMessage, prependHeader, type SipRequest } from './message.js';
import type { ProxyContext } from './proxy-context.js';
import { decrementMaxForwards, nextHop, stripOwnRoutes } from './routing.js';
import type { ClientTransaction, ServerTransaction } from './transactions.js';
import type { Endpoint } from './transport.js';

export class InDialogRelay {
  #client: ClientTransaction | undefined;
  #server: ServerTransaction | undefined;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly session: CallSession,
    private readonly fromCaller: boolean,
  ) {}

  #prepare(req: SipRequest): { fwd: SipRequest; hop: Endpoint } | undefined {
    const fwd = cloneMessage(req);
    const stripped = stripOwnRoutes(fwd, this.ctx);
    if (this.ctx.isOurUri(fwd.uri)) {
      // The peer ignored Record-Route and sent the request to us: route it to the other end's Contact.
      const s = this.session;
      const contact = this.fromCaller ? (s.calleeContact ?? (s.target || undefined)) : s.callerContact;
      if (contact === undefined) return undefined;
      fwd.uri = contact;
    } else if (stripped === 0 && req.method !== 'ACK') {
      this.ctx.log.debug({ sipCallId: this.session.sipCallId }, 'sip in-dialog request without our route');
    }
    decrementMaxForwards(fwd);
    const hop = nextHop(fwd);
    if (!hop || this.ctx.isOurUri(`sip:${hop.host}:${hop.port}`)) return undefined;
    return { fwd, hop };
  }

  /** ACK for a 2xx: stateless, with a branch derived from the incoming one so retransmissions match. */
  forwardAck(req: SipRequest, branch: string): void {
    const p = this.#prepare(req);
    if (!p) return;
    prependHeader(p.fwd, 'via', this.ctx.ourVia(branch, p.hop.transport));
    this.ctx.sendStateless(p.fwd, p.hop);
  }

  forward(server: ServerTransaction): void {
    this.#server = server;
    const reply = (status: number) =>
      server.respond(makeResponse(server.request, status, reasonPhrase(status)));
    const p = this.#prepare(server.request);
    if (!p) {
      reply(404);
      return;
    }
    if (server.isInvite) reply(100);
    prependHeader(p.fwd, 'via', this.ctx.ourVia(newBranch(), p.hop.transport));
    this.#client = this.ctx.startClientTx(p.fwd, p.hop, {
      onResponse: (res) => {
        if (res.status !== 100) server.respond(res);
      },
      onTimeout: () => reply(408),
      onTransportError: () => reply(503),
    });
  }

  /** CANCEL of a re-INVITE. */
  cancel(): void {
    const server = this.#server;
    if (!server || server.hasFinal) return;
    if (this.#client?.gotResponse) {
      this.ctx.startClientTx(buildCancel(this.#client.request), this.#client.destination, {
        onResponse: () => {},
        onTimeout: () => {},
        onTransportError: () => {},
      });
    } else {
      this.#client?.stopRetransmitting();
      server.respond(makeResponse(server.request, 487, reasonPhrase(487)));
    }
  }
}
