import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { principalOf } from '../../http/auth.js';
import { errorResponses, Timestamp } from '../../http/schemas.js';
import { CSRF_HEADER, clearedSessionCookie, readSessionCookie, sessionCookie } from './session-cookie.js';
import { SESSION_TTL_MS } from './user.service.js';

const Role = Type.Union([Type.Literal('admin'), Type.Literal('analyst')]);

const Me = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('api_key'), Type.Literal('system')]),
  id: Type.String(),
  role: Role,
  allProjects: Type.Boolean(),
  projectIds: Type.Array(Type.String()),
  email: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
});

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const isHttps = (request: FastifyRequest) => request.protocol === 'https';

function requireCsrfHeader(request: FastifyRequest): void {
  if (request.headers[CSRF_HEADER] !== '1') {
    throw new AppError('forbidden', `send the header "${CSRF_HEADER}: 1" with this request`);
  }
}

/** Sign-in for dashboard users: /api/v1/auth/login, /logout, /me. */
export async function authRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const users = deps.services.users;
  const tags = ['sign-in'];

  app.post(
    '/login',
    {
      schema: {
        tags,
        summary: `Sign in with email and password; sets an httpOnly session cookie (send "${CSRF_HEADER}: 1")`,
        description:
          'Failed sign-ins are limited per account and per client address (sliding 15 minutes): past the limit ' +
          'the answer is 429 with code "rate_limited", details {scope: "account"|"ip", retryAfterSeconds} and ' +
          'a Retry-After header.',
        body: LoginBody,
        response: {
          200: Type.Object({ user: Me, expiresAt: Timestamp }),
          ...errorResponses,
          429: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (request, reply) => {
      requireCsrfHeader(request);
      let session: Awaited<ReturnType<typeof users.login>>;
      try {
        session = await users.login(request.body.email, request.body.password, request.ip);
      } catch (error) {
        if (error instanceof AppError && error.code === 'rate_limited')
          reply.header(
            'retry-after',
            String((error.details as { retryAfterSeconds: number }).retryAfterSeconds),
          );
        throw error;
      }
      const { user, token, expiresAt } = session;
      reply.header('set-cookie', sessionCookie(token, SESSION_TTL_MS / 1000, isHttps(request)));
      reply.header('cache-control', 'no-store');
      return {
        user: { kind: 'user' as const, ...user, email: user.email, name: user.name },
        expiresAt,
      };
    },
  );

  app.post(
    '/logout',
    {
      schema: {
        tags,
        summary: 'Sign out: ends the session of the cookie and clears it',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireCsrfHeader(request);
      const token = readSessionCookie(request.headers.cookie);
      if (token !== undefined) await users.logout(token);
      reply.header('set-cookie', clearedSessionCookie(isHttps(request)));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      schema: {
        tags,
        summary: 'Who is signed in (a user by cookie, or the API key)',
        response: { 200: Me, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const user = principal.kind === 'user' ? await users.get(principal.id) : undefined;
      return {
        kind: principal.kind,
        id: principal.id,
        role: principal.role,
        allProjects: principal.allProjects,
        projectIds: [...principal.projectIds],
        email: user?.email ?? null,
        name: user?.name ?? null,
      };
    },
  );
}

/** Routes of this module that run before any credential is checked. */
export function isPublicAuthRoute(method: string, url: string): boolean {
  const path = (url.split('?')[0] ?? '').replace(/\/+$/, '');
  return method === 'POST' && (path === '/api/v1/auth/login' || path === '/api/v1/auth/logout');
}
