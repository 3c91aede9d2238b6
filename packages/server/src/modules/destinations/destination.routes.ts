import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { scope } from '../../http/auth.js';
import { errorResponses, Name, ProjectItemParams, ProjectParams, Timestamp } from '../../http/schemas.js';

const Kind = Type.Union([Type.Literal('phone'), Type.Literal('sip')]);

export const DestinationSchema = Type.Object(
  {
    id: Type.String(),
    projectId: Type.String(),
    name: Type.String(),
    kind: Kind,
    target: Type.String({ description: 'E.164 number or SIP URI' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Destination' },
);

const fields = { name: Name, kind: Kind, target: Type.String({ minLength: 1, maxLength: 255 }) };
const CreateBody = Type.Object(fields, { additionalProperties: false });
const UpdateBody = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });

export async function destinationRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const destinations = deps.services.destinations;
  const tags = ['destinations'];
  const destination = Type.Ref('Destination');

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'Where calls are forwarded',
        params: ProjectParams,
        response: { 200: Type.Array(destination), ...errorResponses },
      },
    },
    (request) => destinations.list(scope(request).project.id),
  );
  app.post(
    '',
    {
      schema: {
        tags,
        summary: 'Add a destination',
        params: ProjectParams,
        body: CreateBody,
        response: { 201: destination, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await destinations.create(scope(request).project, request.body)),
  );
  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One destination',
        params: ProjectItemParams,
        response: { 200: destination, ...errorResponses },
      },
    },
    (request) => destinations.get(scope(request).project.id, request.params.id),
  );
  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a destination',
        params: ProjectItemParams,
        body: UpdateBody,
        response: { 200: destination, ...errorResponses },
      },
    },
    (request) => destinations.update(scope(request).project, request.params.id, request.body),
  );
  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Remove a destination',
        params: ProjectItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await destinations.remove(scope(request).project.id, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
