// The two requests of docs/tracker-protocol.md.
import type { SwapRule } from './format.js';

/** Answer of `POST /t/visit`. Every field is checked before use: it comes over the network. */
export interface VisitAnswer {
  vid?: string;
  visit?: string;
  lease?: string;
  hb?: number;
  swap?: SwapRule[];
}

/**
 * POSTs `body` as JSON. A string body is sent as `text/plain;charset=UTF-8`, a CORS-safelisted type, so
 * the browser sends no preflight; no credentials, so `Access-Control-Allow-Origin: *` suffices; keepalive,
 * so a request started just before the page unloads still arrives. Never rejects: any failure → undefined.
 */
export function post(url: string, body: object): Promise<Response | undefined> {
  try {
    return fetch(url, {
      method: 'POST',
      body: JSON.stringify(body),
      credentials: 'omit',
      keepalive: true,
    }).catch(() => undefined);
  } catch {
    return Promise.resolve(undefined);
  }
}
