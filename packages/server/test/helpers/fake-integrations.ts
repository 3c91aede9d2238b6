// Local stand-ins for the receivers of Ringtrace's outbound integrations, checking what the real ones check (or,
// for a webhook receiver, what a careful one would): the webhook signature computed here independently of the
// server code, GA4's Measurement Protocol limits (which the real collector enforces by silently dropping the hit),
// Metrica's OAuth header, multipart upload and CSV header.
import { createHmac, timingSafeEqual } from 'node:crypto';
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
