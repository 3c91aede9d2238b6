// Starts the proxy for a test with recording callbacks, and finds free UDP ports on a loopback address.
import dgram from 'node:dgram';
import net from 'node:net';
import { onTestFinished } from 'vitest';
import {
  type InviteInfo,
  type RouteDecision,
  type SipCallEvent,
  type SipCallSummary,
  type SipProxy,
  type SipProxyOptions,
  startSipProxy,
} from '../../src/sip/sip-proxy.js';
import { runSipp, type SippResult, waitUntilBound } from './sipp.js';

export interface Recorder {
  proxy: SipProxy;
  invites: InviteInfo[];
  events: SipCallEvent[];
  ends: SipCallSummary[];
  warnings: { o: object; m: string }[];
  debug: { o: object; m: string }[];
  /** Resolves once `n` summaries arrived (polls; fails after timeoutMs). */
  waitForEnds(n: number, timeoutMs?: number): Promise<SipCallSummary[]>;
}

export async function startRecordedProxy(
  o: { address: string; port: number; ringTimeoutMs?: number } & Partial<SipProxyOptions>,
  route: (invite: InviteInfo) => Promise<RouteDecision> | RouteDecision,
): Promise<Recorder> {
  const invites: InviteInfo[] = [];
  const events: SipCallEvent[] = [];
  const ends: SipCallSummary[] = [];
  const warnings: { o: object; m: string }[] = [];
  const debug: { o: object; m: string }[] = [];
  const proxy = await startSipProxy({
    ringTimeoutMs: 10_000,
    ...o,
    route: async (invite) => {
      invites.push(invite);
      return route(invite);
    },
    onCallEvent: (e) => {
      events.push(e);
    },
    onCallEnd: (s) => {
      ends.push(s);
    },
    log: {
      info() {},
      debug: (obj, m) => debug.push({ o: obj, m }),
      warn: (obj, m) => warnings.push({ o: obj, m }),
    },
  });
  onTestFinished(() => proxy.close());
  return {
    proxy,
    invites,
    events,
    ends,
    warnings,
    debug,
    async waitForEnds(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (ends.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} call summaries, got ${ends.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return ends;
    },
  };
}

/**
 * Probes by binding: the first base port ≥ `from` (step 20) such that base…base+19 are free on every ip, and the
 * signalling ones for TCP too. Signalling uses base+0…base+9, SIPp media base+10…base+19 (SIPp also binds media
 * port + 2).
 */
export async function freePortBlock(ips: string[], from: number): Promise<number> {
  for (let base = from; base < from + 4000; base += 20) {
    const probes = ips.flatMap((ip) => [
      ...Array.from({ length: 20 }, (_, i) => isUdpFree(ip, base + i)),
      ...Array.from({ length: 10 }, (_, i) => isTcpFree(ip, base + i)),
    ]);
    if ((await Promise.all(probes)).every(Boolean)) return base;
  }
  throw new Error(`no free UDP port block on ${ips.join(', ')} from ${from}`);
}

function isTcpFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, ip, () => server.close(() => resolve(true)));
  });
}

function isUdpFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, ip, () => s.close(() => resolve(true)));
  });
}

export interface Peers {
  proxy: string;
  caller: string;
  callee: string;
  base: number;
}

/** One call: optional callee SIPp (UAS) behind the proxy, then the caller SIPp (UAC) in front of it. */
export async function placeCall(
  peers: Peers,
  proxyPort: number,
  o: {
    uac: string;
    uas?: string;
    service?: string;
    talkMs?: number;
    calleeHoldMs?: number;
    calls?: number;
    /** Over what each SIPp talks to the proxy (`-t t1`: one TCP connection); UDP by default. */
    callerTransport?: 'udp' | 'tcp';
    calleeTransport?: 'udp' | 'tcp';
  },
): Promise<{ caller: SippResult; callee: SippResult | undefined }> {
  const calleePort = peers.base + 2;
  const transport = (t: 'udp' | 'tcp' | undefined) => (t === 'tcp' ? ['-t', 't1'] : []);
  const callee = o.uas
    ? runSipp({
        scenario: o.uas,
        localIp: peers.callee,
        localPort: calleePort,
        mediaPort: peers.base + 10,
        pauseMs: o.calleeHoldMs ?? 300,
        calls: o.calls ?? 1,
        extra: transport(o.calleeTransport),
      })
    : undefined;
  if (callee) await waitUntilBound(peers.callee, calleePort, 5000, o.calleeTransport ?? 'udp');
  const caller = await runSipp({
    extra: transport(o.callerTransport),
    scenario: o.uac,
    remote: `${peers.proxy}:${proxyPort}`,
    localIp: peers.caller,
    localPort: peers.base + 1,
    mediaPort: peers.base + 14,
    service: o.service ?? '74951234567',
    pauseMs: o.talkMs ?? 300,
    calls: o.calls ?? 1,
  });
  return { caller, callee: await callee };
}

/** Asserts a < b < … in time order (equal allowed: the clock has ms resolution). */
export function inOrder(...ts: (number | undefined)[]): boolean {
  for (let i = 1; i < ts.length; i++) {
    const a = ts[i - 1];
    const b = ts[i];
    if (a === undefined || b === undefined || a > b) return false;
  }
  return true;
}
