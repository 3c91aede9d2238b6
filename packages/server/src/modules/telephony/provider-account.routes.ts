import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { scope } from '../../http/auth.js';
import { errorResponses, Name, ProjectItemParams, ProjectParams, Timestamp } from '../../http/schemas.js';

const Provider = Type.Union([
  Type.Literal('twilio'),
  Type.Literal('mango'),
  Type.Literal('zadarma'),
  Type.Literal('generic'),
]);

export const ProviderAccountSchema = Type.Object(
  {
    id: Type.String(),
    projectId: Type.String(),
    provider: Provider,
    name: Type.String(),
    credentialKeys: Type.Array(Type.String()),
    allowedSources: Type.Array(Type.String(), {
      description: 'IPs and CIDR ranges its webhooks may come from; empty: any address',
    }),
    webhookUrls: Type.Record(Type.String(), Type.String(), {
      description: 'configure these at the provider',
    }),
    createdAt: Timestamp,
  },
  { $id: 'ProviderAccount' },
);

/** Where the provider's webhooks may come from: e.g. ["185.45.152.42", "185.45.152.0/24"]; empty: anywhere. */
const AllowedSources = Type.Array(Type.String({ maxLength: 64 }), {
  maxItems: 50,
  description: 'IPs and CIDR ranges its webhooks may come from (others get 403); empty: any address',
});
const CreateBody = Type.Object(
  {
    provider: Provider,
    name: Name,
    credentials: Type.Record(Type.String({ maxLength: 64 }), Type.String({ minLength: 1, maxLength: 512 }), {
      maxProperties: 10,
    }),
    allowedSources: Type.Optional(AllowedSources),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  { name: Type.Optional(Name), allowedSources: Type.Optional(AllowedSources) },
  { additionalProperties: false, minProperties: 1 },
);

export async function providerAccountRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const accounts = deps.services.providerAccounts;
  const tags = ['telephony'];
  const account = Type.Ref('ProviderAccount');

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'Telephony provider accounts and their webhook URLs',
        params: ProjectParams,
        response: { 200: Type.Array(account), ...errorResponses },
      },
    },
    (request) => accounts.list(scope(request).project.id),
  );
  app.post(
    '',
    {
      schema: {
        tags,
        summary: 'Connect a telephony provider (secrets are write-only)',
        params: ProjectParams,
        body: CreateBody,
        response: { 201: account, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await accounts.create(scope(request).project.id, request.body)),
  );
  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Rename a provider account or change where its webhooks may come from',
        params: ProjectItemParams,
        body: UpdateBody,
        response: { 200: account, ...errorResponses },
      },
    },
    (request) => accounts.update(scope(request).project.id, request.params.id, request.body),
  );
  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Disconnect a provider account',
        params: ProjectItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await accounts.remove(scope(request).project.id, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
