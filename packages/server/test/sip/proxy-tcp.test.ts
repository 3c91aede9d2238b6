// SIP over TCP (RFC 3261 §18: every element implements UDP and TCP) through the real proxy between SIPp peers
// in single-connection TCP mode (-t t1): caller (127.0.0.81) → proxy (127.0.0.82) → callee (127.0.0.83).
import net from 'node:net';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { getHeader, type SipMessage } from '../../src/sip/message.js';
import { freePortBlock, type Peers, placeCall, startRecordedProxy } from './harness.js';
import { explainRun as explain } from './sipp.js';
import { type StreamPeer, streamPeer } from './tls-peer.js';

const peers: Peers = { caller: '127.0.0.81', proxy: '127.0.0.82', callee: '127.0.0.83', base: 0 };

beforeAll(async () => {
  peers.base = await freePortBlock([peers.caller, peers.proxy, peers.callee], 17060);
});

function start(target: string) {
  return startRecordedProxy({ address: peers.proxy, port: peers.base }, () => ({
    action: 'forward',
    target,
  }));
}

const callee = () => `${peers.callee}:${peers.base + 2}`;
/** Messages of one SIPp trace that start with this request line or status. */
const messagesOf = (trace: string | undefined, start: string) =>
  (trace ?? '').split('-----').filter((m) => m.includes(start));
const isResponse = (status: number, method: string) => (m: SipMessage) =>
  m.kind === 'response' && m.status === status && (getHeader(m, 'cseq') ?? '').endsWith(method);
const connect = () =>
  new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: peers.proxy, port: peers.base, localAddress: peers.caller });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
const waitFor = async (check: () => boolean) => {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('sip proxy against SIPp over TCP', () => {
  it('TCP caller to a TCP callee: answered, the dialog routed through us over TCP', async () => {
    const rec = await start(`sip:101@${callee()};transport=tcp`);
    const { caller, callee: uas } = await placeCall(peers, peers.base, {
      uac: 'uac-call',
      uas: 'uas-answer',
      callerTransport: 'tcp',
      calleeTransport: 'tcp',
    });
    expect(caller.code, explain(caller)).toBe(0);
    expect(uas?.code, uas && explain(uas)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'answered', cause: 'caller-bye', from: '+79161234567' });
    expect(rec.invites[0]?.sourceAddress).toBe(peers.caller);
    // Both SIPp peers really spoke TCP.
    expect(messagesOf(caller.messages, 'INVITE sip:')[0]).toContain(`Via: SIP/2.0/TCP ${peers.caller}`);
    expect(messagesOf(uas?.messages, 'SIP/2.0 200 OK')[0]).toContain('Contact: <sip:callee@');

    const [invite] = messagesOf(uas?.messages, 'INVITE sip:101@');
    expect(invite).toMatch(new RegExp(`Via: SIP/2.0/TCP ${peers.proxy}:${peers.base};branch=z9hG4bK`));
    expect(invite).toMatch(
      new RegExp(`Record-Route: <sip:${peers.proxy}:${peers.base};transport=tcp;lr;rt=[\\w-]{22}>`),
    );
    // The dialog's ACK and BYE reached the callee through us, over TCP; none of our requests went twice.
    expect(messagesOf(uas?.messages, 'ACK sip:callee@')[0]).toContain(`Via: SIP/2.0/TCP ${peers.proxy}`);
    expect(messagesOf(uas?.messages, 'BYE sip:callee@')[0]).toContain(`Via: SIP/2.0/TCP ${peers.proxy}`);
    expect(messagesOf(uas?.messages, 'INVITE sip:101@')).toHaveLength(1);
    // The caller heard every response on its own connection.
    expect(messagesOf(caller.messages, 'SIP/2.0 200 OK').length).toBeGreaterThanOrEqual(2);
    expect(rec.proxy.activeCalls()).toBe(0);
  });

  it('UDP caller to a TCP callee: two Record-Route entries, each side reaches us over its own transport', async () => {
    const rec = await start(`sip:101@${callee()};transport=tcp`);
    const { caller, callee: uas } = await placeCall(peers, peers.base, {
      uac: 'uac-call-callee-hangs-up',
      uas: 'uas-answer-then-bye',
      calleeTransport: 'tcp',
    });
    expect(caller.code, explain(caller)).toBe(0);
    expect(uas?.code, uas && explain(uas)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'answered', cause: 'callee-bye' });
    const [invite] = messagesOf(uas?.messages, 'INVITE sip:101@');
    // RFC 5658: the entry the callee uses (TCP) on top, the caller's (UDP) below it.
    expect(invite).toMatch(
      new RegExp(
        `Record-Route: <sip:${peers.proxy}:${peers.base};transport=tcp;lr;rt=[\\w-]{22}>\\r?\\n\\s*Record-Route: <sip:${peers.proxy}:${peers.base};lr;rt=[\\w-]{22}>`,
      ),
    );
    expect(messagesOf(uas?.messages, 'BYE sip:caller@')[0]).toContain(`Via: SIP/2.0/TCP ${peers.callee}`);
    // The callee's BYE went to the caller over UDP, with our UDP Via.
    expect(messagesOf(caller.messages, 'BYE sip:caller@')[0]).toContain(`Via: SIP/2.0/UDP ${peers.proxy}`);
  });

  it('TCP caller whose callee refuses the connection: 503, failed/target-unreachable', async () => {
    // Nothing listens on the callee's address over TCP.
    const rec = await start(`sip:101@${callee()};transport=tcp`);
    const { caller } = await placeCall(peers, peers.base, {
      uac: 'uac-expect-unavailable',
      callerTransport: 'tcp',
    });
    expect(caller.code, explain(caller)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'failed', cause: 'target-unreachable', finalSipStatus: 503 });
  });

  it('answers keep-alive pings, closes a stream it cannot read, and keeps serving other connections', async () => {
    const rec = await start(`sip:101@${callee()};transport=tcp`);
    const received = (socket: net.Socket) => {
      let text = '';
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
      });
      return () => text;
    };
    const pinger = await connect();
    const replies = received(pinger);
    pinger.write('\r\n\r\n');
    await waitFor(() => replies() === '\r\n');

    // A message without Content-Length: the stream cannot be cut any further, so the proxy closes it.
    const broken = await connect();
    const closed = new Promise<void>((resolve) => broken.once('close', () => resolve()));
    broken.on('error', () => {});
    broken.write('OPTIONS sip:x@y SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.81:5999;branch=z9hG4bK-x\r\n\r\n');
    await closed;
    expect(rec.warnings.map((w) => w.m)).toContain('sip stream unreadable: connection closed');

    // The pinging connection is still served: an OPTIONS in two pieces gets its 200 on it.
    const options = [
      `OPTIONS sip:ringtrace@${peers.proxy}:${peers.base} SIP/2.0`,
      `Via: SIP/2.0/TCP ${peers.caller}:5999;branch=z9hG4bK-opt1`,
      'From: <sip:probe@example.com>;tag=1',
      `To: <sip:ringtrace@${peers.proxy}>`,
      'Call-ID: tcp-options-1',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    pinger.write(options.slice(0, 40));
    await new Promise((r) => setTimeout(r, 50));
    pinger.write(options.slice(40));
    await waitFor(() => replies().includes('SIP/2.0 200 OK'));
    expect(replies()).toContain('CSeq: 1 OPTIONS');
    pinger.destroy();
  });

  it('sends a response whose connection has closed over a new one to the Via sent-by (§18.2.2)', async () => {
    // Routing takes a moment, and meanwhile the caller drops the connection its INVITE came on.
    const rec = await startRecordedProxy({ address: peers.proxy, port: peers.base }, async () => {
      await new Promise((r) => setTimeout(r, 300));
      return { action: 'reject', status: 486, reason: 'Busy Here' };
    });
    const accepted: StreamPeer[] = [];
    const listener = net.createServer((socket) => accepted.push(streamPeer(socket)));
    const listenPort = peers.base + 9;
    await new Promise<void>((resolve) => listener.listen(listenPort, peers.caller, resolve));
    onTestFinished(() => {
      for (const p of accepted) p.close();
      listener.close();
    });
    const header = [
      `Via: SIP/2.0/TCP ${peers.caller}:${listenPort};branch=z9hG4bK-reopen`,
      `From: <sip:+79161234567@${peers.caller}>;tag=r1`,
      `To: <sip:74951234567@${peers.proxy}>`,
      'Call-ID: tcp-reopen-1',
    ];
    const first = streamPeer(await connect());
    first.send(
      [`INVITE sip:74951234567@${peers.proxy}:${peers.base} SIP/2.0`, ...header, 'CSeq: 1 INVITE']
        .concat(['Max-Forwards: 70', 'Content-Length: 0', '', ''])
        .join('\r\n'),
    );
    await first.next(isResponse(100, 'INVITE'));
    first.close();

    await waitFor(() => accepted.length > 0);
    const second = accepted[0] as StreamPeer;
    const busy = await second.next(isResponse(486, 'INVITE'));
    expect(getHeader(busy, 'via')).toBe(header[0]?.slice('Via: '.length));
    second.send(
      [
        `ACK sip:74951234567@${peers.proxy}:${peers.base} SIP/2.0`,
        ...header.slice(0, 2),
        `To: ${getHeader(busy, 'to')}`,
      ]
        .concat([header[3] as string, 'CSeq: 1 ACK', 'Content-Length: 0', '', ''])
        .join('\r\n'),
    );
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'busy', finalSipStatus: 486 });
    expect(rec.debug.map((d) => d.m)).toContain('sip response connection closed');
  });
});
