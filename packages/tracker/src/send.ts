// The two requests of docs/tracker-protocol.md.
import type { SwapRule } from './format.js';

/** Sent as `sv`; bump when the payload or what it means changes. 2: SPA navigations are page views. */
export const VERSION = 2;

/** The heartbeat period when the answer gives none (or a wrong one), seconds. */
export const DEFAULT_HEARTBEAT_SECONDS = 30;

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
 * so a request started just before the page unloads still arrives. Never throws: any failure, even a
 * page's fetch wrapper that throws (this function is async), rejects the promise, which the caller must
 * catch.
 */
export const post = async (url: string, body: object): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    credentials: 'omit',
    keepalive: true,
  });
