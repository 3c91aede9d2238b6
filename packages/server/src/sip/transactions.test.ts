import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeResponse } from './build.js';
import { parseMessage, type SipRequest } from './message.js';
import { silentLog } from './sip-log.js';
import { ClientTransaction, ServerTransaction } from './transactions.js';
import type { Endpoint, SipTransport } from './transport.js';

const INVITE = parseMessage(
  Buffer.from(
    'INVITE sip:101@10.0.0.5 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKabc\r\nFrom: <sip:a@x>;tag=1\r\n' +
      'To: <sip:101@10.0.0.5>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
  ),
);
if (!INVITE.ok || INVITE.message.kind !== 'request') throw new Error('fixture');
const invite = INVITE.message as SipRequest;

/** A transport that counts what was sent where. */
function countingEnv() {
  const sent: Endpoint[] = [];
  const transport: SipTransport = {
    address: '10.0.0.2',
    port: 5060,
    send: (_data, to) => sent.push(to),
    close: async () => {},
  };
  return { sent, env: { transport, log: silentLog } };
}

const handlers = { onResponse() {}, onTimeout() {}, onTransportError() {}, onTerminated() {} };

describe('transactions over UDP and TCP (§17.1.1.2, §17.2.1)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retransmits an INVITE over UDP until a response comes, never over TCP', () => {
    for (const [transport, expected] of [
      [undefined, 4],
      ['tcp', 1],
    ] as const) {
      const { sent, env } = countingEnv();
      const destination: Endpoint = { host: '10.0.0.5', port: 5060, ...(transport && { transport }) };
      new ClientTransaction(env, 'b|INVITE', invite, destination, handlers).start();
      // T1 = 500 ms: sent at 0, 0.5, 1.5 and 3.5 s.
      vi.advanceTimersByTime(3_600);
      expect(sent).toHaveLength(expected);
    }
  });

  it('retransmits a final error response over UDP until the ACK, never over TCP', () => {
    for (const [transport, expected] of [
      [undefined, 4],
      ['tcp', 1],
    ] as const) {
      const { sent, env } = countingEnv();
      const upstream: Endpoint = { host: '10.0.0.9', port: 5060, ...(transport && { transport }) };
      const server = new ServerTransaction(env, 'k', invite, upstream, () => {});
      server.respond(makeResponse(invite, 486, 'Busy Here'));
      vi.advanceTimersByTime(3_600);
      expect(sent).toHaveLength(expected);
      expect(sent.every((to) => to === upstream)).toBe(true);
    }
  });
});
