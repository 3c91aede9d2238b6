import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { VERSION } from '../../version.js';
import { PrivateAddressError, privateAddressIn, publicOnlyLookup } from './address-guard.js';
import type { AttemptResult, OutboundRequest } from './delivery.js';

/** What is kept of an answer's body for the delivery log; the rest is read and dropped. */
const MAX_BODY_BYTES = 8_192;
const MAX_BODY_CHARS = 2_000;

export interface SendOptions {
  timeoutMs: number;
  /** Whether private, loopback and link-local addresses may be called (address-guard.ts). */
  allowPrivateNetworks: boolean;
}

/**
 * Makes one request, giving up after `timeoutMs` in all (connection, sending and the whole answer); never throws.
 * node:http rather than fetch: its `lookup` hook checks the address actually connected to, and redirects are
 * never followed (a redirect is an answer like any other).
 */
export async function sendRequest(request: OutboundRequest, options: SendOptions): Promise<AttemptResult> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { kind: 'error', reason: 'invalid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { kind: 'error', reason: `unsupported URL scheme ${url.protocol}` };
  // An address typed as the host connects without a lookup: checked here.
  const typed = options.allowPrivateNetworks ? undefined : privateAddressIn(request.url);
  if (typed)
    return { kind: 'error', reason: `network error: ${new PrivateAddressError(typed, typed).message}` };
  const { body, headers } = await encode(request);
  return new Promise<AttemptResult>((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const requestOptions: RequestOptions = {
      method: request.method,
      headers: { 'user-agent': `Ringtrace/${VERSION}`, ...headers, 'content-length': String(body.length) },
      ...(!options.allowPrivateNetworks && { lookup: publicOnlyLookup as RequestOptions['lookup'] }),
    };
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const outgoing = send(url, requestOptions, (response) =>
      readAnswer(response).then(
        (text) => finish({ kind: 'response', status: response.statusCode ?? 0, body: text }),
        (error: Error) => finish(networkError(error)),
      ),
    );
    timer = setTimeout(() => {
      finish({ kind: 'error', reason: `timed out after ${options.timeoutMs / 1000} s` });
      outgoing.destroy();
    }, options.timeoutMs);
    outgoing.on('error', (error) => finish(networkError(error)));
    outgoing.end(body);
  });
}

/** The body as bytes, with the content type a multipart form gets (its boundary). */
async function encode(request: OutboundRequest): Promise<{ body: Buffer; headers: Record<string, string> }> {
  if (typeof request.body === 'string') return { body: Buffer.from(request.body), headers: request.headers };
  const form = new Response(request.body);
  return {
    body: Buffer.from(await form.arrayBuffer()),
    headers: { ...request.headers, 'content-type': form.headers.get('content-type') as string },
  };
}

async function readAnswer(response: IncomingMessage): Promise<string> {
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (size < MAX_BODY_BYTES) kept.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(kept).subarray(0, MAX_BODY_BYTES).toString('utf8').slice(0, MAX_BODY_CHARS);
}

function networkError(error: Error): AttemptResult {
  const e = error as NodeJS.ErrnoException;
  if (e instanceof PrivateAddressError) return { kind: 'error', reason: `network error: ${e.message}` };
  return { kind: 'error', reason: `network error: ${e.code ?? e.message}` };
}
