// Where SIP messages go and come from, whatever carries them. UDP and TCP listen on the same address and port
// (RFC 3261 §18: every element implements both), TLS on a port of its own when it is configured; an endpoint says
// which one reaches it.
import type { SipLog } from './sip-log.js';
import { openStreamTransport, type TlsSettings } from './stream-transport.js';
import { openUdpTransport } from './udp-transport.js';

export type TransportName = 'udp' | 'tcp' | 'tls';

export interface Endpoint {
  host: string;
  port: number;
  /** Absent: UDP. Over TCP or TLS, host:port also names the connection (a peer's own, for what it sent us). */
  transport?: TransportName;
  /**
   * A response's way back over TCP or TLS: if the connection above has closed, the response goes over a new one
   * to this address (its request's Via sent-by, RFC 3261 §18.2.2) rather than being lost.
   */
  reopenAt?: Endpoint;
}

export interface SipTransport {
  readonly address: string;
  /** The UDP and TCP port. */
  readonly port: number;
  /** The TLS port, when TLS is on. */
  readonly tlsPort?: number;
  /** Fire-and-forget; resolution, connection and socket errors are logged, never thrown. */
  send(data: Buffer, to: Endpoint, onError?: (err: Error) => void): void;
  close(): Promise<void>;
}

/** A reliable transport: no retransmissions (§17.1.1.2, §17.2.1). */
export const isReliable = (e: Endpoint) => e.transport === 'tcp' || e.transport === 'tls';

/**
 * Binds UDP, then TCP on the same port (the UDP one when `port` is 0), then TLS on its own port if configured.
 * Rejects, closing what it had bound, if any bind fails.
 */
export async function openSipTransport(o: {
  address: string;
  port: number;
  tls?: TlsSettings & { port: number };
  log: SipLog;
  onMessage(data: Buffer, from: Endpoint): void;
}): Promise<SipTransport> {
  const opened: SipTransport[] = [];
  const open = async (t: Promise<SipTransport>) => {
    try {
      const transport = await t;
      opened.push(transport);
      return transport;
    } catch (err) {
      await Promise.all(opened.map((x) => x.close()));
      throw err;
    }
  };
  const udp = await open(openUdpTransport({ ...o, onDatagram: o.onMessage }));
  const tcp = await open(openStreamTransport({ ...o, port: udp.port }));
  const tls = o.tls && (await open(openStreamTransport({ ...o, port: o.tls.port, tls: o.tls })));
  return {
    address: udp.address,
    port: udp.port,
    ...(tls && { tlsPort: tls.port }),
    send(data, to, onError) {
      if (to.transport === 'tls') {
        if (tls) tls.send(data, to, onError);
        else onError?.(new Error('SIP over TLS is not configured (SIP_TLS_CERT_FILE, SIP_TLS_KEY_FILE)'));
      } else if (to.transport === 'tcp') tcp.send(data, to, onError);
      else udp.send(data, to, onError);
    },
    async close() {
      await Promise.all(opened.map((t) => t.close()));
    },
  };
}
