import { createHmac } from 'node:crypto';
import { sameSecret } from '../../secret.js';

/**
 * Links that play a call's recording without an API key, for places that cannot send one: a CRM's call player (amoCRM
 * plays the `link` of a call), a lead's comment, a webhook receiver. A link is `PUBLIC_URL/recordings/<call id>?t=`
 * with a token signing the call id with SECRET_KEY: whoever holds it may listen to that one call's recording (as with
 * a shared file link), and nothing else. The provider's own URL of a Twilio, Zadarma or Mango Office recording plays
 * only with the account's credentials, so integrations are given this link instead.
 */
export class RecordingLinks {
  readonly #key: Buffer;

  constructor(
    private readonly publicUrl: string,
    secret: string,
  ) {
    this.#key = Buffer.from(`recording-link:${secret}`, 'utf8');
  }

  linkOf(callId: string): string {
    return `${this.publicUrl}/recordings/${encodeURIComponent(callId)}?t=${this.#token(callId)}`;
  }

  verify(callId: string, token: string): boolean {
    return sameSecret(this.#token(callId), token);
  }

  #token(callId: string): string {
    return createHmac('sha256', this.#key).update(callId).digest('base64url').slice(0, 27);
  }
}
