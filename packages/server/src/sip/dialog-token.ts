import { createHmac, randomBytes } from 'node:crypto';
import { sameSecret } from '../secret.js';

/**
 * Our Record-Route carries a token that names the dialog it was inserted for (its Call-ID and the caller's tag),
 * signed with a key that outlives the process. After a restart, when the dialog's state is gone, a request that
 * follows such a route is still ours to relay (a BYE, so that the other end hangs up); a route with no valid token
 * is not, or anyone could send requests through us to anywhere by naming us in a Route.
 */
export class DialogTokens {
  readonly #key: Buffer;

  /** `secret`: the installation's key; without one, tokens are valid for this process only. */
  constructor(secret?: string) {
    this.#key = secret === undefined ? randomBytes(32) : Buffer.from(`sip-dialog:${secret}`, 'utf8');
  }

  sign(callId: string, callerTag: string): string {
    return createHmac('sha256', this.#key).update(`${callId}\n${callerTag}`).digest('base64url').slice(0, 22);
  }

  /** Whether the token was made for this Call-ID and one of these tags (the caller's is From or To, by direction). */
  verify(token: string, callId: string, tags: readonly (string | undefined)[]): boolean {
    return tags.some((tag) => tag !== undefined && sameSecret(this.sign(callId, tag), token));
  }
}
