// SIP over TLS through the real proxy. Debian's SIPp is built without TLS (and sipsak 0.9.8's stream transports
// get no answer through, over TCP as over TLS), so the TLS side is a peer of our own (tls-peer.ts) on Node's TLS,
// with a real SIPp on the other side: caller (127.0.0.84) → proxy (127.0.0.85) → callee (127.0.0.86).
import { beforeAll, describe, expect, it } from 'vitest';
import { getHeader, getHeaders, type SipMessage } from '../../src/sip/message.js';
import { freePortBlock, type Peers, placeCall, startRecordedProxy } from './harness.js';
import { explainRun as explain, runSipp, waitUntilBound } from './sipp.js';
import { connectTls, listenTls, TEST_TLS } from './tls-peer.js';

const peers: Peers = { caller: '127.0.0.84', proxy: '127.0.0.85', callee: '127.0.0.86', base: 0 };
const tlsPort = () => peers.base + 5;

beforeAll(async () => {
  peers.base = await freePortBlock([peers.caller, peers.proxy, peers.callee], 18060);
});

function start(target: string, o: { trustTestCa?: boolean } = {}) {
  return startRecordedProxy(
    {
      address: peers.proxy,
      port: peers.base,
      tls: {
        port: tlsPort(),
        cert: TEST_TLS.cert,
        key: TEST_TLS.key,
        ...(o.trustTestCa !== false && { ca: TEST_TLS.ca }),
      },
    },
    () => ({ action: 'forward', target }),
  );
}

const isResponse = (status: number, method: string) => (m: SipMessage) =>
  m.kind === 'response' && m.status === status && (getHeader(m, 'cseq') ?? '').endsWith(method);
const isRequest = (method: string) => (m: SipMessage) => m.kind === 'request' && m.method === method;

describe('sip proxy over TLS', () => {
  it('TLS caller to a UDP callee (SIPp): answered, the dialog through us, each side over its transport', async () => {
    const rec = await start(`sip:101@${peers.callee}:${peers.base + 2}`);
    const uas = runSipp({
      scenario: 'uas-answer',
      localIp: peers.callee,
      localPort: peers.base + 2,
      mediaPort: peers.base + 10,
      pauseMs: 300,
    });
    await waitUntilBound(peers.callee, peers.base + 2);
    const caller = await connectTls(peers.proxy, tlsPort(), peers.caller);
    const sdp = `v=0\r\no=caller 1 1 IN IP4 ${peers.caller}\r\ns=-\r\nc=IN IP4 ${peers.caller}\r\nt=0 0\r\nm=audio ${peers.base + 14} RTP/AVP 0\r\n`;
    let to = `<sip:74951234567@${peers.proxy}:${tlsPort()}>`;
    const request = (method: string, uri: string, cseq: number, extra: string[] = [], body = '') =>
      [
        `${method} ${uri} SIP/2.0`,
        `Via: SIP/2.0/TLS ${peers.caller}:5999;branch=z9hG4bK-tls-${method.toLowerCase()};rport`,
        `From: "Алиса" <sip:+79161234567@${peers.caller}>;tag=tls1`,
        `To: ${to}`,
        'Call-ID: tls-call-1',
        `CSeq: ${cseq} ${method}`,
        'Max-Forwards: 70',
        ...extra,
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n');

    caller.send(
      request(
        'INVITE',
        `sip:74951234567@${peers.proxy}:${tlsPort()}`,
        1,
        [`Contact: <sip:caller@${peers.caller}:5999;transport=tls>`, 'Content-Type: application/sdp'],
        sdp,
      ),
    );
    const ok = await caller.next(isResponse(200, 'INVITE'));
    to = getHeader(ok, 'to') ?? '';
    const contact = /<([^>]+)>/.exec(getHeader(ok, 'contact') ?? '')?.[1] ?? '';
    // The caller's route set is the Record-Route list reversed (§12.1.2).
    const routes = getHeaders(ok, 'record-route')
      .flatMap((v) => v.split(/,\s*(?=<)/))
      .reverse();
    expect(routes).toHaveLength(2);
    expect(routes[0]).toMatch(
      new RegExp(`^<sip:${peers.proxy}:${tlsPort()};transport=tls;lr;rt=[\\w-]{22}>$`),
    );
    expect(routes[1]).toMatch(new RegExp(`^<sip:${peers.proxy}:${peers.base};lr;rt=[\\w-]{22}>$`));
    const viaRoutes = routes.map((r) => `Route: ${r}`);
    caller.send(request('ACK', contact, 1, viaRoutes));
    await new Promise((r) => setTimeout(r, 100));
    caller.send(request('BYE', contact, 2, viaRoutes));
    await caller.next(isResponse(200, 'BYE'));
    caller.close();

    const callee = await uas;
    expect(callee.code, explain(callee)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'answered', cause: 'caller-bye', from: '+79161234567' });
    expect(rec.invites[0]).toMatchObject({ sourceAddress: peers.caller, fromDisplayName: 'Алиса' });
    // At the callee: our UDP Via, and the two Record-Route entries (the one it uses, UDP, on top).
    const invite = callee.messages.split('-----').find((m) => m.includes('INVITE sip:101@')) ?? '';
    expect(invite).toMatch(new RegExp(`Via: SIP/2.0/UDP ${peers.proxy}:${peers.base};branch=z9hG4bK`));
    expect(invite).toContain(`Via: SIP/2.0/TLS ${peers.caller}:5999;branch=z9hG4bK-tls-invite`);
    expect(callee.messages).toMatch(new RegExp(`BYE sip:callee@[^\\n]+\\nVia: SIP/2.0/UDP ${peers.proxy}`));
  });

  it('answers a TLS caller whose Via has no rport on its own connection (§18.2.2), not at the Via port', async () => {
    const rec = await startRecordedProxy(
      {
        address: peers.proxy,
        port: peers.base,
        tls: { port: tlsPort(), cert: TEST_TLS.cert, key: TEST_TLS.key },
      },
      () => ({ action: 'reject', status: 486, reason: 'Busy Here' }),
    );
    const caller = await connectTls(peers.proxy, tlsPort(), peers.caller);
    const header = [
      // Nothing listens at 5999: a response sent there instead of on the connection would be lost.
      `Via: SIP/2.0/TLS ${peers.caller}:5999;branch=z9hG4bK-tls-norport`,
      `From: <sip:+79161234567@${peers.caller}>;tag=tls2`,
      `To: <sip:74951234567@${peers.proxy}:${tlsPort()}>`,
      'Call-ID: tls-call-norport',
    ];
    caller.send(
      [
        `INVITE sip:74951234567@${peers.proxy}:${tlsPort()} SIP/2.0`,
        ...header,
        'CSeq: 1 INVITE',
        'Max-Forwards: 70',
      ]
        .concat(['Content-Length: 0', '', ''])
        .join('\r\n'),
    );
    await caller.next(isResponse(100, 'INVITE'));
    const busy = await caller.next(isResponse(486, 'INVITE'));
    const ack = [`ACK sip:74951234567@${peers.proxy}:${tlsPort()} SIP/2.0`, ...header.slice(0, 2)]
      .concat([
        `To: ${getHeader(busy, 'to')}`,
        header[3] as string,
        'CSeq: 1 ACK',
        'Content-Length: 0',
        '',
        '',
      ])
      .join('\r\n');
    caller.send(ack);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'busy', finalSipStatus: 486 });
    caller.close();
  });

  it('forwards to a sips: target over TLS, checking its certificate: trusted, the callee answers 486', async () => {
    const rec = await start(`sips:101@${peers.callee}:${peers.base + 2}`);
    const callee = await listenTls(peers.callee, peers.base + 2);
    try {
      const caller = placeCall(peers, peers.base, { uac: 'uac-expect-busy' });
      const deadline = Date.now() + 5000;
      while (callee.peers.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const pbx = callee.peers[0];
      if (!pbx) throw new Error('the proxy never connected to the TLS callee');
      const invite = await pbx.next(isRequest('INVITE'));
      expect(getHeaders(invite, 'via')[0]).toMatch(
        new RegExp(`^SIP/2.0/TLS ${peers.proxy}:${tlsPort()};branch=z9hG4bK`),
      );
      pbx.send(
        [
          'SIP/2.0 486 Busy Here',
          ...getHeaders(invite, 'via').map((v) => `Via: ${v}`),
          `From: ${getHeader(invite, 'from')}`,
          `To: ${getHeader(invite, 'to')};tag=pbx1`,
          `Call-ID: ${getHeader(invite, 'call-id')}`,
          `CSeq: ${getHeader(invite, 'cseq')}`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      // The proxy ACKs the 486 itself, over the same connection.
      await pbx.next(isRequest('ACK'));
      const { caller: uac } = await caller;
      expect(uac.code, explain(uac)).toBe(0);
      const [s] = await rec.waitForEnds(1);
      expect(s).toMatchObject({ status: 'busy', finalSipStatus: 486 });
    } finally {
      callee.close();
    }
  });

  it('refuses a TLS callee whose certificate it cannot trust: 503, failed/target-unreachable', async () => {
    const rec = await start(`sips:101@${peers.callee}:${peers.base + 2}`, { trustTestCa: false });
    const callee = await listenTls(peers.callee, peers.base + 2);
    try {
      const { caller } = await placeCall(peers, peers.base, { uac: 'uac-expect-unavailable' });
      expect(caller.code, explain(caller)).toBe(0);
      const [s] = await rec.waitForEnds(1);
      expect(s).toMatchObject({ status: 'failed', cause: 'target-unreachable', finalSipStatus: 503 });
    } finally {
      callee.close();
    }
  });

  it('a sips: target that refuses the connection: 503 at once, failed/target-unreachable', async () => {
    const rec = await start(`sips:101@${peers.callee}:${peers.base + 2}`);
    const started = Date.now();
    const { caller } = await placeCall(peers, peers.base, { uac: 'uac-expect-unavailable' });
    expect(caller.code, explain(caller)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'failed', cause: 'target-unreachable', finalSipStatus: 503 });
    // Not after Timer B's 32 s.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
