import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest } from './http-send.js';

describe('sendRequest', () => {
  let server: Server;
  let origin: string;
  const received: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/redirect') res.writeHead(302, { location: '/elsewhere' }).end('moved');
        else if (req.url === '/big') res.end('x'.repeat(100_000));
        else if (req.url === '/slow') setTimeout(() => res.end('late'), 2_000);
        else res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (path: string, body: string | FormData = '{}', timeoutMs = 1_000) =>
    sendRequest(
      { url: `${origin}${path}`, method: 'POST', headers: { 'content-type': 'application/json' }, body },
      { timeoutMs, allowPrivateNetworks: true },
    );

  it('answers a redirect as it is, without following it', async () => {
    expect(await send('/redirect')).toEqual({ kind: 'response', status: 302, body: 'moved' });
    expect(received.map((r) => r.url)).not.toContain('/elsewhere');
  });

  it('keeps only the start of a long answer', async () => {
    const result = await send('/big');
    expect(result.kind === 'response' && result.body).toBe('x'.repeat(2_000));
  });

  it('gives up on an answer that takes longer than the timeout', async () => {
    expect(await send('/slow', '{}', 200)).toEqual({ kind: 'error', reason: 'timed out after 0.2 s' });
  });

  it('sends a form as multipart with its boundary, and says who is calling', async () => {
    const form = new FormData();
    form.append('file', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }), 'calls.csv');
    expect(await send('/form', form)).toEqual({ kind: 'response', status: 200, body: 'ok' });
    const got = received.find((r) => r.url === '/form');
    expect(got?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(got?.headers['user-agent']).toMatch(/^Ringtrace\//);
    expect(got?.body).toContain('filename="calls.csv"');
    expect(got?.body).toContain('a,b\n1,2\n');
  });

  it('reports a refused connection and a bad URL as errors', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await sendRequest(
      { url: `http://127.0.0.1:${port}/`, method: 'POST', headers: {}, body: '' },
      { timeoutMs: 1_000, allowPrivateNetworks: true },
    );
    expect(refused).toEqual({ kind: 'error', reason: 'network error: ECONNREFUSED' });
    expect(
      await sendRequest(
        { url: 'ftp://example.com/', method: 'POST', headers: {}, body: '' },
        { timeoutMs: 1_000, allowPrivateNetworks: true },
      ),
    ).toEqual({ kind: 'error', reason: 'unsupported URL scheme ftp:' });
  });
});
