// A small but faithful fake of the server side of docs/tracker-protocol.md, plus a static file server
// for the fixture pages and the built script. Every request is recorded so tests can assert payloads.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { outfile } from '../../build.mjs';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export const PROJECT_KEY = 'pk_test';

/** A number on the site (`from`) and the pool of tracking numbers lent in its place. */
export interface Target {
  from: string;
  cc: string;
  pool: string[];
}

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed JSON body, when it was JSON. */
  json?: Record<string, unknown>;
  /** Status and body the fake answered. */
  status: number;
  answer?: string;
}

interface Lease {
  token: string;
  vid: string;
  /** One number per target (index-aligned with `targets`), or undefined when that pool was exhausted. */
  numbers: (string | undefined)[];
  expiresAt: number;
}

export interface VisitAnswer {
  vid: string;
  visit: string;
  lease?: string;
  hb: number;
  swap: { from: string; to: string; cc: string }[];
}

export interface FakeServerOptions {
  targets?: Target[];
  /** Heartbeat period sent to the script, seconds. */
  hb?: number;
  /** Lease lifetime without heartbeats. */
  ttlMs?: number;
  /** After the lease ends the number stays reserved for the same visitor this long (the hold). */
  holdMs?: number;
}

export const RU_TARGET: Target = {
  from: '74951234567',
  cc: '7',
  pool: ['74957654321', '74957654322', '74957654323'],
};
export const TOLL_FREE_TARGET: Target = {
  from: '78001234567',
  cc: '7',
  pool: ['78007654321', '78007654322'],
};
export const US_TARGET: Target = { from: '15551234567', cc: '1', pool: ['15559876543', '15559876544'] };

export class FakeServer {
  readonly requests: Recorded[] = [];
  /** In-memory pages served at `/p/<name>`. */
  readonly pages = new Map<string, string>();
  /** Pages served at `/s/<name>` in two parts: the tail is sent once `release` resolves. */
  readonly streams = new Map<string, { head: string; tail: string; release: Promise<void> }>();
  /** Force an answer to /t/visit or /t/ping: a status code, or raw text for a broken 200 body. */
  visitFailure: number | string | undefined;
  pingFailure: number | undefined;
  /** While set, answers to /t/visit wait for it (the request is counted in `arrived` at once). */
  visitGate: Promise<void> | undefined;
  /** Requests received per path, answered or not yet. */
  readonly arrived = new Map<string, number>();
  url = '';

  private readonly server: Server;
  private readonly targets: Target[];
  private readonly hb: number;
  private readonly ttlMs: number;
  private readonly holdMs: number;
  private readonly leases = new Map<string, Lease>();
  /** When each number was last released (least recently released is lent first). */
  private readonly releasedAt = new Map<string, number>();

  constructor(options: FakeServerOptions = {}) {
    this.targets = options.targets ?? [RU_TARGET, TOLL_FREE_TARGET, US_TARGET];
    this.hb = options.hb ?? 30;
    this.ttlMs = options.ttlMs ?? 120_000;
    this.holdMs = options.holdMs ?? 300_000;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        const stream = req.method === 'GET' ? this.streams.get(path.slice(3)) : undefined;
        if (path.startsWith('/s/') && stream) {
          this.requests.push({ method: 'GET', path, headers: req.headers, body, status: 200 });
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
          res.write(stream.head);
          void stream.release.then(() => res.end(stream.tail));
          return;
        }
        this.arrived.set(path, (this.arrived.get(path) ?? 0) + 1);
        const gate = path === '/t/visit' ? this.visitGate : undefined;
        if (gate) {
          void gate.then(() => this.answer(req, res, path, body));
          return;
        }
        this.answer(req, res, path, body);
      });
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, path: string, body: string): void {
    const answer = this.route(req.method ?? 'GET', path, body);
    this.requests.push({
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      json: parseObject(body),
      status: answer.status,
      answer: answer.body,
    });
    res.writeHead(answer.status, {
      'content-type': answer.type ?? 'application/json',
      'access-control-allow-origin': '*',
      'cache-control': 'no-store',
    });
    res.end(answer.body ?? '');
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Recorded requests to one path. */
  to(path: string): Recorded[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** The parsed answers to /t/visit, in order. */
  visitAnswers(): VisitAnswer[] {
    return this.to('/t/visit').map((request) => JSON.parse(request.answer ?? 'null') as VisitAnswer);
  }

  /** Ends a lease now, as if its visitor had been gone past the hold: the next ping gets 410. */
  expire(token: string): void {
    const lease = this.leases.get(token);
    if (!lease) throw new Error(`no lease ${token}`);
    lease.expiresAt = Date.now() - this.holdMs - 1;
    for (const number of lease.numbers) if (number) this.releasedAt.set(number, Date.now());
  }

  private route(
    method: string,
    path: string,
    body: string,
  ): { status: number; body?: string; type?: string } {
    if (method === 'OPTIONS') return { status: 204 };
    if (method === 'GET' && path === '/rt.js') {
      return { status: 200, body: readFileSync(outfile, 'utf8'), type: 'text/javascript' };
    }
    if (method === 'GET' && path.startsWith('/p/')) {
      const page = this.pages.get(path.slice(3));
      return page === undefined ? notFound() : { status: 200, body: page, type: 'text/html; charset=utf-8' };
    }
    if (method === 'GET' && /^\/fixtures\/[\w-]+\.html$/.test(path)) {
      return { status: 200, body: readFileSync(join(FIXTURES, path.slice(10)), 'utf8'), type: 'text/html' };
    }
    if (method === 'POST' && path === '/t/visit') return this.visit(parseObject(body));
    if (method === 'POST' && path === '/t/ping') return this.ping(parseObject(body));
    return notFound();
  }

  private visit(payload: Record<string, unknown> | undefined): { status: number; body?: string } {
    if (typeof this.visitFailure === 'number') return failure(this.visitFailure, 'internal');
    if (typeof this.visitFailure === 'string') return { status: 200, body: this.visitFailure };
    if (!payload || typeof payload.u !== 'string') return failure(400, 'validation_failed');
    if (payload.k !== PROJECT_KEY) return failure(400, 'project_not_found');
    const now = Date.now();
    const vid = typeof payload.vid === 'string' && payload.vid ? payload.vid : randomUUID();
    // Sticky: a visitor whose lease is alive, or ended less than the hold ago, gets the same numbers.
    let lease = [...this.leases.values()].find(
      (candidate) => candidate.vid === vid && candidate.expiresAt + this.holdMs > now,
    );
    if (lease) {
      lease.expiresAt = now + this.ttlMs;
    } else {
      const numbers = this.targets.map((target) => this.allocate(target, now));
      if (numbers.some(Boolean)) {
        lease = { token: randomUUID(), vid, numbers, expiresAt: now + this.ttlMs };
        this.leases.set(lease.token, lease);
      }
    }
    const swap = this.targets.flatMap((target, index) => {
      const to = lease?.numbers[index];
      return to ? [{ from: target.from, to, cc: target.cc }] : [];
    });
    return {
      status: 200,
      body: JSON.stringify({ vid, visit: randomUUID(), lease: lease?.token, hb: this.hb, swap }),
    };
  }

  private ping(payload: Record<string, unknown> | undefined): { status: number; body?: string } {
    if (this.pingFailure) return failure(this.pingFailure, 'internal');
    if (!payload || payload.k !== PROJECT_KEY) return failure(400, 'validation_failed');
    const lease = typeof payload.lease === 'string' ? this.leases.get(payload.lease) : undefined;
    if (!lease) return failure(410, 'lease_expired');
    const now = Date.now();
    if (lease.expiresAt <= now) return failure(410, 'lease_expired');
    lease.expiresAt = now + this.ttlMs;
    return { status: 204 };
  }

  /** A number of the pool no lease holds (alive or in its hold), least recently released first. */
  private allocate(target: Target, now: number): string | undefined {
    const held = new Set<string>();
    for (const lease of this.leases.values()) {
      if (lease.expiresAt + this.holdMs > now)
        for (const number of lease.numbers) if (number) held.add(number);
    }
    return target.pool
      .filter((number) => !held.has(number))
      .sort((a, b) => (this.releasedAt.get(a) ?? 0) - (this.releasedAt.get(b) ?? 0))[0];
  }
}

function failure(status: number, code: string): { status: number; body: string } {
  return { status, body: JSON.stringify({ error: { code, message: code.replace(/_/g, ' ') } }) };
}

function notFound(): { status: number; body: string } {
  return failure(404, 'not_found');
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A page that loads the tracker with the given script attributes. */
export function html(body: string, attributes = `src="/rt.js" data-project="${PROJECT_KEY}"`): string {
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Test</title>
<script async ${attributes}></script></head><body>${body}</body></html>`;
}

/** RU_TARGET's site number as a page prints it, the first two pool numbers in the same format, and a page with it. */
export const ORIGINAL = '8 (495) 123-45-67';
export const FIRST = '8 (495) 765-43-21'; // RU_TARGET.pool[0]
export const SECOND = '8 (495) 765-43-22'; // RU_TARGET.pool[1]
export const PHONE_PAGE = html(`<p id="phone">${ORIGINAL}</p><a id="link" href="tel:+74951234567">call</a>`);
