import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The built dashboard (packages/dashboard/dist), the same path from src/ and from dist/. */
const DASHBOARD_DIST = fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));

/** Paths that belong to the API, the tracker, the providers or recording links: never answered with the dashboard's page. */
const NOT_DASHBOARD = /^\/(api|t|webhooks|recordings|healthz|rt\.js)(\/|$|\?)/;

/**
 * Serves the dashboard at `/`: its hashed assets (cached for a year), and index.html for every other GET
 * that is not an API path, so that deep links like /projects/…/calls work on reload. API 404s stay JSON.
 */
export async function registerDashboard(app: FastifyInstance, root = DASHBOARD_DIST): Promise<void> {
  if (!existsSync(join(root, 'index.html'))) {
    const notBuilt = (reply: FastifyReply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><title>Ringtrace</title><p>The dashboard is not built: run <code>npm run build</code>.</p>',
        );
    app.get('/', { schema: { hide: true } }, (_request, reply) => notBuilt(reply));
    app.get('/*', { schema: { hide: true } }, (request, reply) =>
      NOT_DASHBOARD.test(request.url) ? reply.callNotFound() : notBuilt(reply),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    // Vite names assets by content hash: they never change, so they are cached for good.
    cacheControl: false,
    setHeaders(reply, path) {
      reply.header(
        'cache-control',
        /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const page = (reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html');
  app.get('/', { schema: { hide: true } }, (_request, reply) => page(reply));
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    if (NOT_DASHBOARD.test(request.url) || request.url.startsWith('/assets/')) return reply.callNotFound();
    return page(reply);
  });
}
