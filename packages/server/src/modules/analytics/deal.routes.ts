import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { scope } from '../../http/auth.js';
import { errorResponses, Id, Name, ProjectItemParams, ProjectParams } from '../../http/schemas.js';
import { checkProjectBeforeValidation } from './project-first.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Status = Type.Union([Type.Literal('open'), Type.Literal('won'), Type.Literal('lost')]);

export const DealBody = Type.Object(
  {
    source: Type.Optional(
      Type.String({ minLength: 1, maxLength: 50, description: 'the CRM; default "api"' }),
    ),
    externalId: Type.String({ minLength: 1, maxLength: 200 }),
    title: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
    status: Type.String({ maxLength: 10, description: 'open, won or lost' }),
    revenue: Type.Optional(
      Type.Union([Type.Number(), Type.String({ maxLength: 40 })], { description: 'major units' }),
    ),
    currency: Type.Optional(Type.String({ maxLength: 3 })),
    createdAt: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 40 })])),
    closedAt: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 40 }), Type.Null()])),
    callId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    clientId: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    visitorId: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  },
  { additionalProperties: false },
);

const N = Type.Union([Type.String(), Type.Null()]);
const DealSchema = Type.Object({
  id: Type.String(),
  source: Type.String(),
  externalId: Type.String(),
  title: N,
  status: Status,
  revenue: Type.Number(),
  currency: Type.String(),
  createdAt: Type.Integer(),
  closedAt: Type.Union([Type.Integer(), Type.Null()]),
  callId: N,
  visitId: N,
  clientId: N,
  visitorId: N,
  phone: N,
  linkedBy: N,
  updatedAt: Type.Integer(),
});

const CrmLinkSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  webhookUrl: Type.String({ description: 'give this URL to the CRM; it contains the secret' }),
  createdAt: Type.Integer(),
});

const FieldNames = Type.Object(
  {
    clientId: Type.Optional(Type.String({ maxLength: 100 })),
    callId: Type.Optional(Type.String({ maxLength: 100 })),
    visitorId: Type.Optional(Type.String({ maxLength: 100 })),
    phone: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export async function dealRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const deals = deps.services.deals;
  checkProjectBeforeValidation(instance, deps);
  const tags = ['analytics'];

  app.post(
    '/deals',
    {
      schema: {
        tags,
        summary: 'Create or update a deal by (source, externalId)',
        description:
          'Linked to a call by callId or phone, to a visit by clientId (GA or Metrica) or visitorId. A deal ' +
          'that matches nothing yet is kept and linked when its call or visit appears (before every report).',
        params: ProjectParams,
        body: DealBody,
        response: { 200: DealSchema, ...errorResponses },
      },
    },
    (request) => deals.upsert(scope(request).project, request.body),
  );

  app.get(
    '/deals',
    {
      schema: {
        tags,
        summary: 'Deals, by id; page with `after`',
        params: ProjectParams,
        querystring: Type.Object({
          status: Type.Optional(Status),
          linked: Type.Optional(Type.Boolean()),
          after: Type.Optional(Id),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
        }),
        response: { 200: Type.Array(DealSchema), ...errorResponses },
      },
    },
    (request) => deals.list(scope(request).project.id, request.query),
  );

  app.get(
    '/deals/:id',
    {
      schema: {
        tags,
        summary: 'One deal',
        params: ProjectItemParams,
        response: { 200: DealSchema, ...errorResponses },
      },
    },
    (request) => deals.get(scope(request).project.id, request.params.id),
  );

  app.post(
    '/crm-links',
    {
      schema: {
        tags,
        summary: 'A webhook URL for a CRM (amoCRM, Bitrix24, or generic JSON) to send deals to',
        params: ProjectParams,
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('amocrm'), Type.Literal('bitrix24'), Type.Literal('generic')]),
            name: Name,
            applicationToken: Type.Optional(Type.String({ minLength: 8, maxLength: 200 })),
            restUrl: Type.Optional(Type.String({ maxLength: 500 })),
            wonStatusIds: Type.Optional(Type.Array(Type.Integer(), { maxItems: 50 })),
            lostStatusIds: Type.Optional(Type.Array(Type.Integer(), { maxItems: 50 })),
            currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
            fields: Type.Optional(FieldNames),
          },
          { additionalProperties: false },
        ),
        response: { 201: CrmLinkSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await deals.createLink(scope(request).project, request.body)),
  );

  app.get(
    '/crm-links',
    {
      schema: {
        tags,
        summary: 'CRM webhook links',
        params: ProjectParams,
        response: { 200: Type.Array(CrmLinkSchema), ...errorResponses },
      },
    },
    (request) => deals.links(scope(request).project.id),
  );

  app.delete(
    '/crm-links/:id',
    {
      schema: {
        tags,
        summary: 'Remove a CRM link (its URL stops working)',
        params: ProjectItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deals.removeLink(scope(request).project.id, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
