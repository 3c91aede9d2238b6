import type { SipCallStatus } from './types.js';

/**
 * Maps a final non-2xx status (from the callee or from a reject decision) to the CDR disposition.
 * Q.850 equivalents (RFC 3398): 486→17 user busy, 600/603→17/21 busy/rejected, 408/480→18/19 no answer.
 */
export function classifyFinal(status: number): { status: SipCallStatus; cause: string } {
  switch (status) {
    case 486:
      return { status: 'busy', cause: 'busy-here' };
    case 600:
      return { status: 'busy', cause: 'busy-everywhere' };
    case 603:
      return { status: 'busy', cause: 'declined' };
    case 408:
    case 480:
      return { status: 'no-answer', cause: String(status) };
    default:
      return { status: 'failed', cause: String(status) };
  }
}
