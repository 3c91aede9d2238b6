import type { AttemptResult, OutboundRequest } from './delivery.js';

const MAX_BODY_CHARS = 2_000;

/** Makes one request with Node's fetch, giving up after `timeoutMs`; never throws. */
export async function sendRequest(request: OutboundRequest, timeoutMs: number): Promise<AttemptResult> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    return { kind: 'response', status: response.status, body: body.slice(0, MAX_BODY_CHARS) };
  } catch (error) {
    const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      return { kind: 'error', reason: `timed out after ${timeoutMs / 1000} s` };
    const cause = e.cause?.code ?? e.cause?.message;
    return { kind: 'error', reason: `network error: ${cause ?? e.message ?? String(error)}` };
  }
}
