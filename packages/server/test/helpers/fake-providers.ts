// Local stand-ins for the providers' recording APIs, checking what the real ones check: Twilio's HTTP Basic
// AccountSid:AuthToken, Zadarma's signed Authorization header, Mango's form signature. Each hands out one file.
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const AUDIO = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));

export interface FakeProviders {
  origin: string;
  /** What the fakes accept; tests change them to play a provider that no longer accepts the credentials. */
  twilio: { accountSid: string; authToken: string };
  zadarma: { key: string; secret: string };
  mango: { key: string; salt: string };
  /** Every request received, as `METHOD path`. */
  seen: string[];
  /** When set, the fakes cut the connection instead of answering. */
  hangUp: boolean;
  close(): Promise<void>;
}

/** Zadarma's signature computed independently of the server code: base64 of hex HMAC-SHA1 (PHP hash_hmac). */
export function zadarmaSignatureOf(method: string, query: string, secret: string): string {
  const md5 = createHash('md5').update(query).digest('hex');
  return Buffer.from(
    createHmac('sha1', secret)
      .update(method + query + md5)
      .digest('hex'),
  ).toString('base64');
}

export async function startFakeProviders(initial: {
  twilio: FakeProviders['twilio'];
  zadarma: FakeProviders['zadarma'];
  mango: FakeProviders['mango'];
}): Promise<FakeProviders> {
  const fake = { ...initial, seen: [] as string[], hangUp: false };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    fake.seen.push(`${req.method} ${url.pathname}`);
    if (fake.hangUp) {
      req.socket.destroy();
      return;
    }
    handle(fake, req, res, url).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    origin,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

async function handle(
  fake: Omit<FakeProviders, 'origin' | 'close'>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const json = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  // Twilio: GET /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.mp3, Basic auth, then a redirect to the file.
  const twilio = /^\/2010-04-01\/Accounts\/(AC\w{32})\/Recordings\/(RE\w{32})\.mp3$/.exec(url.pathname);
  if (twilio && req.method === 'GET') {
    const expected = `Basic ${Buffer.from(`${fake.twilio.accountSid}:${fake.twilio.authToken}`).toString('base64')}`;
    if (twilio[1] !== fake.twilio.accountSid || req.headers.authorization !== expected)
      return json(401, { code: 20003, message: 'Authenticate', status: 401 });
    res.writeHead(302, { location: '/files/twilio.mp3' }).end();
    return;
  }

  // Zadarma: GET /v1/pbx/record/request/?call_id=…&format=json, Authorization: key:signature over the query.
  if (url.pathname === '/v1/pbx/record/request/' && req.method === 'GET') {
    const query = (req.url ?? '').split('?')[1] ?? '';
    const sorted = [...url.searchParams.keys()].sort();
    const inOrder = [...url.searchParams.keys()].join() === sorted.join();
    const expected = `${fake.zadarma.key}:${zadarmaSignatureOf(url.pathname, query, fake.zadarma.secret)}`;
    if (!inOrder || req.headers.authorization !== expected)
      return json(401, { status: 'error', message: 'Not authorized' });
    if (url.searchParams.get('call_id') === 'missing')
      return json(200, { status: 'error', message: 'Record not found' });
    return json(200, {
      status: 'success',
      link: `http://${req.headers.host}/files/zadarma.mp3`,
      lifetime_till: '2026-12-01 12:00:00',
    });
  }

  // Mango: POST /vpbx/queries/recording/post, form vpbx_api_key, sign = sha256(key + json + salt), json.
  if (url.pathname === '/vpbx/queries/recording/post' && req.method === 'POST') {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const form = new URLSearchParams(raw);
    const key = form.get('vpbx_api_key') ?? '';
    const body = form.get('json') ?? '';
    const sign = createHash('sha256')
      .update(key + body + fake.mango.salt)
      .digest('hex');
    if (key !== fake.mango.key || form.get('sign') !== sign) return json(401, { result: 3102 });
    const { recording_id: id, action } = JSON.parse(body) as { recording_id?: string; action?: string };
    if (!id || (action !== 'download' && action !== 'play')) return json(400, { result: 3101 });
    res.writeHead(302, { location: `/files/mango.mp3?id=${encodeURIComponent(id)}` }).end();
    return;
  }

  // The file host behind the temporary links, with byte ranges.
  if (url.pathname.startsWith('/files/') && req.method === 'GET') {
    // Zadarma's and Mango's links are bearer links: our credentials must not follow them. (Twilio's redirect here
    // stays on its own origin, so fetch keeps the header; the real one points to another host, which drops it.)
    if (req.headers.authorization && !url.pathname.endsWith('twilio.mp3'))
      return json(400, { error: 'credentials sent to the file host' });
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) : AUDIO.length - 1;
      res.writeHead(206, {
        'content-type': 'audio/mpeg',
        'content-range': `bytes ${start}-${end}/${AUDIO.length}`,
        'content-length': String(end - start + 1),
        'accept-ranges': 'bytes',
      });
      res.end(AUDIO.subarray(start, end + 1));
      return;
    }
    res
      .writeHead(200, {
        'content-type': 'audio/mpeg',
        'content-length': String(AUDIO.length),
        'accept-ranges': 'bytes',
      })
      .end(AUDIO);
    return;
  }
  json(404, { error: 'not found' });
}
