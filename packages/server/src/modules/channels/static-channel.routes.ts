import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { scope } from '../../http/auth.js';
import { errorResponses, Id, Name, ProjectItemParams, ProjectParams, Timestamp } from '../../http/schemas.js';
import { OFFLINE_MEDIA } from './static-channel.js';

const Kind = Type.Union([Type.Literal('online'), Type.Literal('offline')]);
const OfflineMedium = Type.Union(OFFLINE_MEDIA.map((m) => Type.Literal(m)));
const Label = Type.String({ minLength: 1, maxLength: 100 });

export const StaticChannelSchema = Type.Object(
  {
    id: Type.String(),
    projectId: Type.String(),
    name: Type.String(),
    kind: Kind,
    source: Type.String(),
    medium: Type.String(),
    offlineMedium: Type.Union([OfflineMedium, Type.Null()]),
    campaign: Type.Union([Type.String(), Type.Null()]),
    numberId: Type.String(),
    swapMatch: Type.Union([Type.Unknown(), Type.Null()], {
      description: 'rules ({all?, any?}) that show this number on the site',
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'StaticChannel' },
);

const fields = {
  name: Name,
  kind: Kind,
  source: Label,
  medium: Label,
  offlineMedium: Type.Union([OfflineMedium, Type.Null()]),
  campaign: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  numberId: Id,
  swapMatch: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
};
const CreateBody = Type.Object(
  {
    name: fields.name,
    kind: fields.kind,
    numberId: fields.numberId,
    source: Type.Optional(fields.source),
    medium: Type.Optional(fields.medium),
    offlineMedium: Type.Optional(fields.offlineMedium),
    campaign: Type.Optional(fields.campaign),
    swapMatch: Type.Optional(fields.swapMatch),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });

export async function staticChannelRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const channels = deps.services.channels;
  const tags = ['static channels'];
  const channel = Type.Ref('StaticChannel');

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'Static channels: one number each',
        params: ProjectParams,
        response: { 200: Type.Array(channel), ...errorResponses },
      },
    },
    (request) => channels.list(scope(request).project.id),
  );
  app.post(
    '',
    {
      schema: {
        tags,
        summary: 'Bind a number to a channel',
        params: ProjectParams,
        body: CreateBody,
        response: { 201: channel, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await channels.create(scope(request).project.id, request.body)),
  );
  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One static channel',
        params: ProjectItemParams,
        response: { 200: channel, ...errorResponses },
      },
    },
    (request) => channels.get(scope(request).project.id, request.params.id),
  );
  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a static channel',
        params: ProjectItemParams,
        body: UpdateBody,
        response: { 200: channel, ...errorResponses },
      },
    },
    (request) => channels.update(scope(request).project.id, request.params.id, request.body),
  );
  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Remove a static channel (its number stays)',
        params: ProjectItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await channels.remove(scope(request).project.id, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
