import { decodeDisplayName, parseNameAddr, uriUser } from './header-values.js';
import { getHeader, type SipRequest } from './message.js';
import type { Endpoint } from './transport.js';
import type { InviteInfo } from './types.js';

/** What the call service gets to see of a new INVITE: text decoded from UTF-8, nothing wire-specific. */
export function inviteInfo(req: SipRequest, from: Endpoint, receivedAt: number): InviteInfo {
  const fromValue = parseNameAddr(getHeader(req, 'from') ?? '');
  const displayName = decodeDisplayName(fromValue?.rawDisplayName);
  return {
    sipCallId: utf8(getHeader(req, 'call-id') ?? ''),
    from: utf8(uriUser(fromValue?.uri) ?? ''),
    ...(displayName === undefined ? {} : { fromDisplayName: displayName }),
    to: utf8(uriUser(req.uri) ?? ''),
    requestUri: utf8(req.uri),
    receivedAt,
    sourceAddress: from.host,
  };
}

/** Header text is held as latin1 (one char per byte); domain strings are UTF-8. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}
