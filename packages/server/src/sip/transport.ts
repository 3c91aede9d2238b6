// Where SIP messages go and come from, whatever carries them. UDP and TCP listen on the same address and port
// (RFC 3261 §18: every element implements both); an endpoint says which one reaches it.
import type { SipLog } from './sip-log.js';
import { openTcpTransport } from './tcp-transport.js';
import { openUdpTransport } from './udp-transport.js';

export type TransportName = 'udp' | 'tcp';

export interface Endpoint {
  host: string;
  port: number;
  /** Absent: UDP. Over TCP, host:port also names the connection (a peer's own, for what it sent us). */
  transport?: TransportName;
}

export interface SipTransport {
  readonly address: string;
  readonly port: number;
  /** Fire-and-forget; resolution, connection and socket errors are logged, never thrown. */
  send(data: Buffer, to: Endpoint, onError?: (err: Error) => void): void;
  close(): Promise<void>;
}

/** A reliable transport: no retransmissions (§17.1.1.2, §17.2.1). */
export const isReliable = (e: Endpoint) => e.transport === 'tcp';

/** Binds UDP, then TCP on the same port (the UDP one when `port` is 0). Rejects if either bind fails. */
export async function openSipTransport(o: {
  address: string;
  port: number;
  log: SipLog;
  onMessage(data: Buffer, from: Endpoint): void;
}): Promise<SipTransport> {
  const udp = await openUdpTransport({ ...o, onDatagram: o.onMessage });
  const tcp = await openTcpTransport({ ...o, port: udp.port }).catch(async (err: unknown) => {
    await udp.close();
    throw err;
  });
  return {
    address: udp.address,
    port: udp.port,
    send(data, to, onError) {
      if (to.transport === 'tcp') tcp.send(data, to, onError);
      else udp.send(data, to, onError);
    },
    async close() {
      await Promise.all([udp.close(), tcp.close()]);
    },
  };
}
