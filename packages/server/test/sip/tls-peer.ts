// A minimal SIP peer over TLS for the tests (Debian's SIPp is built without TLS): it writes the messages a test
// spells out and reads what comes back, cut by the proxy's own StreamFramer and parsed by its parser.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { parseMessage, type SipMessage } from '../../src/sip/message.js';
import { StreamFramer } from '../../src/sip/stream-framer.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
/** A test CA, and a certificate it signed for 127.0.0.84–86 and localhost (its key is for tests only). */
export const TEST_TLS = { ca: fixture('ca.pem'), cert: fixture('peer.pem'), key: fixture('peer.key') };

export interface StreamPeer {
  send(text: string): void;
  /** The next message that matches (earlier ones that do not are kept for later calls). */
  next(match: (m: SipMessage) => boolean, timeoutMs?: number): Promise<SipMessage>;
  close(): void;
}

export function streamPeer(socket: net.Socket): StreamPeer {
  const framer = new StreamFramer();
  const inbox: SipMessage[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const f of framer.push(chunk)) {
      if (f.kind !== 'message') continue;
      const parsed = parseMessage(f.data);
      if (parsed.ok) inbox.push(parsed.message);
    }
  });
  socket.on('error', () => {});
  return {
    send: (text) => socket.write(text),
    async next(match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const at = inbox.findIndex(match);
        if (at >= 0) return inbox.splice(at, 1)[0] as SipMessage;
        if (Date.now() > deadline) throw new Error('no matching SIP message arrived');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => socket.destroy(),
  };
}

/** Connects over TLS from `localAddress`, trusting the test CA. */
export function connectTls(host: string, port: number, localAddress: string): Promise<StreamPeer> {
  return new Promise((resolve, reject) => {
    const tcp = net.connect({ host, port, localAddress });
    const socket = tls.connect({ socket: tcp, host, ca: TEST_TLS.ca }, () => resolve(streamPeer(socket)));
    socket.once('error', reject);
  });
}

/** A TLS listener with the test certificate; each connection is handed over as a peer. */
export function listenTls(host: string, port: number): Promise<{ peers: StreamPeer[]; close(): void }> {
  const peers: StreamPeer[] = [];
  const server = tls.createServer({ cert: TEST_TLS.cert, key: TEST_TLS.key }, (socket) =>
    peers.push(streamPeer(socket)),
  );
  return new Promise((resolve) =>
    server.listen(port, host, () =>
      resolve({
        peers,
        close: () => {
          for (const p of peers) p.close();
          server.close();
        },
      }),
    ),
  );
}
