// Robustness through the real proxy between real SIPp peers:
// caller SIPp (127.0.0.74) → Ringtrace proxy (127.0.0.75) → callee SIPp (127.0.0.76).
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePortBlock, inOrder, type Peers, placeCall, startRecordedProxy } from './harness.js';
import { explainRun as explain, runSippLoad } from './sipp.js';

const peers: Peers = { caller: '127.0.0.74', proxy: '127.0.0.75', callee: '127.0.0.76', base: 0 };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

beforeAll(async () => {
  peers.base = await freePortBlock([peers.caller, peers.proxy, peers.callee], 16060);
});

function start(route: () => Promise<void> | void = () => {}, dialogSecret?: string) {
  const o = {
    address: peers.proxy,
    port: peers.base,
    ringTimeoutMs: 10_000,
    ...(dialogSecret && { dialogSecret }),
  };
  return startRecordedProxy(o, async () => {
    await route();
    return { action: 'forward', target: `sip:101@${peers.callee}:${peers.base + 2}` };
  });
}

const receivedInvites = (messages: string | undefined) =>
  (messages ?? '').match(/message received[^\n]*\n\s*INVITE sip:/g)?.length ?? 0;

function garbage(proxyPort: number): Buffer[] {
  const via = `Via: SIP/2.0/UDP ${peers.caller}:5999;branch=z9hG4bK-garbage`;
  const invite = (headers: string[], body = '') =>
    Buffer.from(
      [`INVITE sip:74951234567@${peers.proxy}:${proxyPort} SIP/2.0`, ...headers, '', body].join('\r\n'),
      'utf8',
    );
  const base = [via, 'From: <sip:1@x>;tag=1', 'To: <sip:2@y>', 'Call-ID: g1', 'CSeq: 1 INVITE'];
  return [
    Buffer.alloc(0),
    randomBytes(512),
    Buffer.from('\r\n\r\n'),
    Buffer.from('INVITE sip:x@y SIP/2.0\r\nVia: broken'), // no end of headers
    invite(base.filter((h) => !h.startsWith('Call-ID'))), // missing Call-ID
    invite([...base, 'Content-Length: 99999']), // body shorter than announced
    invite([...base.slice(0, 4), 'CSeq: abc INVITE']),
    invite([...base, 'this line has no colon']),
    invite([`Via: SIP/2.0/UDP ${peers.caller}:99999;branch=z9hG4bK-x`, ...base.slice(1)]), // bad port
    invite(['Via: nonsense', ...base.slice(1)]),
    Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n\r\n'), // stray response
    Buffer.from(
      `SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP ${peers.proxy}:${proxyPort};branch=z9hG4bKnope\r\n` +
        'From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: nope\r\nCSeq: 1 INVITE\r\n\r\n',
    ), // unknown transaction
    Buffer.concat([
      Buffer.from('OPTIONS sip:x SIP/2.0\r\nFrom: \xff\xfe\r\n'),
      randomBytes(64),
      Buffer.from('\r\n\r\n'),
    ]),
    Buffer.alloc(60_000, 0x41),
  ];
}

describe('sip proxy against SIPp: robustness', () => {
  it('malformed datagrams are dropped and the proxy keeps working', async () => {
    const rec = await start();
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, peers.caller, () => r()));
    for (const d of garbage(peers.base)) {
      await new Promise<void>((r) => socket.send(d, peers.base, peers.proxy, () => r()));
    }
    socket.close();
    await sleep(100); // let the proxy chew through them before the real call

    const { caller, callee } = await placeCall(peers, peers.base, { uac: 'uac-call', uas: 'uas-answer' });
    expect(caller.code, explain(caller)).toBe(0);
    expect(callee?.code, callee && explain(callee)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'answered', cause: 'caller-bye' });
    expect(rec.invites).toHaveLength(1); // none of the garbage reached route()
    // Every datagram except the two CRLF keep-alives is logged as dropped.
    expect(rec.debug.filter((d) => d.m === 'sip message dropped')).toHaveLength(
      garbage(peers.base).length - 2,
    );
    expect(rec.warnings.filter((w) => w.m.includes('failed'))).toEqual([]);
  });

  it('a retransmitted INVITE (while route() is still deciding) makes one call and one summary', async () => {
    const rec = await start(() => sleep(300));
    const { caller, callee } = await placeCall(peers, peers.base, {
      uac: 'uac-retransmit',
      uas: 'uas-answer',
    });
    expect(caller.code, explain(caller)).toBe(0);
    expect(callee?.code, callee && explain(callee)).toBe(0);
    expect(
      (caller.messages.match(/message sent[^\n]*\n\s*INVITE sip:/g) ?? []).length,
    ).toBeGreaterThanOrEqual(2);
    expect(receivedInvites(callee?.messages)).toBe(1);
    await rec.waitForEnds(1);
    await sleep(300); // a duplicate summary would show up by now
    expect(rec.invites).toHaveLength(1);
    expect(rec.ends).toHaveLength(1);
    expect(rec.ends[0]).toMatchObject({ status: 'answered', cause: 'caller-bye' });
  });

  it('OPTIONS keep-alive is answered 200 and is not a call', async () => {
    const rec = await start();
    const { caller } = await placeCall(peers, peers.base, { uac: 'uac-options', calls: 3 });
    expect(caller.code, explain(caller)).toBe(0);
    expect(caller.successful).toBe(3);
    expect(rec.invites).toHaveLength(0);
    expect(rec.ends).toHaveLength(0);
  });

  it('CANCEL while route() is pending: 487 at once, nothing forwarded, summary canceled', async () => {
    const rec = await start(() => sleep(1500));
    const { caller } = await placeCall(peers, peers.base, { uac: 'uac-cancel-early' });
    expect(caller.code, explain(caller)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'canceled', finalSipStatus: 487, cause: 'caller-cancel', target: '' });
    await sleep(1600); // route() resolves now: it must not forward or report again
    expect(rec.ends).toHaveLength(1);
    expect(rec.proxy.activeCalls()).toBe(0);
  });

  it('route() throwing answers 503 and reports a failed call', async () => {
    const rec = await start(() => {
      throw new Error('database down');
    });
    const { caller } = await placeCall(peers, peers.base, { uac: 'uac-expect-unavailable' });
    expect(caller.code, explain(caller)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'failed', finalSipStatus: 503, cause: 'route-error' });
    expect(inOrder(s?.startedAt, s?.endedAt)).toBe(true);
  });

  it('a caller ignoring Record-Route (SIPp built-in uac) still gets ACK/BYE to the callee', async () => {
    const rec = await start();
    const { caller, callee } = await placeCall(peers, peers.base, { uac: 'builtin:uac', uas: 'uas-answer' });
    expect(caller.code, explain(caller)).toBe(0);
    expect(callee?.code, callee && explain(callee)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'answered', cause: 'caller-bye', from: 'sipp' });
  });

  it('a call set up before a restart still ends: its BYE is relayed statelessly along the signed route', async () => {
    const secret = 'the-installation-secret-0123456789abcdef';
    const before = await start(undefined, secret);
    const call = placeCall(peers, peers.base, { uac: 'uac-call', uas: 'uas-answer', talkMs: 2500 });
    await expect.poll(() => before.events.map((e) => e.type), { timeout: 5000 }).toContain('answered');
    await before.proxy.close();
    const after = await start(undefined, secret);
    const { caller, callee } = await call;
    // The BYE reached the callee through the new process, and its 200 came back to the caller.
    expect(caller.code, explain(caller)).toBe(0);
    expect(callee?.code, callee && explain(callee)).toBe(0);
    expect(callee?.messages).toMatch(
      new RegExp(`BYE sip:callee@[^\\n]+\\nVia: SIP/2.0/UDP ${peers.proxy}:${peers.base};branch=z9hG4bKsl`),
    );
    expect(after.invites).toHaveLength(0);
    expect(after.proxy.activeCalls()).toBe(0);
  });

  it('never relays an in-dialog request whose route it did not sign: 481, nothing sent on', async () => {
    await start(undefined, 'the-installation-secret-0123456789abcdef');
    const callee = dgram.createSocket('udp4');
    const caller = dgram.createSocket('udp4');
    const atCallee: string[] = [];
    const atCaller: string[] = [];
    callee.on('message', (m) => atCallee.push(m.toString('latin1')));
    caller.on('message', (m) => atCaller.push(m.toString('latin1')));
    await new Promise<void>((r) => callee.bind(peers.base + 2, peers.callee, r));
    await new Promise<void>((r) => caller.bind(peers.base + 1, peers.caller, r));
    try {
      const bye = (route: string, n: number) =>
        [
          `BYE sip:callee@${peers.callee}:${peers.base + 2} SIP/2.0`,
          `Via: SIP/2.0/UDP ${peers.caller}:${peers.base + 1};branch=z9hG4bK-forged-${n}`,
          route,
          `From: <sip:a@${peers.caller}>;tag=a${n}`,
          `To: <sip:b@${peers.callee}>;tag=b${n}`,
          `Call-ID: forged-${n}`,
          `CSeq: 2 BYE`,
          'Max-Forwards: 70',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
      const routes = [
        `Route: <sip:${peers.proxy}:${peers.base};lr>`,
        `Route: <sip:${peers.proxy}:${peers.base};lr;rt=AAAAAAAAAAAAAAAAAAAAAA>`,
      ];
      for (const [n, route] of routes.entries()) caller.send(bye(route, n), peers.base, peers.proxy);
      await expect.poll(() => atCaller.filter((m) => m.startsWith('SIP/2.0 481')).length).toBe(routes.length);
      await sleep(200);
      expect(atCallee).toEqual([]);
    } finally {
      callee.close();
      caller.close();
    }
  });

  it('load helper: 40 calls at 40 cps all complete, one answered summary each', async () => {
    const rec = await start();
    const r = await runSippLoad({
      proxy: { address: peers.proxy, port: peers.base },
      callerIp: peers.caller,
      callerPort: peers.base + 1,
      callerMediaPort: peers.base + 14,
      calleeIp: peers.callee,
      calleePort: peers.base + 2,
      calleeMediaPort: peers.base + 10,
      rate: 40,
      calls: 40,
    });
    expect(r.failed, explain(r.caller)).toBe(0);
    expect(r.successful).toBe(40);
    expect(r.callee.code, explain(r.callee)).toBe(0);
    const ends = await rec.waitForEnds(40);
    expect(new Set(ends.map((e) => e.sipCallId)).size).toBe(40);
    expect(ends.every((e) => e.status === 'answered' && e.cause === 'caller-bye')).toBe(true);
    expect(rec.proxy.activeCalls()).toBe(0);
  });
});
