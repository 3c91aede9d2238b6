// Google's OAuth 2.0 token endpoint (RFC 6749 §6): a refresh token, with the OAuth client's id and secret, is
// exchanged for an access token that lasts about an hour. Google Ads integrations keep theirs in memory, per
// integration, until a minute before it expires (docs/integrations.md, Google Ads).
import { createHash } from 'node:crypto';
import type { Clock } from '../../clock.js';
import {
  type AttemptResult,
  isPassingStatus,
  jsonOf,
  type OutboundRequest,
  reasonOf,
  type Sender,
  type Verdict,
  verdictOf,
} from './delivery.js';

/** What a person authorised once: the OAuth client (a Google Cloud project's) and the refresh token it was given. */
export interface GoogleCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface AccessToken {
  token: string;
  /** Epoch milliseconds after which Google refuses it. */
  expiresAt: number;
}

/** A token is renewed this long before it expires, so that none runs out between being taken and being used. */
export const TOKEN_MARGIN_MS = 60_000;

/** `POST <token URL>` with the refresh grant, form-encoded as the specification requires. */
export function refreshRequest(tokenUrl: string, credentials: GoogleCredentials): OutboundRequest {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    refresh_token: credentials.refreshToken,
  });
  return {
    url: tokenUrl,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
  };
}

/** What a person must do when Google refuses the grant: its `error` code and the remedy. */
const REMEDIES: Record<string, string> = {
  invalid_grant: 'the refresh token was revoked or has expired: authorise again and set a new refreshToken',
  invalid_client: 'check clientId and clientSecret',
  unauthorized_client: 'the refresh token was issued to another OAuth client: check clientId',
};

/**
 * The token endpoint's answer: an access token (`{access_token, expires_in, token_type: "Bearer"}`), or the attempt's
 * verdict. A refused grant (400/401: `invalid_grant`, `invalid_client`…) will not change by itself: fail, saying
 * what to fix. 429, 5xx, timeouts and network errors are passing: retry. Reasons start with `Google OAuth:`.
 */
export function tokenAnswer(result: AttemptResult, now: number): AccessToken | Verdict {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) {
    const json = jsonOf(result.body) as
      | { access_token?: unknown; expires_in?: unknown; token_type?: unknown }
      | undefined;
    const token = json?.access_token;
    const expiresIn = json?.expires_in;
    if (
      typeof token === 'string' &&
      token !== '' &&
      typeof expiresIn === 'number' &&
      expiresIn > 0 &&
      String(json?.token_type).toLowerCase() === 'bearer'
    )
      return { token, expiresAt: now + expiresIn * 1000 };
    // A proxy's page or a broken answer: Google itself always sends the three.
    return { kind: 'retry', reason: `Google OAuth: no access token in the answer: ${reasonOf(result)}` };
  }
  const verdict = verdictOf(result, 1, (status, body) => {
    const json = jsonOf(body) as { error?: unknown; error_description?: unknown } | undefined;
    if (typeof json?.error !== 'string') return undefined;
    const description = typeof json.error_description === 'string' ? `: ${json.error_description}` : '';
    const remedy = REMEDIES[json.error];
    const reason = `HTTP ${status}: ${json.error}${description}${remedy ? ` (${remedy})` : ''}`;
    return { kind: isPassingStatus(status) ? 'retry' : 'fail', reason: reason.slice(0, 300) };
  });
  // verdictOf delivers any other 2xx; those were read above, so this one is an error or a refusal.
  if (verdict.kind === 'delivered') return { kind: 'retry', reason: 'Google OAuth: unexpected answer' };
  return { kind: verdict.kind, reason: `Google OAuth: ${verdict.reason}` };
}

/**
 * Access tokens per integration, in memory: a token is reused until TOKEN_MARGIN_MS before it expires, then a new
 * one is asked for. Sends that need a token at the same time share one exchange. A token belongs to the credentials
 * it was got with: new ones (a PATCH) get a new token at once.
 */
export class GoogleTokens {
  private readonly tokens = new Map<string, AccessToken & { credentials: string }>();
  private readonly pending = new Map<string, Promise<AccessToken | Verdict>>();

  constructor(private readonly deps: { tokenUrl: string; clock: Clock }) {}

  async accessToken(
    integrationId: string,
    credentials: GoogleCredentials,
    send: Sender,
  ): Promise<AccessToken | Verdict> {
    const fingerprint = fingerprintOf(credentials);
    const cached = this.tokens.get(integrationId);
    if (cached?.credentials === fingerprint && this.deps.clock.now() < cached.expiresAt - TOKEN_MARGIN_MS)
      return { token: cached.token, expiresAt: cached.expiresAt };
    const key = `${integrationId}\n${fingerprint}`;
    const running = this.pending.get(key);
    if (running) return running;
    const exchange = (async () => {
      const result = await send(refreshRequest(this.deps.tokenUrl, credentials));
      const answer = tokenAnswer(result, this.deps.clock.now());
      if ('token' in answer) this.tokens.set(integrationId, { ...answer, credentials: fingerprint });
      else this.tokens.delete(integrationId);
      return answer;
    })();
    this.pending.set(key, exchange);
    try {
      return await exchange;
    } finally {
      this.pending.delete(key);
    }
  }

  /** Drops an integration's token (Google refused it): the next send asks for a new one. */
  forget(integrationId: string): void {
    this.tokens.delete(integrationId);
  }
}

/** Identifies credentials without keeping the secrets themselves as a map key. */
const fingerprintOf = (c: GoogleCredentials): string =>
  createHash('sha256').update(`${c.clientId}\n${c.clientSecret}\n${c.refreshToken}`).digest('base64url');
