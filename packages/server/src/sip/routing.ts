import { parseNameAddr, parseUri } from './header-values.js';
import { getHeader, getHeaders, type SipRequest, setHeader, shiftHeader } from './message.js';
import type { Endpoint } from './transport.js';

/**
 * Where a SIP URI points: its host and port, over the transport its `;transport=` parameter names (§19.1.1), over
 * TLS for a `sips:` URI (port 5061 unless it says), else over UDP.
 */
export function uriEndpoint(uri: string): Endpoint | undefined {
  const u = parseUri(uri);
  if (!u || u.scheme === 'tel' || !u.host) return undefined;
  const port = u.port ?? (u.scheme === 'sips' ? 5061 : 5060);
  const named = /;transport=(tcp|tls)(?:;|$|\?|>)/i.exec(uri.split('@').pop() ?? '')?.[1]?.toLowerCase();
  const transport = u.scheme === 'sips' ? 'tls' : named;
  return transport === 'tcp' || transport === 'tls'
    ? { host: u.host, port, transport }
    : { host: u.host, port };
}

/** Loose routing (§16.12): the first Route if any, else the Request-URI. */
export function nextHop(req: SipRequest): Endpoint | undefined {
  const route = getHeaders(req, 'route')[0];
  if (route !== undefined) {
    const na = parseNameAddr(route);
    return na ? uriEndpoint(na.uri) : undefined;
  }
  return uriEndpoint(req.uri);
}

/** §16.4: remove Route entries that point at us. Returns how many were removed. */
export function stripOwnRoutes(req: SipRequest, self: { isOurUri(uri: string): boolean }): number {
  let n = 0;
  for (;;) {
    const top = getHeaders(req, 'route')[0];
    const uri = top === undefined ? undefined : parseNameAddr(top)?.uri;
    if (uri === undefined || !self.isOurUri(uri)) return n;
    shiftHeader(req, 'route');
    n++;
  }
}

/** §16.3 step 3: a request with Max-Forwards 0 goes no further (an absent header counts as 70). */
export function maxForwardsSpent(req: SipRequest): boolean {
  const mf = Number(getHeader(req, 'max-forwards') ?? '70');
  return Number.isInteger(mf) && mf <= 0;
}

/** §16.6 step 3: the copy we forward has one hop less (an unreadable value becomes 69). */
export function decrementMaxForwards(fwd: SipRequest): void {
  const mf = Number(getHeader(fwd, 'max-forwards') ?? '70');
  setHeader(fwd, 'max-forwards', String(Number.isInteger(mf) ? mf - 1 : 69));
}
