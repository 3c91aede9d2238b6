import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { canWrite, type Principal } from '../modules/access/access.js';
import type { Project } from '../modules/projects/project.js';
import { CSRF_HEADER, readSessionCookie } from '../modules/users/session-cookie.js';
import { isPublicAuthRoute } from '../modules/users/user.routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    project: Project | undefined;
  }
}

export function registerAuth(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('project', undefined);

  /**
   * Every /api/v1 request carries `Authorization: Bearer rt_…`, or the dashboard's session cookie. Writes by
   * cookie must also carry `x-ringtrace-csrf: 1`, which no other site's form or image can send.
   */
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/v1/')) return;
    if (isPublicAuthRoute(request.method, request.url)) return;
    const header = request.headers.authorization;
    const session = header === undefined ? readSessionCookie(request.headers.cookie) : undefined;
    if (session !== undefined) {
      const principal = await deps.services.users.authenticate(session);
      if (!principal) throw new AppError('unauthorized', 'the session has ended: sign in again');
      if (!isRead(request) && request.headers[CSRF_HEADER] !== '1') {
        throw new AppError('forbidden', `send the header "${CSRF_HEADER}: 1" with writes by session cookie`);
      }
      request.principal = principal;
      return;
    }
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError('unauthorized', 'send an API key as "Authorization: Bearer <key>"');
    const principal = await deps.services.apiKeys.authenticate(match[1]);
    if (!principal) throw new AppError('unauthorized', 'unknown or revoked API key');
    request.principal = principal;
  });

  /**
   * Tenancy for every /api/v1/projects/:projectId/* route: the project must be visible to the key (otherwise
   * "not found", so other tenants' ids leak nothing) and writable by it for anything but reads. It runs before
   * body validation, so a foreign project is "not found" whatever the body holds.
   */
  app.addHook('preValidation', async (request) => {
    const projectId = (request.params as { projectId?: string } | undefined)?.projectId;
    if (projectId === undefined || !request.principal) return;
    request.project = await deps.services.projects.get(request.principal, projectId);
    if (!isRead(request) && !canWrite(request.principal, projectId)) {
      throw new AppError('forbidden', 'this key may read this project but not change it');
    }
  });
}

const isRead = (request: FastifyRequest) => request.method === 'GET' || request.method === 'HEAD';

/** The principal and project that the hooks above put on the request. */
export function scope(request: FastifyRequest): { principal: Principal; project: Project } {
  if (!request.principal || !request.project)
    throw new AppError('internal_error', 'route registered outside project scope');
  return { principal: request.principal, project: request.project };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthorized', 'missing API key');
  return request.principal;
}
