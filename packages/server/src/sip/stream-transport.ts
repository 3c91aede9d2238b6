import net, { isIP } from 'node:net';
import tls from 'node:tls';
import type { SipLog } from './sip-log.js';
import { StreamFramer } from './stream-framer.js';
import type { Endpoint, SipTransport } from './transport.js';

/** A connection nobody used for this long is closed (a peer with a call up sends or receives before then). */
const IDLE_MS = 15 * 60_000;
/** Connections at once, both ways: a peer opening more gets refused rather than the process running out. */
const MAX_CONNECTIONS = 1024;
/** A listener on every address: outgoing connections then leave from whichever the route picks. */
const WILDCARD = /^(0\.0\.0\.0|::)$/;

/** TLS: our certificate chain and key (PEM), and the CAs that peers' certificates are checked against. */
export interface TlsSettings {
  cert: string;
  key: string;
  /** Extra trusted CAs (PEM) for the peers we connect to; the system's are trusted too. */
  ca?: string;
}

const keyOf = (host: string, port: number) => `${host.replace(/^\[(.*)\]$/, '$1')}:${port}`;

/**
 * SIP over a stream: TCP, or TLS with `tls` set. A listener for peers that connect to us, and connections we open
 * to peers, one per peer address (host:port), used both ways (RFC 3261 §18: a response goes back on the connection
 * its request came in on, and a request to a peer uses an open connection to it). Messages are cut out of each
 * stream by StreamFramer. Over TLS a peer we connect to must present a certificate valid for its address.
 */
export function openStreamTransport(o: {
  address: string;
  port: number;
  tls?: TlsSettings;
  log: SipLog;
  onMessage(data: Buffer, from: Endpoint): void;
}): Promise<SipTransport> {
  const transport = o.tls ? 'tls' : 'tcp';
  const connections = new Map<string, net.Socket>();
  /** Connections we opened that are not up yet, with what to call if they fail first. */
  const waiting = new Map<net.Socket, ((err: Error) => void)[]>();
  let closed = false;

  const attach = (socket: net.Socket, key: string, from: Endpoint) => {
    connections.set(key, socket);
    const framer = new StreamFramer();
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const framed of framer.push(chunk)) {
        if (framed.kind === 'ping') {
          socket.write('\r\n');
        } else if (framed.kind === 'error') {
          o.log.warn(
            { remote: key, transport, reason: framed.reason },
            'sip stream unreadable: connection closed',
          );
          socket.destroy();
          return;
        } else {
          try {
            o.onMessage(framed.data, from);
          } catch (err) {
            // A bug in message handling must never take the process down.
            o.log.warn({ err, remote: key }, 'sip message handler failed');
          }
        }
      }
    });
    socket.on('error', (err) => o.log.debug({ err, remote: key, transport }, 'sip connection error'));
    socket.on('close', () => {
      if (connections.get(key) === socket) connections.delete(key);
    });
  };

  const accept = (socket: net.Socket) => {
    const host = socket.remoteAddress;
    const port = socket.remotePort;
    if (closed || host === undefined || port === undefined || connections.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    attach(socket, keyOf(host, port), { host, port, transport });
  };
  const server = o.tls
    ? tls.createServer({ cert: o.tls.cert, key: o.tls.key }, accept)
    : net.createServer(accept);
  // A failed TLS handshake never reaches `accept`: the peer's problem, logged.
  server.on('tlsClientError', (err) => o.log.debug({ err, transport }, 'sip tls handshake failed'));

  const connect = (host: string, port: number): net.Socket => {
    const local = isIP(o.address) && !WILDCARD.test(o.address) ? { localAddress: o.address } : {};
    const tcp = net.connect({ host, port, ...local });
    if (!o.tls) return tcp;
    // The peer's certificate must be valid for the address we dialled: its name, or its IP.
    return tls.connect({
      socket: tcp,
      host,
      ...(!isIP(host) && { servername: host }),
      ...(o.tls.ca && { ca: [...tls.rootCertificates, o.tls.ca] }),
    });
  };

  const send: SipTransport['send'] = (data, to, onError) => {
    if (closed) return;
    const key = keyOf(to.host, to.port);
    let socket = connections.get(key);
    // A peer that has closed its side leaves a socket that can no longer be written to.
    if (socket && (socket.destroyed || !socket.writable)) socket = undefined;
    if (!socket && to.reopenAt) {
      // The connection a request came in on has closed before its response: never dial the peer's
      // ephemeral port, but the listening one its Via names.
      o.log.debug({ remote: key, reopenAt: to.reopenAt, transport }, 'sip response connection closed');
      send(data, to.reopenAt, onError);
      return;
    }
    if (!socket) {
      if (connections.size >= MAX_CONNECTIONS) {
        onError?.(new Error(`too many sip ${transport} connections`));
        return;
      }
      const host = to.host.replace(/^\[(.*)\]$/, '$1');
      const opened = connect(host, to.port);
      // Until it is up (connected, and over TLS the handshake done), a refused, unreachable or untrusted
      // peer fails what was sent to it.
      waiting.set(opened, []);
      opened.once(o.tls ? 'secureConnect' : 'connect', () => waiting.delete(opened));
      opened.once('error', (err) => {
        for (const fail of waiting.get(opened) ?? []) fail(err);
        waiting.delete(opened);
      });
      attach(opened, key, { host, port: to.port, transport });
      socket = opened;
    }
    if (onError)
      waiting.get(socket)?.push((err) => {
        o.log.warn({ err, remote: key, transport }, 'sip send failed');
        onError(err);
      });
    socket.write(data);
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.address, () => {
      server.off('error', reject);
      server.on('error', (err) => o.log.warn({ err, transport }, 'sip stream listener error'));
      const bound = server.address();
      resolve({
        address: o.address,
        port: typeof bound === 'object' && bound ? bound.port : o.port,
        send,
        close() {
          if (closed) return Promise.resolve();
          closed = true;
          for (const socket of connections.values()) socket.destroy();
          connections.clear();
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
