import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SipLog } from './sip-log.js';
import type { Endpoint, SipTransport } from './transport.js';

export interface UdpTransportOptions {
  address: string;
  port: number;
  log: SipLog;
  onDatagram(data: Buffer, from: Endpoint): void;
}

/** Binds one UDP socket. Rejects if the bind fails (EADDRINUSE, EADDRNOTAVAIL…). */
export function openUdpTransport(o: UdpTransportOptions): Promise<SipTransport> {
  const family = isIP(o.address) === 6 ? 6 : 4;
  const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
  let closed = false;
  return new Promise((resolve, reject) => {
    const onBindError = (err: Error) => {
      socket.close();
      reject(err);
    };
    socket.once('error', onBindError);
    socket.on('message', (data, rinfo) => {
      try {
        o.onDatagram(data, { host: rinfo.address, port: rinfo.port });
      } catch (err) {
        // A bug in message handling must never take the process down.
        o.log.warn({ err, remote: `${rinfo.address}:${rinfo.port}` }, 'sip datagram handler failed');
      }
    });
    socket.bind(o.port, o.address, () => {
      socket.off('error', onBindError);
      socket.on('error', (err) => o.log.warn({ err }, 'sip socket error'));
      try {
        // Bursts of INVITEs plus retransmissions overflow the default ~200 KB buffer; the kernel caps this
        // at net.core.rmem_max/wmem_max, so it is best effort.
        socket.setRecvBufferSize(4 * 1024 * 1024);
        socket.setSendBufferSize(4 * 1024 * 1024);
      } catch (err) {
        o.log.debug({ err }, 'sip socket buffer size not changed');
      }
      const bound = socket.address();
      resolve({
        address: bound.address,
        port: bound.port,
        send(data, to, onError) {
          if (closed) return;
          const fail = (err: Error) => {
            o.log.warn({ err, remote: `${to.host}:${to.port}` }, 'sip send failed');
            onError?.(err);
          };
          const host = to.host.replace(/^\[(.*)\]$/, '$1');
          const go = (ip: string) => {
            if (closed) return;
            socket.send(data, to.port, ip, (err) => {
              if (err) fail(err);
            });
          };
          if (isIP(host)) go(host);
          else
            lookup(host, { family })
              .then((r) => go(r.address))
              .catch((err: Error) => fail(err));
        },
        close() {
          if (closed) return Promise.resolve();
          closed = true;
          return new Promise<void>((done) => socket.close(() => done()));
        },
      });
    });
  });
}
