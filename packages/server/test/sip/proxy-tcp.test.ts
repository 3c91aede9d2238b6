// SIP over TCP (RFC 3261 §18: every element implements UDP and TCP) through the real proxy between SIPp peers
// in single-connection TCP mode (-t t1): caller (127.0.0.81) → proxy (127.0.0.82) → callee (127.0.0.83).
import { beforeAll, describe, expect, it } from 'vitest';
import { freePortBlock, type Peers, placeCall, startRecordedProxy } from './harness.js';
import { explainRun as explain } from './sipp.js';

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
    expect(invite).toContain(`Record-Route: <sip:${peers.proxy}:${peers.base};transport=tcp;lr>`);
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
        `Record-Route: <sip:${peers.proxy}:${peers.base};transport=tcp;lr>\\r?\\n\\s*Record-Route: <sip:${peers.proxy}:${peers.base};lr>`,
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
});
