// Local stand-ins for the receivers of Ringtrace's outbound integrations, checking what the real ones check (or,
// for a webhook receiver, what a careful one would): the webhook signature computed here independently of the
// server code, GA4's Measurement Protocol limits (which the real collector enforces by silently dropping the hit),
// Metrica's OAuth header, multipart upload and CSV header, amoCRM's Bearer token and unsorted-lead shape (and its
// refusal of a duplicate), Bitrix24's inbound-webhook URL and crm.lead.add fields, Google's OAuth token endpoint
// (the refresh grant, expiring access tokens) and the Google Ads API's uploadClickConversions (its headers, the
// body's shape, the date format, the account's conversion actions and clicks, partial failures, duplicate order ids).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** How the webhook receiver answers one request: a status, or `hang` (never answers). */
export type WebhookReply = number | 'hang';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  raw: string;
  body: { id: string; type: string; [key: string]: unknown };
  /** The `t` of the signature, when it verified. */
  signedAt: number;
  status: number;
}

export interface Ga4Hit {
  measurementId: string;
  apiSecret: string;
  body: Record<string, unknown> & { client_id?: string; events?: { name: string; params: object }[] };
  /** What the real GA4 would have dropped the hit for; empty for a valid one. */
  problems: string[];
}

export interface MetricaUpload {
  counterId: string;
  token: string;
  query: Record<string, string>;
  csv: string;
  header: string[];
  rows: Record<string, string>[];
}

/**
 * How the fake amoCRM answers one request instead of its usual: a status (429, 500…) without touching anything, or
 * `lost`: the lead is made but the answer is a 502, as when a proxy drops it (the sender will try again).
 */
export type AmoReply = number | 'lost';

export interface AmoLead {
  token: string;
  /** The unsorted item as received (one of the body's array). */
  item: {
    source_uid: string;
    source_name: string;
    pipeline_id?: number;
    created_at?: number;
    metadata: Record<string, unknown>;
    _embedded: { leads?: Record<string, unknown>[]; contacts?: Record<string, unknown>[] };
  };
  leadId: number;
}

/** How the fake Bitrix24 answers one request instead of its usual. */
export type BitrixReply = 'limit' | 'expired' | 'scope' | 'lost';

export interface BitrixLead {
  /** `<user id>/<secret>` of the webhook it came through. */
  hook: string;
  userId: string;
  method: string;
  fields: Record<string, unknown>;
  params: Record<string, unknown>;
  id: number;
}

/** How the fake Google answers one request instead of its usual: a status, or `lost` (done, but a 502 answers). */
export type GoogleReply = number | 'lost';

/** A Google Ads account of the fake: who may reach it, its conversion actions and the clicks on its ads. */
export interface GoogleAdsCustomer {
  /** The developer token allowed to call the API for it. */
  developerToken: string;
  /** Conversion action ids of the account. */
  actions: Set<string>;
  /** Clicks on its ads: gclid / wbraid / gbraid → when (epoch ms; conversions must come after). */
  clicks: Map<string, number>;
  /** When the OAuth user reaches it through a manager account: that account's id (the login-customer-id header). */
  manager?: string;
}

export interface GoogleConversion {
  customerId: string;
  version: string;
  accessToken: string;
  loginCustomerId: string | undefined;
  conversion: Record<string, unknown>;
  jobId: number;
}

export interface FakeIntegrations {
  origin: string;
  /** The signing secret per webhook path (`/hooks/<name>`); requests signed otherwise get 400. */
  webhookSecrets: Map<string, string>;
  /** Replies per webhook path, used in turn; when none are left, 200. */
  webhookReplies: Map<string, WebhookReply[]>;
  webhooks: ReceivedWebhook[];
  /** Signed requests that failed verification. */
  rejectedWebhooks: { path: string; reason: string }[];
  /** measurement id → api secret that the fake GA4 property accepts. */
  ga4Streams: Map<string, string>;
  ga4Hits: Ga4Hit[];
  /** counter id → the OAuth token allowed to upload to it. */
  metricaCounters: Map<string, string>;
  metricaUploads: MetricaUpload[];
  metricaRefused: { counterId: string; status: number; reason: string }[];
  /** Long-lived tokens of the fake amoCRM accounts (all at this origin); another token gets 401. */
  amoTokens: Set<string>;
  /** Replies per token, used in turn before the usual answer. */
  amoReplies: Map<string, AmoReply[]>;
  amoLeads: AmoLead[];
  amoRefused: { token: string; status: number; reason: string }[];
  /** Inbound webhooks of the fake Bitrix24 portal: `<user id>/<secret>`; another secret gets 401. */
  bitrixHooks: Set<string>;
  /** Replies per `<user id>/<secret>`, used in turn before the usual answer. */
  bitrixReplies: Map<string, BitrixReply[]>;
  bitrixLeads: BitrixLead[];
  bitrixRefused: { hook: string; status: number; error: string; description: string }[];
  /** The fake Google's time (access tokens expire by it): the tests' manual clock. */
  now: () => number;
  /** OAuth clients: client id → client secret. */
  googleClients: Map<string, string>;
  /** Refresh tokens → the client they were issued to; a deleted one is revoked (invalid_grant). */
  googleRefreshTokens: Map<string, string>;
  /** Replies per refresh token, used in turn before the usual answer. */
  googleTokenReplies: Map<string, GoogleReply[]>;
  /** How long issued access tokens last, in seconds (Google: 3599). */
  googleTokenSeconds: number;
  /** Token requests as received (the form's fields). */
  googleTokenRequests: Record<string, string>[];
  /** Access tokens issued: token → its refresh token and expiry. */
  googleAccessTokens: Map<string, { refreshToken: string; expiresAt: number }>;
  /** Google Ads accounts by customer id. */
  googleAdsCustomers: Map<string, GoogleAdsCustomer>;
  /** Replies per customer id, used in turn before the usual answer. */
  googleAdsReplies: Map<string, GoogleReply[]>;
  googleConversions: GoogleConversion[];
  googleAdsRefused: { customerId: string; status: number; reason: string }[];
  close(): Promise<void>;
}

export async function startFakeIntegrations(): Promise<FakeIntegrations> {
  const fake = {
    webhookSecrets: new Map<string, string>(),
    webhookReplies: new Map<string, WebhookReply[]>(),
    webhooks: [] as ReceivedWebhook[],
    rejectedWebhooks: [] as { path: string; reason: string }[],
    ga4Streams: new Map<string, string>(),
    ga4Hits: [] as Ga4Hit[],
    metricaCounters: new Map<string, string>(),
    metricaUploads: [] as MetricaUpload[],
    metricaRefused: [] as { counterId: string; status: number; reason: string }[],
    amoTokens: new Set<string>(),
    amoReplies: new Map<string, AmoReply[]>(),
    amoLeads: [] as AmoLead[],
    amoRefused: [] as { token: string; status: number; reason: string }[],
    bitrixHooks: new Set<string>(),
    bitrixReplies: new Map<string, BitrixReply[]>(),
    bitrixLeads: [] as BitrixLead[],
    bitrixRefused: [] as { hook: string; status: number; error: string; description: string }[],
    now: () => Date.now(),
    googleClients: new Map<string, string>(),
    googleRefreshTokens: new Map<string, string>(),
    googleTokenReplies: new Map<string, GoogleReply[]>(),
    googleTokenSeconds: 3599,
    googleTokenRequests: [] as Record<string, string>[],
    googleAccessTokens: new Map<string, { refreshToken: string; expiresAt: number }>(),
    googleAdsCustomers: new Map<string, GoogleAdsCustomer>(),
    googleAdsReplies: new Map<string, GoogleReply[]>(),
    googleConversions: [] as GoogleConversion[],
    googleAdsRefused: [] as { customerId: string; status: number; reason: string }[],
  };
  const server: Server = createServer((req, res) => {
    handle(fake, req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

type Fake = Omit<FakeIntegrations, 'origin' | 'close'>;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function handle(fake: Fake, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const raw = await readBody(req);
  const json = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  if (req.method !== 'POST') return json(405, { error: 'only POST' });

  if (url.pathname.startsWith('/hooks/')) return webhook(fake, req, res, url.pathname, raw.toString('utf8'));
  if (url.pathname === '/api/v4/leads/unsorted/sip') return amocrm(fake, req, res, raw.toString('utf8'));
  if (url.pathname.startsWith('/rest/')) return bitrix24(fake, req, res, url.pathname, raw.toString('utf8'));
  if (url.pathname === '/oauth2/token') return googleToken(fake, req, res, raw.toString('utf8'));
  const ads = /^\/(v\d+)\/customers\/([^/:]+):uploadClickConversions$/.exec(url.pathname);
  if (ads) return googleAds(fake, req, res, ads[1] as string, ads[2] as string, raw.toString('utf8'));

  // GA4: POST /mp/collect (2xx, no body, whatever it thinks of the hit) or /debug/mp/collect (the verdict).
  if (url.pathname === '/mp/collect' || url.pathname === '/debug/mp/collect') {
    const measurementId = url.searchParams.get('measurement_id') ?? '';
    const apiSecret = url.searchParams.get('api_secret') ?? '';
    let body: Ga4Hit['body'] = {};
    const problems: string[] = [];
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      problems.push('content-type is not application/json');
    try {
      body = JSON.parse(raw.toString('utf8')) as Ga4Hit['body'];
    } catch {
      problems.push('body is not JSON');
    }
    if (fake.ga4Streams.get(measurementId) !== apiSecret)
      problems.push('unknown measurement_id or api_secret');
    problems.push(...ga4Limits(body, raw.length));
    if (url.pathname === '/debug/mp/collect')
      return json(200, {
        validationMessages: problems.map((description) => ({ description, validationCode: 'VALUE_INVALID' })),
      });
    fake.ga4Hits.push({ measurementId, apiSecret, body, problems });
    res.writeHead(204).end();
    return;
  }

  const metrica = /^\/management\/v1\/counter\/(\d+)\/offline_conversions\/upload_calls$/.exec(url.pathname);
  if (metrica) {
    const counterId = metrica[1] as string;
    const expected = fake.metricaCounters.get(counterId);
    const auth = req.headers.authorization ?? '';
    const refuse = (status: number, reason: string) => {
      fake.metricaRefused.push({ counterId, status, reason });
      return json(status, {
        errors: [{ error_type: status === 401 ? 'invalid_token' : 'invalid_parameter', message: reason }],
        code: status,
        message: reason,
      });
    };
    if (!expected || auth !== `OAuth ${expected}`) return refuse(401, 'Invalid oauth_token');
    // Parse the multipart body as a real server would, with the platform's own parser.
    const form = await new Request(`http://fake${req.url}`, {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body: raw,
    })
      .formData()
      .catch(() => undefined);
    const file = form?.get('file');
    if (!form || !file || typeof file === 'string') return refuse(400, 'multipart part "file" is missing');
    const csv = await file.text();
    const parsed = parseCsv(csv);
    const header = parsed[0] ?? [];
    const problem = metricaHeaderProblem(header);
    if (problem) return refuse(400, problem);
    const rows = parsed
      .slice(1)
      .map(
        (cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])) as Record<string, string>,
      );
    if (rows.length === 0) return refuse(400, 'no rows');
    for (const row of rows)
      if (!/^\d+$/.test(row.DateTime ?? ''))
        return refuse(400, `DateTime must be Unix seconds: ${row.DateTime}`);
    fake.metricaUploads.push({
      counterId,
      token: expected,
      query: Object.fromEntries(url.searchParams),
      csv,
      header,
      rows,
    });
    return json(200, {
      uploading: {
        id: fake.metricaUploads.length,
        create_time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        source_quantity: rows.length,
        line_quantity: rows.length,
        comment: url.searchParams.get('comment') ?? '',
        client_id_type: 'CLIENT_ID',
        status: 'UPLOADED',
        static_calls_quantity: rows.filter((r) => r.StaticCall === '1').length,
        dynamic_calls_quantity: rows.filter((r) => r.StaticCall !== '1').length,
      },
    });
  }
  json(404, { error: 'not found' });
}

/**
 * A receiver that verifies the Standard Webhooks signature before anything, twice: with the specification's own
 * library (npm `standardwebhooks`) and computed here.
 */
function webhook(fake: Fake, req: IncomingMessage, res: ServerResponse, path: string, raw: string) {
  const reject = (reason: string) => {
    fake.rejectedWebhooks.push({ path, reason });
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reason }));
  };
  const secret = fake.webhookSecrets.get(path);
  if (!secret) return reject('no such hook');
  const id = String(req.headers['webhook-id'] ?? '');
  const t = Number(req.headers['webhook-timestamp']);
  const signatures = String(req.headers['webhook-signature'] ?? '').split(' ');
  if (!id || !Number.isInteger(t) || !signatures[0]?.startsWith('v1,'))
    return reject('malformed signature headers');
  // The library's `verify` also checks the timestamp against the real clock, and the tests run on a manual one:
  // its `sign` gives the signature the specification expects for these headers.
  if (!signatures.includes(new Webhook(secret).sign(id, new Date(t * 1000), raw)))
    return reject('standardwebhooks: signature does not match');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${t}.${raw}`).digest();
  const given = Buffer.from(signatures[0].slice(3), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reject('bad signature');
  if (req.headers['content-type'] !== 'application/json') return reject('not JSON');
  const body = JSON.parse(raw) as ReceivedWebhook['body'];
  if (id !== body.id || req.headers['ringtrace-event-type'] !== body.type)
    return reject('event headers do not match the body');
  const reply = fake.webhookReplies.get(path)?.shift() ?? 200;
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
  );
  fake.webhooks.push({ path, headers, raw, body, signedAt: t, status: reply === 'hang' ? 0 : reply });
  if (reply === 'hang') return; // never answered: the sender must time out
  res.writeHead(reply, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: reply < 300 }));
}

// amoCRM API v4 (research notes §6.1): JSON in, HAL JSON out, errors as application/problem+json. What the real
// account checks is partly unpublished (appendix B), so this fake is strict where it can be: every key must be one
// amo documents, the tracking and contact fields must be codes the account has.
const AMO_ITEM_KEYS = new Set([
  'source_name',
  'source_uid',
  'pipeline_id',
  'created_at',
  'request_id',
  'metadata',
  '_embedded',
]);
const AMO_SIP_METADATA = new Set([
  'is_call_event_needed',
  'uniq',
  'duration',
  'service_code',
  'link',
  'phone',
  'called_at',
  'from',
]);
/** A new account's lead field codes (its built-in tracking fields) and contact field codes. */
const AMO_LEAD_CODES = new Set([
  'UTM_SOURCE',
  'UTM_MEDIUM',
  'UTM_CAMPAIGN',
  'UTM_CONTENT',
  'UTM_TERM',
  'UTM_REFERRER',
  'REFERRER',
  'ROISTAT',
  'GCLID',
  'YCLID',
  '_YM_UID',
  'GCLIENTID',
]);
const AMO_CONTACT_CODES = new Set(['PHONE', 'EMAIL', 'POSITION']);
const AMO_PHONE_ENUMS = new Set(['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER']);

function amocrm(fake: Fake, req: IncomingMessage, res: ServerResponse, raw: string) {
  const auth = req.headers.authorization ?? '';
  const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
  const answer = (status: number, body: unknown, type = 'application/problem+json') =>
    res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
  const refuse = (
    status: number,
    reason: string,
    errors?: { code: string; path: string; detail: string }[],
  ) => {
    fake.amoRefused.push({ token, status, reason });
    answer(status, {
      ...(errors && { 'validation-errors': [{ request_id: '0', errors }] }),
      title: status === 401 ? 'Unauthorized' : status === 429 ? 'Too Many Requests' : 'Bad Request',
      type: `https://httpstatus.es/${status}`,
      status,
      detail: reason,
    });
  };
  if (!fake.amoTokens.has(token)) return refuse(401, 'Unauthorized');
  const reply = fake.amoReplies.get(token)?.shift();
  if (typeof reply === 'number') return refuse(reply, `scripted ${reply}`);
  if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
    return refuse(400, 'content-type must be application/json');
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return refuse(400, 'body is not JSON');
  }
  if (!Array.isArray(body) || body.length === 0 || body.length > 250)
    return refuse(400, 'Request validation failed', [
      { code: 'InvalidType', path: '', detail: 'The body must be an array of 1 to 250 items.' },
    ]);
  const errors = body.flatMap((item, i) => amoItemProblems(item, i));
  if (errors.length > 0) return refuse(400, 'Request validation failed', errors);
  const items = body as AmoLead['item'][];
  // Unsorted never holds the same thing twice: a source_uid it has (or twice in one request) is refused.
  const seen = new Set(fake.amoLeads.filter((l) => l.token === token).map((l) => l.item.source_uid));
  const duplicates = items.flatMap((item, i) => {
    const dup = seen.has(item.source_uid);
    seen.add(item.source_uid);
    return dup
      ? [{ code: 'NotUnique', path: `${i}.source_uid`, detail: 'Duplicate: this unsorted already exists.' }]
      : [];
  });
  if (duplicates.length > 0) return refuse(400, 'Request validation failed', duplicates);
  const made = items.map((item) => {
    const lead: AmoLead = { token, item, leadId: 20_000 + fake.amoLeads.length };
    fake.amoLeads.push(lead);
    return lead;
  });
  if (reply === 'lost') return refuse(502, 'the answer was lost on the way');
  answer(
    200,
    {
      _total_items: made.length,
      _embedded: {
        unsorted: made.map((lead, i) => ({
          uid: `unsorted-${lead.leadId}`,
          account_id: 28_000_001,
          request_id: String(i),
          _embedded: { leads: [{ id: lead.leadId }], contacts: [{ id: lead.leadId + 1 }], companies: [] },
        })),
      },
    },
    'application/hal+json',
  );
}

type AmoValidationError = { code: string; path: string; detail: string };

function amoItemProblems(item: unknown, i: number): AmoValidationError[] {
  const problems: AmoValidationError[] = [];
  const bad = (path: string, detail: string, code = 'InvalidType') =>
    problems.push({ code, path: `${i}.${path}`, detail });
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    bad('', 'an item must be an object');
    return problems;
  }
  const o = item as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!AMO_ITEM_KEYS.has(key)) bad(key, 'unknown field', 'Extra');
  for (const key of ['source_name', 'source_uid'])
    if (typeof o[key] !== 'string' || o[key] === '') bad(key, 'This value should not be blank.', 'NotBlank');
  for (const key of ['pipeline_id', 'created_at'])
    if (o[key] !== undefined && !Number.isInteger(o[key])) bad(key, 'must be an integer');
  const m = o.metadata as Record<string, unknown> | undefined;
  if (typeof m !== 'object' || m === null) bad('metadata', 'This value should not be blank.', 'NotBlank');
  else {
    for (const key of Object.keys(m))
      if (!AMO_SIP_METADATA.has(key)) bad(`metadata.${key}`, 'unknown field', 'Extra');
    for (const key of ['uniq', 'service_code'])
      if (typeof m[key] !== 'string' || m[key] === '') bad(`metadata.${key}`, 'must be a string', 'NotBlank');
    for (const key of ['duration', 'called_at'])
      if (!Number.isInteger(m[key]) || (m[key] as number) < 0) bad(`metadata.${key}`, 'must be an integer');
    for (const key of ['phone', 'from'])
      if (!/^\+?\d{5,15}$/.test(String(m[key] ?? ''))) bad(`metadata.${key}`, 'must be a phone number');
    if (m.link !== undefined && !/^https?:\/\//.test(String(m.link))) bad('metadata.link', 'must be a URL');
    if (m.is_call_event_needed !== undefined && typeof m.is_call_event_needed !== 'boolean')
      bad('metadata.is_call_event_needed', 'must be a boolean');
  }
  const embedded = (o._embedded ?? {}) as Record<string, unknown>;
  // The public docs say `leads`, the PHP SDK sends `lead`: both are taken.
  const leads = embedded.leads ?? (embedded.lead ? [embedded.lead] : []);
  if (!Array.isArray(leads)) bad('_embedded.leads', 'must be an array');
  else
    leads.forEach((lead: Record<string, unknown>, j) => {
      if (lead.name !== undefined && typeof lead.name !== 'string')
        bad(`_embedded.leads.${j}.name`, 'a string');
      problems.push(
        ...amoFieldProblems(lead.custom_fields_values, AMO_LEAD_CODES, `${i}._embedded.leads.${j}`),
      );
    });
  const contacts = embedded.contacts ?? [];
  if (!Array.isArray(contacts)) bad('_embedded.contacts', 'must be an array');
  else
    contacts.forEach((contact: Record<string, unknown>, j) => {
      if (typeof contact.name !== 'string') bad(`_embedded.contacts.${j}.name`, 'must be a string');
      const path = `${i}._embedded.contacts.${j}`;
      problems.push(...amoFieldProblems(contact.custom_fields_values, AMO_CONTACT_CODES, path));
    });
  return problems;
}

function amoFieldProblems(fields: unknown, codes: Set<string>, path: string): AmoValidationError[] {
  if (fields === undefined) return [];
  const at = `${path}.custom_fields_values`;
  if (!Array.isArray(fields)) return [{ code: 'InvalidType', path: at, detail: 'must be an array' }];
  return fields.flatMap((field: Record<string, unknown>, k) => {
    const problems: AmoValidationError[] = [];
    if (!codes.has(String(field.field_code)))
      problems.push({ code: 'NotSupportedChoice', path: `${at}.${k}.field_code`, detail: 'no such field' });
    const values = field.values as Record<string, unknown>[] | undefined;
    if (!Array.isArray(values) || values.length === 0)
      problems.push({ code: 'NotBlank', path: `${at}.${k}.values`, detail: 'must not be empty' });
    else
      values.forEach((v, n) => {
        if (typeof v.value !== 'string' || v.value === '')
          problems.push({ code: 'InvalidType', path: `${at}.${k}.values.${n}.value`, detail: 'a string' });
        if (field.field_code === 'PHONE' && !AMO_PHONE_ENUMS.has(String(v.enum_code)))
          problems.push({
            code: 'NotSupportedChoice',
            path: `${at}.${k}.values.${n}.enum_code`,
            detail: 'no such type',
          });
      });
    return problems;
  });
}

// Bitrix24 REST over an inbound webhook (research notes §6.2): /rest/<user id>/<secret>/<method>[.json], JSON body,
// `{result, time}` or `{error, error_description}`. The real crm.lead.add ignores fields it does not know; this fake
// refuses them, so that a misspelt field cannot pass unnoticed.
const BITRIX_LEAD_FIELDS = new Set([
  'TITLE',
  'NAME',
  'LAST_NAME',
  'SECOND_NAME',
  'STATUS_ID',
  'SOURCE_ID',
  'SOURCE_DESCRIPTION',
  'ASSIGNED_BY_ID',
  'OPENED',
  'CURRENCY_ID',
  'OPPORTUNITY',
  'PHONE',
  'EMAIL',
  'COMMENTS',
  'ORIGINATOR_ID',
  'ORIGIN_ID',
  'UTM_SOURCE',
  'UTM_MEDIUM',
  'UTM_CAMPAIGN',
  'UTM_CONTENT',
  'UTM_TERM',
]);
const BITRIX_PHONE_TYPES = new Set(['WORK', 'MOBILE', 'FAX', 'HOME', 'PAGER', 'MAILING', 'OTHER']);

function bitrix24(fake: Fake, req: IncomingMessage, res: ServerResponse, path: string, raw: string) {
  const match = /^\/rest\/(\d+)\/([^/]+)\/([A-Za-z0-9_.]+?)(?:\.json)?$/.exec(path);
  const hook = match ? `${match[1]}/${match[2]}` : path;
  const answer = (status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const refuse = (status: number, error: string, description: string) => {
    fake.bitrixRefused.push({ hook, status, error, description });
    answer(status, { error, error_description: description });
  };
  if (!match || !fake.bitrixHooks.has(hook))
    return refuse(401, 'invalid_token', 'The access token provided is invalid.');
  const method = match[3] as string;
  // The telephony.externalCall.* methods need an application's context; a webhook is refused.
  if (method.startsWith('telephony.externalCall.'))
    return refuse(401, 'WRONG_AUTH_TYPE', 'Current authorization type is denied for this method');
  if (method !== 'crm.lead.add') return refuse(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
  const reply = fake.bitrixReplies.get(hook)?.shift();
  if (reply === 'limit') return refuse(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
  if (reply === 'expired') return refuse(401, 'expired_token', 'The access token provided has expired.');
  if (reply === 'scope') return refuse(403, 'insufficient_scope', 'The request requires higher privileges.');
  if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
    return refuse(400, 'ERROR_CORE', 'expected a JSON body');
  let body: { fields?: Record<string, unknown>; params?: Record<string, unknown> };
  try {
    body = JSON.parse(raw) as typeof body;
  } catch {
    return refuse(400, 'ERROR_CORE', 'body is not JSON');
  }
  const fields = body.fields;
  if (typeof fields !== 'object' || fields === null) return refuse(400, 'ERROR_CORE', 'fields are required');
  const unknown = Object.keys(fields).filter((k) => !BITRIX_LEAD_FIELDS.has(k) && !k.startsWith('UF_CRM_'));
  if (unknown.length > 0) return refuse(400, 'ERROR_CORE', `unknown fields: ${unknown.join(', ')}`);
  if (typeof fields.TITLE !== 'string' || fields.TITLE.trim() === '')
    return refuse(400, 'ERROR_CORE', 'Field "TITLE" is required.');
  const phones = fields.PHONE;
  if (
    phones !== undefined &&
    (!Array.isArray(phones) ||
      !phones.every(
        (p: Record<string, unknown>) =>
          typeof p.VALUE === 'string' && p.VALUE !== '' && BITRIX_PHONE_TYPES.has(String(p.VALUE_TYPE)),
      ))
  )
    return refuse(400, 'ERROR_CORE', 'Field "PHONE" must be a list of {VALUE, VALUE_TYPE}.');
  for (const key of Object.keys(fields).filter((k) => k !== 'PHONE' && k !== 'ASSIGNED_BY_ID'))
    if (typeof fields[key] !== 'string') return refuse(400, 'ERROR_CORE', `Field "${key}" must be a string.`);
  if (fields.ASSIGNED_BY_ID !== undefined && !Number.isInteger(fields.ASSIGNED_BY_ID))
    return refuse(400, 'ERROR_CORE', 'Field "ASSIGNED_BY_ID" must be a user id.');
  const lead: BitrixLead = {
    hook,
    userId: match[1] as string,
    method,
    fields,
    params: body.params ?? {},
    id: 300 + fake.bitrixLeads.length,
  };
  fake.bitrixLeads.push(lead);
  if (reply === 'lost') return refuse(502, 'BAD_GATEWAY', 'the answer was lost on the way');
  const now = Date.now() / 1000;
  answer(200, {
    result: lead.id,
    time: {
      start: now,
      finish: now + 0.02,
      duration: 0.02,
      processing: 0.01,
      date_start: new Date().toISOString(),
      date_finish: new Date().toISOString(),
      operating_reset_at: Math.floor(now) + 600,
      operating: 0,
    },
  });
}

// Google's OAuth 2.0 token endpoint (RFC 6749 §6): the refresh grant, form-encoded, with the client's id and secret.
function googleToken(fake: Fake, req: IncomingMessage, res: ServerResponse, raw: string) {
  const answer = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };
  const refuse = (status: number, error: string, description: string): void =>
    answer(status, { error, error_description: description });
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
    return refuse(400, 'invalid_request', 'Invalid Content-Type');
  const form = Object.fromEntries(new URLSearchParams(raw));
  fake.googleTokenRequests.push(form);
  if (form.grant_type !== 'refresh_token') return refuse(400, 'unsupported_grant_type', 'Invalid grant_type');
  const clientId = form.client_id ?? '';
  if (!fake.googleClients.has(clientId) || fake.googleClients.get(clientId) !== form.client_secret)
    return refuse(401, 'invalid_client', 'Unauthorized');
  const refreshToken = form.refresh_token ?? '';
  const reply = fake.googleTokenReplies.get(refreshToken)?.shift();
  if (typeof reply === 'number') return refuse(reply, 'internal_failure', `scripted ${reply}`);
  if (fake.googleRefreshTokens.get(refreshToken) !== clientId)
    return refuse(400, 'invalid_grant', 'Token has been expired or revoked.');
  const token = `ya29.${randomBytes(24).toString('base64url')}`;
  fake.googleAccessTokens.set(token, {
    refreshToken,
    expiresAt: fake.now() + fake.googleTokenSeconds * 1000,
  });
  if (reply === 'lost') return refuse(502, 'bad_gateway', 'the answer was lost on the way');
  answer(200, {
    access_token: token,
    expires_in: fake.googleTokenSeconds,
    scope: 'https://www.googleapis.com/auth/adwords',
    token_type: 'Bearer',
  });
}

// The Google Ads API's REST form of ConversionUploadService.UploadClickConversions (research notes §7). Requests
// outside the conversions (auth, headers, the body) are refused whole with Google's error envelope; problems of a
// conversion come back as a partial failure in a 200, as partialFailure: true asks.
const CLICK_CONVERSION_KEYS = new Set([
  'gclid',
  'gbraid',
  'wbraid',
  'conversionAction',
  'conversionDateTime',
  'conversionValue',
  'currencyCode',
  'orderId',
  'externalAttributionData',
  'customVariables',
  'cartData',
  'userIdentifiers',
  'conversionEnvironment',
  'consent',
  'customerType',
  'userIpAddress',
  'sessionAttributesEncoded',
  'sessionAttributesKeyValuePairs',
]);
const REQUEST_KEYS = new Set(['conversions', 'partialFailure', 'validateOnly', 'debugEnabled', 'jobId']);
const GOOGLE_DATE_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d$/;
const GOOGLE_ACTION = /^customers\/(\d+)\/conversionActions\/(\d+)$/;

function googleAds(
  fake: Fake,
  req: IncomingMessage,
  res: ServerResponse,
  version: string,
  customerId: string,
  raw: string,
) {
  const answer = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
  };
  const failure = (errors: { errorCode: Record<string, string>; message: string; index?: number }[]) => ({
    '@type': `type.googleapis.com/google.ads.googleads.${version}.errors.GoogleAdsFailure`,
    errors: errors.map(({ index, ...e }) => ({
      ...e,
      ...(index !== undefined && { location: { fieldPathElements: [{ fieldName: 'conversions', index }] } }),
    })),
    requestId: randomBytes(8).toString('hex'),
  });
  const refuse = (status: number, rpc: string, errorCode: Record<string, string>, message: string) => {
    fake.googleAdsRefused.push({ customerId, status, reason: `${Object.values(errorCode)[0]}: ${message}` });
    answer(status, {
      error: {
        code: status,
        message:
          status === 401
            ? 'Request is missing required authentication credential.'
            : 'Request contains an invalid argument.',
        status: rpc,
        details: [failure([{ errorCode, message }])],
      },
    });
  };
  const auth = req.headers.authorization ?? '';
  const issued = auth.startsWith('Bearer ') ? fake.googleAccessTokens.get(auth.slice(7)) : undefined;
  if (!issued || issued.expiresAt <= fake.now())
    return refuse(
      401,
      'UNAUTHENTICATED',
      { authenticationError: 'OAUTH_TOKEN_INVALID' },
      'Oauth token is invalid.',
    );
  const developerToken = req.headers['developer-token'];
  if (typeof developerToken !== 'string' || developerToken === '')
    return refuse(
      400,
      'INVALID_ARGUMENT',
      { authenticationError: 'DEVELOPER_TOKEN_PARAMETER_MISSING' },
      'Developer token header is missing.',
    );
  const login = req.headers['login-customer-id'];
  if (login !== undefined && !/^\d{10}$/.test(String(login)))
    return refuse(
      400,
      'INVALID_ARGUMENT',
      { headerError: 'INVALID_LOGIN_CUSTOMER_ID' },
      'The login customer id header is not a valid customer id.',
    );
  if (!/^\d{10}$/.test(customerId))
    return refuse(400, 'INVALID_ARGUMENT', { requestError: 'INVALID_CUSTOMER_ID' }, 'Invalid customer ID.');
  const customer = fake.googleAdsCustomers.get(customerId);
  if (customer && customer.developerToken !== developerToken)
    return refuse(
      401,
      'UNAUTHENTICATED',
      { authenticationError: 'DEVELOPER_TOKEN_INVALID' },
      'The developer token is not valid.',
    );
  if (!customer || customer.manager !== login)
    return refuse(
      403,
      'PERMISSION_DENIED',
      { authorizationError: 'USER_PERMISSION_DENIED' },
      "User doesn't have permission to access customer. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header.",
    );
  const reply = fake.googleAdsReplies.get(customerId)?.shift();
  if (typeof reply === 'number')
    return refuse(
      reply,
      reply === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE',
      reply === 429 ? { quotaError: 'RESOURCE_TEMPORARILY_EXHAUSTED' } : { internalError: 'TRANSIENT_ERROR' },
      reply === 429 ? 'Too many requests. Retry in 30 seconds.' : 'The service is currently unavailable.',
    );
  if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
    return refuse(400, 'INVALID_ARGUMENT', { requestError: 'BAD_RESOURCE_ID' }, 'Expected a JSON body.');
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return refuse(
      400,
      'INVALID_ARGUMENT',
      { requestError: 'INVALID_INPUT' },
      'Invalid JSON payload received.',
    );
  }
  const unknownKey = Object.keys(body).find((k) => !REQUEST_KEYS.has(k));
  if (unknownKey)
    return refuse(
      400,
      'INVALID_ARGUMENT',
      { requestError: 'UNKNOWN_FIELD' },
      `Invalid JSON payload received. Unknown name "${unknownKey}": Cannot find field.`,
    );
  if (body.partialFailure !== true)
    return refuse(
      400,
      'INVALID_ARGUMENT',
      { fieldError: 'REQUIRED' },
      'partial_failure must be set to true for conversion uploads.',
    );
  const conversions = body.conversions;
  if (!Array.isArray(conversions) || conversions.length === 0)
    return refuse(400, 'INVALID_ARGUMENT', { fieldError: 'REQUIRED' }, 'The conversions field is required.');
  if (conversions.length > 2000)
    return refuse(
      400,
      'INVALID_ARGUMENT',
      { conversionUploadError: 'TOO_MANY_CONVERSIONS_IN_REQUEST' },
      'Upload fewer than 2001 events in a single request.',
    );
  for (const [i, c] of conversions.entries()) {
    const key = Object.keys(c ?? {}).find((k) => !CLICK_CONVERSION_KEYS.has(k));
    if (typeof c !== 'object' || c === null || key)
      return refuse(
        400,
        'INVALID_ARGUMENT',
        { requestError: 'UNKNOWN_FIELD' },
        `Invalid JSON payload received. Unknown name "${key}" at 'conversions[${i}]': Cannot find field.`,
      );
  }

  // Each conversion on its own: a problem goes to the partial failure, the rest are recorded.
  const errors: { errorCode: Record<string, string>; message: string; index: number }[] = [];
  const results: Record<string, unknown>[] = [];
  const jobId = 1000 + fake.googleConversions.length;
  const orders = new Set(
    fake.googleConversions
      .filter((g) => g.customerId === customerId)
      .map((g) => String(g.conversion.orderId)),
  );
  const inRequest = new Set<string>();
  for (const [index, c] of (conversions as Record<string, unknown>[]).entries()) {
    const problem = googleConversionProblem(customer, c);
    const orderId = typeof c.orderId === 'string' ? c.orderId : undefined;
    let error: [string, string] | undefined = problem;
    if (!error && orderId !== undefined && inRequest.has(orderId))
      error = ['DUPLICATE_ORDER_ID', 'Imported events include multiple conversions with the same order ID.'];
    else if (!error && orderId !== undefined && orders.has(orderId))
      error = [
        'ORDER_ID_ALREADY_IN_USE',
        'The imported event includes an order ID that was previously recorded, so the event was not processed.',
      ];
    if (orderId !== undefined) inRequest.add(orderId);
    if (error) {
      errors.push({ errorCode: { conversionUploadError: error[0] }, message: error[1], index });
      results.push({});
      continue;
    }
    fake.googleConversions.push({
      customerId,
      version,
      accessToken: auth.slice(7),
      loginCustomerId: login as string | undefined,
      conversion: c,
      jobId,
    });
    const click = (['gclid', 'gbraid', 'wbraid'] as const).find((k) => typeof c[k] === 'string') as string;
    results.push({
      [click]: c[click],
      conversionAction: c.conversionAction,
      conversionDateTime: c.conversionDateTime,
    });
  }
  if (reply === 'lost') {
    fake.googleAdsRefused.push({ customerId, status: 502, reason: 'the answer was lost on the way' });
    return answer(502, { error: { code: 502, message: 'Bad Gateway', status: 'UNAVAILABLE' } });
  }
  answer(200, {
    ...(errors.length > 0 && {
      partialFailureError: {
        code: 3,
        message: errors.map((e) => `${e.message}, at conversions[${e.index}]`).join(', '),
        details: [failure(errors)],
      },
    }),
    results,
    jobId: String(jobId),
  });
}

/** What Google Ads finds wrong with one click conversion, as its error code and message; undefined if nothing. */
function googleConversionProblem(
  customer: GoogleAdsCustomer,
  c: Record<string, unknown>,
): [string, string] | undefined {
  const ids = (['gclid', 'gbraid', 'wbraid'] as const).filter((k) => c[k] !== undefined);
  if (ids.includes('gbraid') && ids.includes('wbraid'))
    return ['GBRAID_WBRAID_BOTH_SET', "Can't use both gbraid and wbraid parameters."];
  if (ids.length !== 1) return ['EVENT_NOT_FOUND', 'The imported event could not be attributed to a click.'];
  const id = ids[0] as 'gclid' | 'gbraid' | 'wbraid';
  const click = c[id];
  // Real click ids are long base64url-like strings; anything else cannot be decoded.
  if (typeof click !== 'string' || !/^[A-Za-z0-9_-]{20,}$/.test(click))
    return [`UNPARSEABLE_${id.toUpperCase()}`, `The imported ${id} could not be decoded.`];
  const action = GOOGLE_ACTION.exec(String(c.conversionAction ?? ''));
  // Google ignores the customer id of the resource name: the action id must be one of the account's.
  if (!action || !customer.actions.has(action[2] as string))
    return [
      'NO_CONVERSION_ACTION_FOUND',
      "The conversion action specified in the upload request cannot be found. Make sure it's available in this account.",
    ];
  const when = String(c.conversionDateTime ?? '');
  if (!GOOGLE_DATE_TIME.test(when))
    return [
      'INVALID_CONVERSION_DATE_TIME',
      `conversion_date_time must be yyyy-mm-dd hh:mm:ss+|-hh:mm: ${when}`,
    ];
  const clickedAt = customer.clicks.get(click);
  if (clickedAt === undefined)
    return ['EVENT_NOT_FOUND', 'The imported event could not be attributed to a click.'];
  if (Date.parse(when.replace(' ', 'T')) <= clickedAt)
    return [
      'CONVERSION_PRECEDES_EVENT',
      'The imported event has a conversion_date_time that precedes the click.',
    ];
  if (c.conversionValue !== undefined && (typeof c.conversionValue !== 'number' || c.conversionValue < 0))
    return ['INVALID_CONVERSION_VALUE', 'conversion_value must be a number of at least 0.'];
  if (c.currencyCode !== undefined && !/^[A-Z]{3}$/.test(String(c.currencyCode)))
    return ['INVALID_CURRENCY_CODE', 'currency_code must be an ISO 4217 code.'];
  if (c.orderId !== undefined && (typeof c.orderId !== 'string' || c.orderId === ''))
    return ['INVALID_ORDER_ID', 'order_id must be a non-empty string.'];
  return undefined;
}

// GA4's documented limits, written here independently of the server's validator.
function ga4Limits(body: Ga4Hit['body'], bytes: number): string[] {
  const problems: string[] = [];
  const name = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
  const reserved = /^(_|firebase_|ga_|google_|gtag\.)/;
  if (typeof body.client_id !== 'string' || body.client_id === '') problems.push('client_id is required');
  if (bytes > 130_000) problems.push('body too large');
  const events = Array.isArray(body.events) ? body.events : [];
  if (events.length === 0 || events.length > 25) problems.push('1 to 25 events');
  for (const event of events) {
    if (!name.test(event.name) || reserved.test(event.name)) problems.push(`bad event name ${event.name}`);
    if (
      ['session_start', 'first_visit', 'user_engagement'].includes(event.name) ||
      /^(app|ad)_/.test(event.name)
    )
      problems.push(`reserved event name ${event.name}`);
    const params = Object.entries(event.params ?? {});
    if (params.length > 25) problems.push('more than 25 params');
    for (const [key, value] of params) {
      if (!name.test(key) || reserved.test(key)) problems.push(`bad param name ${key}`);
      if (typeof value === 'string' && value.length > 100) problems.push(`param ${key} longer than 100`);
      if (typeof value !== 'string' && typeof value !== 'number')
        problems.push(`param ${key} is not a scalar`);
    }
  }
  if (body.timestamp_micros !== undefined && typeof body.timestamp_micros !== 'number')
    problems.push('timestamp_micros must be a number');
  return problems;
}

const METRICA_ID_COLUMNS = ['ClientId', 'UserId', 'Yclid'];
const METRICA_COLUMNS = new Set([
  ...METRICA_ID_COLUMNS,
  'DateTime',
  'StaticCall',
  'Price',
  'Currency',
  'PhoneNumber',
  'TalkDuration',
  'HoldDuration',
  'CallMissed',
  'Tag',
  'FirstTimeCaller',
  'URL',
  'CallTrackerURL',
]);

function metricaHeaderProblem(header: string[]): string | undefined {
  const ids = header.filter((h) => METRICA_ID_COLUMNS.includes(h));
  if (ids.length !== 1)
    return `exactly one id column (ClientId, UserId or Yclid) is needed, got ${ids.length}`;
  if (!header.includes('DateTime')) return 'DateTime column is missing';
  const unknown = header.filter((h) => !METRICA_COLUMNS.has(h));
  if (unknown.length > 0) return `unknown columns: ${unknown.join(', ')}`;
  if (new Set(header).size !== header.length) return 'duplicate columns';
  return undefined;
}

/** RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
