import { createHash, createHmac } from 'node:crypto';
import { mangoSign } from './mango.js';

/**
 * Fetching a call's recording from its provider, one function per protocol. No HTTP framework here: each answers
 * the audio as a web stream, a redirect (a plain URL the browser may open itself) or why it is unavailable.
 */
export type RecordingAnswer =
  | { kind: 'audio'; status: 200 | 206; headers: Record<string, string>; body: ReadableStream<Uint8Array> }
  | { kind: 'redirect'; url: string }
  | { kind: 'unavailable'; message: string };

export interface FetchOptions {
  /** The provider's API origin (config `providerApis`), e.g. `https://api.zadarma.com`. */
  api: string;
  /** How long the provider may take to start answering (the audio itself may stream for longer). */
  timeoutMs: number;
  /** A `Range` header to pass on to the file request (browsers seek in audio with it). */
  range?: string;
  fetch?: typeof fetch;
}

const unavailable = (message: string): RecordingAnswer => ({ kind: 'unavailable', message });

/** The headers of the audio answer that are passed back to the client. */
const PASSED_HEADERS = ['content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified'];

/** One request chain under a deadline that ends when the file's headers arrive; the body then streams freely. */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  constructor(readonly ms: number) {
    this.timer = setTimeout(() => this.controller.abort(), ms);
    this.timer.unref();
  }
  get signal() {
    return this.controller.signal;
  }
  met() {
    clearTimeout(this.timer);
  }
  expired() {
    return this.controller.signal.aborted;
  }
}

async function request(
  provider: string,
  url: string,
  init: RequestInit,
  opts: FetchOptions,
  deadline: Deadline,
): Promise<Response | RecordingAnswer> {
  try {
    return await (opts.fetch ?? fetch)(url, { ...init, signal: deadline.signal });
  } catch (error) {
    deadline.met();
    if (deadline.expired()) return unavailable(`${provider} did not answer within ${deadline.ms / 1000} s`);
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return unavailable(`${provider} could not be reached (${cause})`);
  }
}

/** The file request: its audio streamed back, or the provider's refusal with its HTTP status. */
async function audio(
  provider: string,
  url: string,
  headers: Record<string, string>,
  opts: FetchOptions,
  deadline: Deadline,
): Promise<RecordingAnswer> {
  const res = await request(
    provider,
    url,
    { headers: { ...headers, ...(opts.range && { range: opts.range }) } },
    opts,
    deadline,
  );
  deadline.met();
  if (!(res instanceof Response)) return res;
  if ((res.status !== 200 && res.status !== 206) || !res.body) {
    await res.body?.cancel();
    return unavailable(`${provider} answered ${res.status} for the recording file`);
  }
  return streamed(res, res.body);
}

function streamed(res: Response, body: ReadableStream<Uint8Array>): RecordingAnswer {
  const headers: Record<string, string> = { 'content-type': res.headers.get('content-type') || 'audio/mpeg' };
  for (const name of PASSED_HEADERS) {
    const value = res.headers.get(name);
    if (value) headers[name] = value;
  }
  return { kind: 'audio', status: res.status === 206 ? 206 : 200, headers, body };
}

// --- Twilio ----------------------------------------------------------------------------------------------

/**
 * Twilio: `GET <RecordingUrl>.mp3` with HTTP Basic `AccountSid:AuthToken` (needed when the account enforces
 * media authentication, harmless otherwise). Twilio answers with a redirect to the file, which fetch follows
 * (dropping the Authorization header on the way to another host). Credentials go only to the configured Twilio
 * API origin. The Account SID is the `accountSid` credential, else the one in the recording's own URL
 * (`/2010-04-01/Accounts/AC…/Recordings/RE…`).
 */
export async function twilioRecording(
  recordingUrl: string,
  credentials: Record<string, string>,
  opts: FetchOptions,
): Promise<RecordingAnswer> {
  let url: URL;
  try {
    url = new URL(recordingUrl);
  } catch {
    return unavailable('the stored Twilio recording URL is not a URL');
  }
  if (url.origin !== new URL(opts.api).origin)
    return unavailable('the recording URL is not on the Twilio API');
  const accountSid =
    credentials.accountSid ?? /\/Accounts\/(AC[0-9a-fA-F]{32})\//.exec(url.pathname)?.[1] ?? undefined;
  if (!accountSid || !credentials.authToken)
    return unavailable('the Twilio account SID or auth token is missing');
  if (!/\.(mp3|wav)$/i.test(url.pathname)) url.pathname += '.mp3';
  const basic = Buffer.from(`${accountSid}:${credentials.authToken}`, 'utf8').toString('base64');
  return audio(
    'Twilio',
    url.toString(),
    { authorization: `Basic ${basic}` },
    opts,
    new Deadline(opts.timeoutMs),
  );
}

// --- Zadarma ---------------------------------------------------------------------------------------------

/** PHP's `urlencode` (RFC 1738: space as `+`, everything but letters, digits and `-_.` percent-encoded). */
const phpUrlencode = (s: string) =>
  encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/** PHP's `http_build_query` after `ksort`: the parameters sorted by name, as Zadarma signs them. */
export function zadarmaParamsString(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${phpUrlencode(k)}=${phpUrlencode(params[k] ?? '')}`)
    .join('&');
}

/**
 * The `Authorization` header of a Zadarma API call (zadarma/user-api-v1 lib/Client.php `_getAuthHeader`):
 * `<key>:base64(hash_hmac('sha1', method + params + md5(params), secret))`, where params is the sorted query
 * string and hash_hmac's result is its hex text (so the base64 is of 40 hex characters).
 */
export function zadarmaAuthorization(
  method: string,
  paramsString: string,
  key: string,
  secret: string,
): string {
  const md5 = createHash('md5').update(paramsString, 'utf8').digest('hex');
  const hex = createHmac('sha1', secret)
    .update(method + paramsString + md5, 'utf8')
    .digest('hex');
  return `${key}:${Buffer.from(hex, 'utf8').toString('base64')}`;
}

export const ZADARMA_RECORD_METHOD = '/v1/pbx/record/request/';

/**
 * Zadarma: `GET /v1/pbx/record/request/?call_id=…&format=json` (signed; `format` is added by the SDK too),
 * answering `{"status":"success","link":"…","lifetime_till":"…"}`; then the temporary link, without credentials.
 * `ref` is the stored recordingUrl (zadarma.ts `zadarmaRecordingRef`), which carries the call_id.
 */
export async function zadarmaRecording(
  ref: string,
  credentials: Record<string, string>,
  opts: FetchOptions,
): Promise<RecordingAnswer> {
  const callId = safeUrl(ref)?.searchParams.get('call_id');
  if (!callId) return unavailable('the stored Zadarma recording reference has no call_id');
  if (!credentials.apiKey || !credentials.apiSecret)
    return unavailable('the Zadarma API key or secret is missing');
  const params = zadarmaParamsString({ call_id: callId, format: 'json' });
  const authorization = zadarmaAuthorization(
    ZADARMA_RECORD_METHOD,
    params,
    credentials.apiKey,
    credentials.apiSecret,
  );
  const deadline = new Deadline(opts.timeoutMs);
  const res = await request(
    'Zadarma',
    `${opts.api}${ZADARMA_RECORD_METHOD}?${params}`,
    { headers: { authorization, accept: 'application/json' } },
    opts,
    deadline,
  );
  if (!(res instanceof Response)) return res;
  let answer: { status?: unknown; link?: unknown; message?: unknown } | undefined;
  try {
    answer = (await res.json()) as typeof answer;
  } catch {
    answer = undefined;
  }
  if (!res.ok || answer?.status !== 'success' || typeof answer.link !== 'string') {
    deadline.met();
    const said = typeof answer?.message === 'string' ? `: ${answer.message.slice(0, 200)}` : '';
    return unavailable(`Zadarma answered ${res.status}${said}`);
  }
  return audio('Zadarma', answer.link, {}, opts, deadline);
}

// --- Mango Office ----------------------------------------------------------------------------------------

/**
 * Mango Office: `POST <api>/queries/recording/post`, a form of `vpbx_api_key`, `sign` and
 * `json = {"recording_id":"…","action":"download"}`, `sign = sha256_hex(key + json + salt)` as for every VPBX
 * API call. Mango answers with a redirect to a temporary link to the file (or the file itself); an error comes
 * back as JSON with a `result` code. `ref` is the stored recordingUrl (mango.ts `mangoRecordingRef`).
 */
export async function mangoRecording(
  ref: string,
  credentials: Record<string, string>,
  opts: FetchOptions,
): Promise<RecordingAnswer> {
  const recordingId = safeUrl(ref)?.searchParams.get('recording_id');
  if (!recordingId) return unavailable('the stored Mango recording reference has no recording_id');
  if (!credentials.apiKey || !credentials.apiSalt) return unavailable('the Mango API key or salt is missing');
  const json = JSON.stringify({ recording_id: recordingId, action: 'download' });
  const form = new URLSearchParams({
    vpbx_api_key: credentials.apiKey,
    sign: mangoSign(credentials.apiKey, json, credentials.apiSalt),
    json,
  });
  const deadline = new Deadline(opts.timeoutMs);
  const res = await request(
    'Mango Office',
    `${opts.api}/queries/recording/post`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(opts.range && { range: opts.range }),
      },
      body: form.toString(),
      redirect: 'manual',
    },
    opts,
    deadline,
  );
  if (!(res instanceof Response)) return res;
  const location = res.headers.get('location');
  if (res.status >= 300 && res.status < 400 && location) {
    await res.body?.cancel();
    return audio('Mango Office', new URL(location, `${opts.api}/`).toString(), {}, opts, deadline);
  }
  const type = res.headers.get('content-type') ?? '';
  if ((res.status === 200 || res.status === 206) && res.body && !/json|text\//i.test(type)) {
    deadline.met();
    return streamed(res, res.body);
  }
  const text = await res.text().catch(() => '');
  deadline.met();
  const result = /"result"\s*:\s*"?(\d+)/.exec(text)?.[1];
  return unavailable(`Mango Office answered ${res.status}${result ? ` (result ${result})` : ''}`);
}

// --- Any other PBX ---------------------------------------------------------------------------------------

/** A plain http(s) URL the PBX sent (the generic webhook's `recordingUrl`): the browser is sent there. */
export function plainRecording(recordingUrl: string): RecordingAnswer {
  const url = safeUrl(recordingUrl);
  return url && (url.protocol === 'https:' || url.protocol === 'http:')
    ? { kind: 'redirect', url: url.toString() }
    : unavailable('the stored recording URL is not an http(s) URL');
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
