import net, { isIP } from 'node:net';
import type { SipLog } from './sip-log.js';
import { StreamFramer } from './stream-framer.js';
import type { Endpoint, SipTransport } from './transport.js';

/** A connection nobody used for this long is closed (a peer with a call up sends or receives before then). */
const IDLE_MS = 15 * 60_000;
/** Connections at once, both ways: a peer opening more gets refused rather than the process running out. */
const MAX_CONNECTIONS = 1024;

/** A listener on every address: outgoing connections then leave from whichever the route picks. */
const WILDCARD = /^(0\.0\.0\.0|::)$/;

const keyOf = (host: string, port: number) => `${host.replace(/^\[(.*)\]$/, '$1')}:${port}`;

/**
 * SIP over TCP: a listener for peers that connect to us, and connections we open to peers, one per peer address
 * (host:port), used both ways (RFC 3261 §18: a response goes back on the connection its request came in on, and a
 * request to a peer uses an open connection to it). Messages are cut out of each stream by StreamFramer.
 */
export function openTcpTransport(o: {
  address: string;
  port: number;
  log: SipLog;
  onMessage(data: Buffer, from: Endpoint): void;
}): Promise<SipTransport> {
  const connections = new Map<string, net.Socket>();
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
          o.log.warn({ remote: key, reason: framed.reason }, 'sip tcp stream unreadable: connection closed');
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
    socket.on('error', (err) => o.log.debug({ err, remote: key }, 'sip tcp connection error'));
    socket.on('close', () => {
      if (connections.get(key) === socket) connections.delete(key);
    });
  };

  const server = net.createServer((socket) => {
    const host = socket.remoteAddress;
    const port = socket.remotePort;
    if (closed || host === undefined || port === undefined || connections.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    attach(socket, keyOf(host, port), { host, port, transport: 'tcp' });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.address, () => {
      server.off('error', reject);
      server.on('error', (err) => o.log.warn({ err }, 'sip tcp listener error'));
      resolve({
        address: o.address,
        port: o.port,
        send(data, to, onError) {
          if (closed) return;
          const key = keyOf(to.host, to.port);
          let socket = connections.get(key);
          if (!socket || socket.destroyed) {
            if (connections.size >= MAX_CONNECTIONS) {
              onError?.(new Error('too many sip tcp connections'));
              return;
            }
            const host = to.host.replace(/^\[(.*)\]$/, '$1');
            socket = net.connect({
              host,
              port: to.port,
              ...(isIP(o.address) && !WILDCARD.test(o.address) && { localAddress: o.address }),
            });
            attach(socket, key, { host, port: to.port, transport: 'tcp' });
          }
          if (socket.connecting && onError) {
            // Until it connects, a refused or unreachable peer fails what was sent to it.
            const fail = (err: Error) => {
              o.log.warn({ err, remote: key }, 'sip send failed');
              onError(err);
            };
            socket.once('error', fail);
            socket.once('connect', () => socket?.off('error', fail));
          }
          socket.write(data);
        },
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
