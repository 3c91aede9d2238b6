// The SIP driver's public face: start a record-routing proxy that asks `route()` where each call goes
// and reports every call's outcome through `onCallEnd`. No SIP wire types leak out of this folder.
import { isIP } from 'node:net';
import { ProxyCore } from './proxy-core.js';
import { silentLog } from './sip-log.js';
import { openSipTransport } from './transport.js';
import type { SipProxy, SipProxyOptions } from './types.js';

export type {
  InviteInfo,
  RouteDecision,
  SipCallEvent,
  SipCallStatus,
  SipCallSummary,
  SipLogger,
  SipProxy,
  SipProxyOptions,
} from './types.js';

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

export async function startSipProxy(o: SipProxyOptions): Promise<SipProxy> {
  const advertised = o.publicAddress ?? o.address;
  if (WILDCARDS.has(advertised) || !isIP(advertised)) {
    // Via and Record-Route must carry an address the peers can reach us at.
    throw new Error('sip proxy needs a concrete IP address (set publicAddress when binding a wildcard)');
  }
  const log = o.log ?? silentLog;
  const core = new ProxyCore({ ...o, log });
  const transport = await openSipTransport({
    address: o.address,
    port: o.port,
    ...(o.tls && { tls: o.tls }),
    log,
    onMessage: (data, from) => core.onMessage(data, from),
  });
  core.attach(transport, advertised);
  log.info(
    { address: transport.address, port: transport.port, tlsPort: transport.tlsPort },
    'sip proxy listening',
  );
  let closing: Promise<void> | undefined;
  return {
    address: transport.address,
    port: transport.port,
    ...(transport.tlsPort !== undefined && { tlsPort: transport.tlsPort }),
    activeCalls: () => core.activeCalls(),
    close() {
      closing ??= core.shutdown().finally(() => transport.close());
      return closing;
    },
  };
}
