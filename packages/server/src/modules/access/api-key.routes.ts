import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { principalOf } from '../../http/auth.js';
import { errorResponses, Id, Name, Timestamp } from '../../http/schemas.js';

const Role = Type.Union([Type.Literal('admin'), Type.Literal('analyst')]);

export const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    prefix: Type.String(),
    role: Role,
    allProjects: Type.Boolean(),
    projectIds: Type.Array(Type.String()),
    createdAt: Timestamp,
    lastUsedAt: Type.Union([Timestamp, Type.Null()]),
    revokedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'ApiKey' },
);

const CreateApiKeyBody = Type.Object(
  {
    name: Name,
    role: Role,
    allProjects: Type.Optional(Type.Boolean()),
    projectIds: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);

export async function apiKeyRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const keys = deps.services.apiKeys;
  const tags = ['api keys'];

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'API keys this key may manage',
        response: { 200: Type.Array(Type.Ref('ApiKey')), ...errorResponses },
      },
    },
    (request) => keys.list(principalOf(request)),
  );

  app.post(
    '',
    {
      schema: {
        tags,
        summary: 'Create an API key; the token is shown only in this answer',
        body: CreateApiKeyBody,
        response: { 201: Type.Object({ key: Type.Ref('ApiKey'), token: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      for (const projectId of request.body.projectIds ?? [])
        await deps.services.projects.get(principal, projectId);
      return reply.status(201).send(await keys.createBy(principal, request.body));
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key',
        params: Type.Object({ id: Id }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await keys.revoke(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
