// Call outcomes through the real proxy between two real SIPp peers:
// caller SIPp (127.0.0.71) → Ringtrace proxy (127.0.0.72) → callee SIPp (127.0.0.73).
import { beforeAll, describe, expect, it } from 'vitest';
import { freePortBlock, inOrder, type Peers, placeCall, startRecordedProxy } from './harness.js';
import { explainRun as explain } from './sipp.js';

const peers: Peers = { caller: '127.0.0.71', proxy: '127.0.0.72', callee: '127.0.0.73', base: 0 };
const DID = '74951234567';

beforeAll(async () => {
  peers.base = await freePortBlock([peers.caller, peers.proxy, peers.callee], 15060);
});

function start(ringTimeoutMs = 10_000) {
  return startRecordedProxy({ address: peers.proxy, port: peers.base, ringTimeoutMs }, () => ({
    action: 'forward',
    target: `sip:101@${peers.callee}:${peers.base + 2}`,
  }));
}

describe('sip proxy against SIPp: call outcomes', () => {
  it('answered call, caller hangs up: dialog routed through us, summary answered/caller-bye', async () => {
    const rec = await start();
    const { caller, callee } = await placeCall(peers, peers.base, { uac: 'uac-call', uas: 'uas-answer' });
    expect(caller.code, explain(caller)).toBe(0);
    expect(caller.successful).toBe(1);
    expect(callee?.code, callee && explain(callee)).toBe(0);

    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({
      status: 'answered',
      cause: 'caller-bye',
      from: '+79161234567',
      to: DID,
      target: `sip:101@${peers.callee}:${peers.base + 2}`,
    });
    expect(s?.finalSipStatus).toBeUndefined();
    expect(inOrder(s?.startedAt, s?.ringingAt, s?.answeredAt, s?.endedAt)).toBe(true);
    expect(rec.events.map((e) => e.type)).toEqual(['ringing', 'answered']);

    // The domain sees decoded Unicode; the callee gets the caller's bytes untouched.
    expect(rec.invites).toHaveLength(1);
    expect(rec.invites[0]).toMatchObject({
      from: '+79161234567',
      fromDisplayName: 'Алиса Тест',
      to: DID,
      sourceAddress: peers.caller,
      requestUri: `sip:${DID}@${peers.proxy}:${peers.base}`,
    });
    const invite = callee?.messages.split('-----').find((m) => m.includes('INVITE sip:101@')) ?? '';
    expect(invite).toContain('From: "Алиса Тест" <sip:+79161234567@');
    // Our entry carries the dialog's signed token (dialog-token.ts).
    expect(invite).toMatch(new RegExp(`Record-Route: <sip:${peers.proxy}:${peers.base};lr;rt=[\\w-]{22}>`));
    expect(invite).toMatch(new RegExp(`Via: SIP/2.0/UDP ${peers.proxy}:${peers.base};branch=z9hG4bK`));
    expect(invite).toContain('Max-Forwards: 69');
    // ACK and BYE of the dialog came through the proxy (our Via on top at the callee).
    const viaProxy = `Via: SIP/2.0/UDP ${peers.proxy}:${peers.base}`;
    expect(callee?.messages).toMatch(new RegExp(`ACK sip:callee@[^\\n]+\\n${viaProxy}`));
    expect(callee?.messages).toMatch(new RegExp(`BYE sip:callee@[^\\n]+\\n${viaProxy}`));
    expect(rec.proxy.activeCalls()).toBe(0);
  });

  it('answered call, callee hangs up: summary answered/callee-bye', async () => {
    const rec = await start();
    const { caller, callee } = await placeCall(peers, peers.base, {
      uac: 'uac-call-callee-hangs-up',
      uas: 'uas-answer-then-bye',
    });
    expect(caller.code, explain(caller)).toBe(0);
    expect(callee?.code, callee && explain(callee)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'answered', cause: 'callee-bye' });
    expect(inOrder(s?.startedAt, s?.ringingAt, s?.answeredAt, s?.endedAt)).toBe(true);
  });

  it('relays the whole dialog: PRACK of a reliable 183, a hold re-INVITE, INFO, UPDATE from the callee, BYE', async () => {
    const rec = await start();
    const { caller, callee } = await placeCall(peers, peers.base, {
      uac: 'uac-call-mid-dialog',
      uas: 'uas-answer-mid-dialog',
    });
    expect(caller.code, explain(caller)).toBe(0);
    expect(callee?.code, callee && explain(callee)).toBe(0);
    // One call: the re-INVITE is part of it, not a second one.
    const [s] = await rec.waitForEnds(1);
    expect(rec.ends).toHaveLength(1);
    expect(rec.invites).toHaveLength(1);
    expect(s).toMatchObject({ status: 'answered', cause: 'caller-bye' });
    expect(rec.events.map((e) => e.type)).toEqual(['ringing', 'answered']);
    // Each request reached the other end through us (our Via on top), once.
    const viaProxy = `\\nVia: SIP/2.0/UDP ${peers.proxy}:${peers.base};branch=z9hG4bK`;
    const at = (trace: string | undefined, requestLine: string) =>
      (trace ?? '').split('-----').filter((m) => new RegExp(`${requestLine}[^\\n]+${viaProxy}`).test(m));
    for (const method of ['PRACK', 'INVITE sip:callee', 'ACK', 'INFO', 'BYE'])
      expect(at(callee?.messages, method), method).not.toHaveLength(0);
    expect(at(callee?.messages, 'INVITE sip:callee')).toHaveLength(1);
    expect(at(callee?.messages, 'INFO')[0]).toContain('Signal=5');
    expect(at(caller.messages, 'UPDATE')).toHaveLength(1);
    expect(rec.proxy.activeCalls()).toBe(0);
  });

  it('busy callee (486): relayed to the caller, summary busy/busy-here', async () => {
    const rec = await start();
    const { caller, callee } = await placeCall(peers, peers.base, {
      uac: 'uac-expect-busy',
      uas: 'uas-busy',
    });
    expect(caller.code, explain(caller)).toBe(0);
    expect(callee?.code, callee && explain(callee)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'busy', finalSipStatus: 486, cause: 'busy-here' });
    expect(s?.answeredAt).toBeUndefined();
    expect(inOrder(s?.startedAt, s?.endedAt)).toBe(true);
  });

  it('caller cancels while ringing: 200 for the CANCEL, 487 relayed, summary canceled', async () => {
    const rec = await start();
    const { caller, callee } = await placeCall(peers, peers.base, { uac: 'uac-cancel', uas: 'uas-ring' });
    expect(caller.code, explain(caller)).toBe(0);
    expect(callee?.code, callee && explain(callee)).toBe(0);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'canceled', finalSipStatus: 487, cause: 'caller-cancel' });
    expect(s?.answeredAt).toBeUndefined();
    expect(inOrder(s?.startedAt, s?.ringingAt, s?.endedAt)).toBe(true);
  });

  it('no answer: ring timeout CANCELs the callee and answers the caller 480', async () => {
    const rec = await start(800);
    const { caller, callee } = await placeCall(peers, peers.base, {
      uac: 'uac-expect-no-answer',
      uas: 'uas-ring',
    });
    expect(caller.code, explain(caller)).toBe(0);
    expect(callee?.code, callee && explain(callee)).toBe(0); // it got our CANCEL and ACK for its 487
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'no-answer', finalSipStatus: 480, cause: 'ring-timeout' });
    expect(inOrder(s?.startedAt, s?.ringingAt, s?.endedAt)).toBe(true);
    expect((s?.endedAt ?? 0) - (s?.startedAt ?? 0)).toBeGreaterThanOrEqual(790);
  });

  it('callee answers although our ring-timeout CANCEL crossed it: that leg is ACKed and hung up', async () => {
    const rec = await start(500);
    const { caller, callee } = await placeCall(peers, peers.base, {
      uac: 'uac-expect-no-answer',
      uas: 'uas-answer-despite-cancel',
    });
    expect(caller.code, explain(caller)).toBe(0);
    expect(callee?.code, callee && explain(callee)).toBe(0); // it received our ACK and BYE
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({ status: 'no-answer', finalSipStatus: 480, cause: 'ring-timeout' });
    expect(s?.answeredAt).toBeUndefined(); // the caller never had this call
    expect(rec.events.map((e) => e.type)).toEqual(['ringing']);
    expect(rec.ends).toHaveLength(1);
  });

  it('unknown number: route() rejects with 404, caller gets 404 with a To-tag, nothing forwarded', async () => {
    let tick = 1_700_000_000_000;
    const rec = await startRecordedProxy(
      { address: peers.proxy, port: peers.base, now: () => (tick += 1000) }, // injected clock
      () => ({ action: 'reject', status: 404, reason: 'Not Found' }),
    );
    const { caller } = await placeCall(peers, peers.base, {
      uac: 'uac-expect-not-found',
      service: '70000000000',
    });
    expect(caller.code, explain(caller)).toBe(0);
    expect(caller.messages).toMatch(/SIP\/2\.0 404 Not Found[\s\S]*?\nTo: [^\n]*;tag=/);
    const [s] = await rec.waitForEnds(1);
    expect(s).toMatchObject({
      status: 'failed',
      finalSipStatus: 404,
      cause: '404',
      target: '',
      to: '70000000000',
    });
  });
});
