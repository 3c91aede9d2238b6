// The dashboard's client of the JSON API. Signed-in users authenticate by the httpOnly session cookie (and
// send the CSRF header on writes); an operator may instead paste an API key, kept for this tab only.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export type Credentials = { kind: 'cookie' } | { kind: 'key'; key: string };

const KEY_STORAGE = 'rt_api_key';

export function storedCredentials(): Credentials {
  try {
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) return { kind: 'key', key };
  } catch {
    // storage may be unavailable (privacy mode): fall back to the cookie
  }
  return { kind: 'cookie' };
}

export function storeCredentials(credentials: Credentials): void {
  try {
    if (credentials.kind === 'key') sessionStorage.setItem(KEY_STORAGE, credentials.key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // nothing to keep
  }
}

export interface Api {
  get<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Whether a plain link is authenticated too (the session cookie goes with it; an API key does not). */
  readonly linksAuthenticate: boolean;
  /** A file (a CSV export) fetched with this client's credentials. */
  file(url: string): Promise<Blob>;
}

/** A path with its query string, leaving out empty values. */
export function withQuery(
  path: string,
  query: Record<string, string | number | boolean | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function createApi(credentials: Credentials, fetchImpl: typeof fetch = fetch): Api {
  async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credentials.kind === 'key') headers.authorization = `Bearer ${credentials.key}`;
    else if (method !== 'GET') headers['x-ringtrace-csrf'] = '1';
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetchImpl(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const error = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
        ?.error;
      throw new ApiError(
        res.status,
        error?.code ?? 'http_error',
        error?.message ?? `HTTP ${res.status}`,
        error?.details,
      );
    }
    return data as T;
  }
  return {
    get(path, query) {
      return request('GET', withQuery(path, query ?? {}));
    },
    send(method, path, body) {
      return request(method, path, body);
    },
    linksAuthenticate: credentials.kind === 'cookie',
    async file(url) {
      const headers: Record<string, string> =
        credentials.kind === 'key' ? { authorization: `Bearer ${credentials.key}` } : {};
      const res = await fetchImpl(url, { headers, credentials: 'same-origin' });
      if (!res.ok) throw new ApiError(res.status, 'http_error', `HTTP ${res.status}`);
      return res.blob();
    },
  };
}

export async function login(email: string, password: string, fetchImpl: typeof fetch = fetch): Promise<Me> {
  const api = createApi({ kind: 'cookie' }, fetchImpl);
  const { user } = await api.send<{ user: Me }>('POST', '/api/v1/auth/login', { email, password });
  return user;
}

// Shapes of the API's answers that the dashboard reads (see /api/docs).
export interface Me {
  kind: 'user' | 'api_key' | 'system';
  id: string;
  role: 'admin' | 'analyst';
  allProjects: boolean;
  projectIds: string[];
  email: string | null;
  name: string | null;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'analyst';
  allProjects: boolean;
  projectIds: string[];
  createdAt: number;
}

export interface Project {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  country: string;
  publicKey: string;
  siteNumbers: string[];
  defaultDestinationId: string | null;
  createdAt: number;
}

export interface TrackingNumber {
  id: string;
  number: string;
  label: string;
  provider: string;
  status: 'active' | 'inactive';
  monthlyCost: number;
  costCurrency: string;
  destinationId: string | null;
  poolId: string | null;
}

export interface Pool {
  id: string;
  name: string;
  priority: number;
  match: { all?: PoolRule[]; any?: PoolRule[] };
  holdSeconds: number;
  exhaustionPolicy: 'reuse_oldest' | 'fallback';
  fallbackNumberId: string | null;
  destinationId: string | null;
  numberIds: string[];
  exhaustedCount: number;
  lastExhaustedAt: number | null;
}

export type NumberState = 'free' | 'leased' | 'held';

/** GET /tracker/drops: page views the tracker filtered out, per UTC day and reason. */
export interface TrackerDrops {
  from: string;
  to: string;
  days: { day: string; bot: number; rate_limited: number; invalid_url: number }[];
  total: { bot: number; rate_limited: number; invalid_url: number };
}

/** GET /pools/usage: what every pool number is doing now, computed from the leases. */
export interface PoolsUsage {
  at: number;
  pageOpenSeconds: number;
  peakWindowHours: number;
  pools: {
    poolId: string;
    size: number;
    leased: number;
    held: number;
    free: number;
    peakBusy: number;
    peakAt: number | null;
    exhaustedCount: number;
    lastExhaustedAt: number | null;
  }[];
  numbers: {
    numberId: string;
    poolId: string;
    state: NumberState;
    liveLeases: number;
    lastSeenAt: number | null;
    expiresAt: number | null;
    shared: boolean;
  }[];
}

/** GET /pools/sizing: the pool calculator's answer (docs/pool-sizing.md). */
export interface PoolSizing {
  accuracy: number;
  numbersNeeded: number;
  levels: { accuracy: number; numbersNeeded: number }[];
  busiestHourShare: number;
  peakHourVisitors: number;
  busySecondsPerVisitor: number;
  expectedBusy: number;
  ruleOfTwenty: number;
  currentSize: number | null;
  exhaustionProbability: number | null;
}

/** GET /pools/:id/sizing: the calculator fed with the pool's own visits, beside what the pool went through. */
export interface ObservedPoolSizing {
  poolId: string;
  basis: 'observed' | 'too_little_data';
  accuracy: number;
  timeZone: string;
  observed: {
    from: number;
    to: number;
    days: number;
    visits: number;
    dailyVisitors: number;
    busiestHour: number | null;
    busiestHourShare: number | null;
    meanVisitSeconds: number | null;
    size: number;
    holdSeconds: number;
    exhaustedCount: number;
    lastExhaustedAt: number | null;
    peakBusy: number;
    peakAt: number | null;
    peakWindowHours: number;
  };
  ruleOfTwenty: number;
  recommendation: PoolSizing | null;
}

export interface PoolRule {
  field: string;
  op: string;
  value?: string;
}

export interface StaticChannel {
  id: string;
  name: string;
  kind: 'online' | 'offline';
  source: string;
  medium: string;
  offlineMedium: string | null;
  numberId: string;
}

export interface Destination {
  id: string;
  name: string;
  kind: 'phone' | 'sip';
  target: string;
}

export type CallStatus =
  | 'ringing'
  | 'in-progress'
  | 'answered'
  | 'no-answer'
  | 'busy'
  | 'failed'
  | 'canceled';
export const CALL_STATUSES: CallStatus[] = [
  'ringing',
  'in-progress',
  'answered',
  'no-answer',
  'busy',
  'failed',
  'canceled',
];

export interface Call {
  id: string;
  caller: string;
  trackingNumber: string;
  destination: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  status: CallStatus;
  recordingUrl: string | null;
  visitId: string | null;
  poolId: string | null;
  staticChannelId: string | null;
  channel: string | null;
  source: string | null;
  medium: string | null;
  confidence: number | null;
  attribution: {
    rule: string;
    confidence: number;
    explanation: string;
    candidates: { visitId: string; weight: number; shared: boolean }[];
  } | null;
  firstTimeCaller: boolean;
  isTarget: boolean;
}

/** The visit row behind a call, as the API returns it (snake_case columns). */
export type Visit = Record<string, string | number | null>;
