import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';

const Str = (max: number) => Type.Optional(Type.String({ maxLength: max }));

/** The page-view report of the tracker protocol (docs/tracker-protocol.md); unknown keys are ignored. */
const VisitBody = Type.Object({
  k: Type.String({ minLength: 1, maxLength: 64 }),
  vid: Str(64),
  u: Type.String({ minLength: 1, maxLength: 4096 }),
  r: Str(4096),
  ga: Str(64),
  ym: Str(64),
  gs: Str(512),
  l: Str(35),
  s: Str(20),
  sv: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
});
/** The answer to a page view: what to swap, the visitor and visit ids, the lease token to ping with. */
const VisitAnswer = Type.Object({
  vid: Type.Optional(Type.String()),
  visit: Type.Optional(Type.String()),
  lease: Type.Optional(Type.String()),
  hb: Type.Integer(),
  swap: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), cc: Type.Optional(Type.String()) })),
});
const PingBody = Type.Object({
  k: Type.String({ minLength: 1, maxLength: 64 }),
  lease: Type.String({ minLength: 1, maxLength: 128 }),
});

// The script's origin is any customer site: answers must be readable cross-origin, without credentials.
const allowAnyOrigin = (reply: FastifyReply) =>
  reply.header('access-control-allow-origin', '*').header('cache-control', 'no-store');

/** A string value of the (flat) tracker body holds a NUL character. */
const hasNul = (body: unknown) =>
  typeof body === 'object' &&
  body !== null &&
  Object.values(body).some((value) => typeof value === 'string' && value.includes('\0'));

/** Where the built site script lives: the tracker package's dist, three folders up from this module's folder. */
const SCRIPT_PATH = fileURLToPath(new URL('../../../../tracker/dist/rt.js', import.meta.url));

export async function trackingRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tracking = deps.services.tracking;
  const tags = ['tracker'];

  // The script sends text/plain so that browsers skip the CORS preflight; the body is JSON all the same.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body as string);
    } catch {
      return done(new AppError('invalid_json', 'body is not JSON'), undefined);
    }
    // No browser sends NUL (URLs percent-encode it), and PostgreSQL text cannot hold it: refused here rather than
    // failing the batch that would carry it. The raw search is cheap; only a hit looks at the values.
    if ((body as string).includes('\\u0000') && hasNul(parsed))
      return done(new AppError('validation_failed', 'text must not contain NUL characters'), undefined);
    done(null, parsed);
  });
  // Only the protocol's answers: the script itself is cacheable and sets its own headers. A callback hook, not an
  // async one: it runs on every page view, and a promise per hook costs there.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/t/')) allowAnyOrigin(reply);
    done(null, payload);
  });
  app.options('/t/*', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '86400')
      .status(204)
      .send(),
  );

  app.post(
    '/t/visit',
    {
      bodyLimit: 8192,
      schema: {
        tags,
        summary: 'Site script: report a page view, get the number to show',
        body: VisitBody,
        // Also compiles the answer's serializer, which is faster than JSON.stringify.
        response: { 200: VisitAnswer },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const result = await tracking.recordVisit({
        publicKey: b.k,
        visitorId: b.vid,
        url: b.u,
        referrer: b.r || undefined,
        gaClientId: b.ga,
        ymClientId: b.ym,
        gaSessions: b.gs,
        language: b.l,
        screen: b.s,
        userAgent: request.headers['user-agent'],
        ip: request.ip,
        headers: request.headers as Record<string, string | undefined>,
        at: deps.clock.now(),
      });
      if (result.ok) return reply.send(result.answer);
      // Bots and floods learn nothing useful: a 200 with nothing to swap keeps the page as it is.
      if (result.reason === 'unknown_project') throw new AppError('not_found', 'unknown project key');
      if (result.reason === 'rate_limited')
        throw new AppError('rate_limited', 'too many page views from this address');
      if (result.reason === 'invalid_url')
        throw new AppError('validation_failed', 'u must be an http(s) URL');
      return reply.send({ swap: [], hb: 30 });
    },
  );

  app.post(
    '/t/ping',
    { bodyLimit: 1024, schema: { tags, summary: 'Site script: keep the lease alive', body: PingBody } },
    async (request, reply) => {
      const result = await tracking.heartbeat(request.body.k, request.body.lease);
      if (result === 'alive') return reply.status(204).send();
      if (result === 'expired')
        return reply.status(410).send({ error: { code: 'lease_expired', message: 'the lease has ended' } });
      throw new AppError('bad_request', 'invalid lease token');
    },
  );

  let script: Buffer | undefined;
  app.get('/rt.js', { schema: { hide: true } }, async (_request, reply) => {
    try {
      script ??= await readFile(SCRIPT_PATH);
    } catch {
      throw new AppError('not_found', 'the site script is not built: run `npm run build`');
    }
    return reply
      .header('content-type', 'application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('access-control-allow-origin', '*')
      .send(script);
  });
}
