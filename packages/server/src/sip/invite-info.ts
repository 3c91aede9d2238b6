import { decodeDisplayName, getParam, type NameAddr, parseNameAddr, uriUser } from './header-values.js';
import { getHeader, getHeaders, type SipRequest, splitList } from './message.js';
import type { Endpoint } from './transport.js';
import type { InviteInfo } from './types.js';

/** What the call service gets to see of a new INVITE: text decoded from UTF-8, nothing wire-specific. */
export function inviteInfo(req: SipRequest, from: Endpoint, receivedAt: number): InviteInfo {
  const caller = callerIdentity(req);
  const displayName = decodeDisplayName(caller?.rawDisplayName);
  return {
    sipCallId: utf8(getHeader(req, 'call-id') ?? ''),
    from: utf8(uriUser(caller?.uri) ?? ''),
    ...(displayName === undefined ? {} : { fromDisplayName: displayName }),
    to: utf8(uriUser(req.uri) ?? ''),
    calledCandidates: calledCandidates(req).map(utf8),
    requestUri: utf8(req.uri),
    receivedAt,
    sourceAddress: from.host,
  };
}

/**
 * Who is calling: the identity the caller's network asserts (RFC 3325 P-Asserted-Identity, else the older
 * Remote-Party-ID with party=calling), else the From header. Trunks put the real number there when From is
 * anonymous or the trunk's own. A forged assertion is no worse than a forged From: both only reach us from where
 * INVITEs are accepted (the allowed sources).
 */
function callerIdentity(req: SipRequest): NameAddr | undefined {
  const asserted = getHeaders(req, 'p-asserted-identity').flatMap(splitList).map(parseNameAddr);
  const rpid = getHeaders(req, 'remote-party-id')
    .flatMap(splitList)
    .map(parseNameAddr)
    .filter((n) => (getParam(n?.params ?? [], 'party') ?? 'calling').toLowerCase() === 'calling');
  const named = [...asserted, ...rpid].find((n) => namesSomebody(uriUser(n?.uri)));
  return named ?? parseNameAddr(getHeader(req, 'from') ?? '');
}

/** The To user, then the Diversion users from the bottom (the first diversion, of the number first dialled) up. */
function calledCandidates(req: SipRequest): string[] {
  const toUser = uriUser(parseNameAddr(getHeader(req, 'to') ?? '')?.uri);
  const diverted = getHeaders(req, 'diversion')
    .flatMap(splitList)
    .map((v) => uriUser(parseNameAddr(v)?.uri))
    .reverse();
  return [...new Set([toUser, ...diverted])].filter((u): u is string => namesSomebody(u));
}

/** A user part that names somebody: not empty, not `anonymous` (RFC 3323's placeholder). */
const namesSomebody = (user: string | undefined) =>
  user !== undefined && user !== '' && !/^anonymous$/i.test(user);

/** Header text is held as latin1 (one char per byte); domain strings are UTF-8. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}
