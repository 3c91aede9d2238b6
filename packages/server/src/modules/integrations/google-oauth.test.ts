import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import type { AttemptResult, OutboundRequest } from './delivery.js';
import { GoogleTokens, refreshRequest, TOKEN_MARGIN_MS, tokenAnswer } from './google-oauth.js';

const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const credentials = {
  clientId: '1234-abc.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-secret&=+',
  refreshToken: '1//0g-refresh',
};
const response = (status: number, body: unknown): AttemptResult => ({
  kind: 'response',
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const granted = (token: string, expiresIn = 3599) =>
  response(200, { access_token: token, expires_in: expiresIn, token_type: 'Bearer', scope: 'x' });

describe('Google OAuth refresh', () => {
  it('asks with the refresh grant, form-encoded', () => {
    const request = refreshRequest(TOKEN_URL, credentials);
    expect(request).toMatchObject({
      url: TOKEN_URL,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(Object.fromEntries(new URLSearchParams(request.body as string))).toEqual({
      grant_type: 'refresh_token',
      client_id: credentials.clientId,
      client_secret: 'GOCSPX-secret&=+',
      refresh_token: '1//0g-refresh',
    });
  });

  it('reads a token and when it expires; fails a refused grant and retries passing trouble', () => {
    expect(tokenAnswer(granted('ya29.a'), 1_000)).toEqual({ token: 'ya29.a', expiresAt: 1_000 + 3_599_000 });
    expect(
      tokenAnswer(
        response(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }),
        0,
      ),
    ).toEqual({
      kind: 'fail',
      reason:
        'Google OAuth: HTTP 400: invalid_grant: Token has been expired or revoked. (the refresh token was revoked or has expired: authorise again and set a new refreshToken)',
    });
    expect(
      tokenAnswer(response(401, { error: 'invalid_client', error_description: 'Unauthorized' }), 0),
    ).toEqual({
      kind: 'fail',
      reason: 'Google OAuth: HTTP 401: invalid_client: Unauthorized (check clientId and clientSecret)',
    });
    expect(tokenAnswer(response(401, ''), 0)).toEqual({ kind: 'fail', reason: 'Google OAuth: HTTP 401' });
    expect(tokenAnswer(response(503, '<html>busy</html>'), 0)).toEqual({
      kind: 'retry',
      reason: 'Google OAuth: HTTP 503: <html>busy</html>',
    });
    expect(tokenAnswer(response(429, { error: 'rate_limit_exceeded' }), 0)).toMatchObject({ kind: 'retry' });
    expect(tokenAnswer({ kind: 'error', reason: 'timed out after 10 s' }, 0)).toEqual({
      kind: 'retry',
      reason: 'Google OAuth: timed out after 10 s',
    });
    // A 200 without a usable token (a proxy's page): passing, tried again.
    for (const body of [
      '<html>portal</html>',
      { access_token: 'x', token_type: 'Bearer' },
      { expires_in: 3599 },
    ])
      expect(tokenAnswer(response(200, body), 0)).toMatchObject({ kind: 'retry' });
  });
});

describe('Google access tokens per integration', () => {
  /** A token endpoint that answers with the given results in turn, recording what it was asked. */
  function endpoint(...answers: (AttemptResult | Promise<AttemptResult>)[]) {
    const asked: OutboundRequest[] = [];
    const send = async (request: OutboundRequest) => {
      asked.push(request);
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      return next;
    };
    return { asked, send };
  }

  it('keeps a token until a minute before it expires, then asks for a new one', async () => {
    const clock = new ManualClock();
    const tokens = new GoogleTokens({ tokenUrl: TOKEN_URL, clock });
    const { asked, send } = endpoint(granted('ya29.first', 3600), granted('ya29.second', 3600));
    expect(await tokens.accessToken('i1', credentials, send)).toMatchObject({ token: 'ya29.first' });
    clock.advance(3_600_000 - TOKEN_MARGIN_MS - 1);
    expect(await tokens.accessToken('i1', credentials, send)).toMatchObject({ token: 'ya29.first' });
    expect(asked).toHaveLength(1);
    clock.advance(1);
    expect(await tokens.accessToken('i1', credentials, send)).toMatchObject({ token: 'ya29.second' });
    expect(asked).toHaveLength(2);
    expect(asked[1]?.url).toBe(TOKEN_URL);
  });

  it('shares one exchange among sends that need a token together; integrations and credentials have their own', async () => {
    const clock = new ManualClock();
    const tokens = new GoogleTokens({ tokenUrl: TOKEN_URL, clock });
    let answer: (result: AttemptResult) => void = () => {};
    const slow = new Promise<AttemptResult>((resolve) => {
      answer = resolve;
    });
    const { asked, send } = endpoint(slow, granted('ya29.other'), granted('ya29.patched'));
    const together = [1, 2, 3].map(() => tokens.accessToken('i1', credentials, send));
    answer(granted('ya29.shared'));
    expect((await Promise.all(together)).map((t) => 'token' in t && t.token)).toEqual([
      'ya29.shared',
      'ya29.shared',
      'ya29.shared',
    ]);
    expect(await tokens.accessToken('i2', credentials, send)).toMatchObject({ token: 'ya29.other' });
    // A new refresh token (the integration was PATCHed) does not use the old one's token.
    const patched = { ...credentials, refreshToken: '1//0g-new' };
    expect(await tokens.accessToken('i1', patched, send)).toMatchObject({ token: 'ya29.patched' });
    expect(asked).toHaveLength(3);
  });

  it('keeps no token after a refusal, and asks again after forget()', async () => {
    const clock = new ManualClock();
    const tokens = new GoogleTokens({ tokenUrl: TOKEN_URL, clock });
    const { asked, send } = endpoint(
      response(400, { error: 'invalid_grant' }),
      granted('ya29.a'),
      granted('ya29.b'),
    );
    expect(await tokens.accessToken('i1', credentials, send)).toMatchObject({ kind: 'fail' });
    expect(await tokens.accessToken('i1', credentials, send)).toMatchObject({ token: 'ya29.a' });
    tokens.forget('i1');
    expect(await tokens.accessToken('i1', credentials, send)).toMatchObject({ token: 'ya29.b' });
    expect(asked).toHaveLength(3);
  });
});
