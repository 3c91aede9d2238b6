/** A request ready to make, with the kind's own reader of its answer. */
export interface ReadyRequest {
  kind: 'send';
  request: OutboundRequest;
  read?: AnswerReader;
}

/**
 * What a sender builds for one event: a request to make, an event to skip, or one that must not be sent; or, for a
 * kind whose request needs an asynchronous step first (Google Ads: an OAuth access token), that step. It makes its
 * own requests through `send` (the dispatcher's timeout and address guard) and ends in the request, or in the
 * attempt's verdict when there is none to make (a refused refresh token: fail; the token endpoint down: retry).
 */
export type Delivery =
  | ReadyRequest
  | { kind: 'skip'; note: string }
  | { kind: 'invalid'; reason: string }
  | { kind: 'prepare'; prepare: (send: Sender) => Promise<ReadyRequest | Verdict> };

/** Makes one request with the dispatcher's timeout and address guard (http-send.ts); never throws. */
export type Sender = (request: OutboundRequest) => Promise<AttemptResult>;

export interface OutboundRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string | FormData;
}

/** How one attempt ended, as far as the outbox cares. */
export type AttemptResult =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'error'; reason: string };

export type Verdict =
  | { kind: 'delivered'; note?: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'fail'; reason: string };

/**
 * A kind's own reading of an answer, for receivers whose status codes do not tell it all (a CRM that refuses a
 * duplicate we sent before, a rate limit inside a JSON envelope, the id of what was created); undefined leaves the
 * answer to the status-code rules below.
 */
export type AnswerReader = (status: number, body: string) => Verdict | undefined;

/** An answer's body parsed as JSON, or undefined when it is not JSON (for AnswerReaders). */
export function jsonOf(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Attempts before an event is given up: with the backoff below, about a day and a half of trying. */
export const MAX_ATTEMPTS = 20;
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 3 * 3_600_000;

/**
 * 2xx is delivered. A network error, a timeout, 408, 429 and 5xx are the receiver's passing trouble: try again
 * later. Any other answer (400, 401, 404…) will not change by itself: stop, and let a person retry by the API.
 */
export function verdictOf(result: AttemptResult, attempts: number, read?: AnswerReader): Verdict {
  const own = result.kind === 'response' ? read?.(result.status, result.body) : undefined;
  if (own) return capped(own, attempts);
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { kind: 'delivered' };
  const reason = reasonOf(result);
  if (result.kind === 'response' && !isPassingStatus(result.status)) return { kind: 'fail', reason };
  return capped({ kind: 'retry', reason }, attempts);
}

/** 408, 429 and 5xx: the receiver's passing trouble, worth trying again later. */
export const isPassingStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** A verdict at the given attempt: a retry after the last attempt gives up instead. */
export function capped(verdict: Verdict, attempts: number): Verdict {
  if (verdict.kind === 'retry' && attempts >= MAX_ATTEMPTS)
    return { kind: 'fail', reason: `gave up after ${attempts} attempts: ${verdict.reason}` };
  return verdict;
}

/** A short, single-line reason: the status and the start of the answer, or the network error. */
export function reasonOf(result: AttemptResult): string {
  if (result.kind === 'error') return result.reason.slice(0, 200);
  const body = result.body.replace(/\s+/g, ' ').trim().slice(0, 160);
  return body ? `HTTP ${result.status}: ${body}` : `HTTP ${result.status}`;
}

/**
 * The wait before attempt `attempts + 1`: 30 s doubling with each attempt, capped at 3 h, less up to 20% at random
 * so that events that failed together do not all come back together. 20 attempts span 27–34 hours.
 */
export function backoffMs(attempts: number, random: () => number): number {
  const base = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 - 0.2 * random()));
}
