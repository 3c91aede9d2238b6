import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { scope } from '../../http/auth.js';
import { errorResponses, ProjectItemParams, ProjectParams } from '../../http/schemas.js';
import {
  CreateIntegrationBody,
  DeliveriesQuery,
  DeliveryParams,
  DeliverySchema,
  IntegrationSchema,
  UpdateIntegrationBody,
} from './integration.schemas.js';

export async function integrationRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const integrations = deps.services.integrations;
  const tags = ['integrations'];

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'Outbound integrations: signed webhooks, GA4, Yandex Metrica, amoCRM, Bitrix24, Google Ads',
        params: ProjectParams,
        response: { 200: Type.Array(IntegrationSchema), ...errorResponses },
      },
    },
    (request) => integrations.list(scope(request).project.id),
  );
  app.post(
    '',
    {
      schema: {
        tags,
        summary: 'Add an integration (secrets are write-only; a generated webhook secret is shown once)',
        params: ProjectParams,
        body: CreateIntegrationBody,
        response: { 201: IntegrationSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await integrations.create(scope(request).project.id, request.body)),
  );
  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One integration',
        params: ProjectItemParams,
        response: { 200: IntegrationSchema, ...errorResponses },
      },
    },
    (request) => integrations.get(scope(request).project.id, request.params.id),
  );
  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary:
          'Change an integration: name, enabled, events, settings (merged; secrets replaced when given)',
        params: ProjectItemParams,
        body: UpdateIntegrationBody,
        response: { 200: IntegrationSchema, ...errorResponses },
      },
    },
    (request) => integrations.update(scope(request).project.id, request.params.id, request.body),
  );
  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Remove an integration (events it was owed are kept, marked failed)',
        params: ProjectItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await integrations.remove(scope(request).project.id, request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/:id/deliveries',
    {
      schema: {
        tags,
        summary: 'The latest events sent (or owed) to an integration, newest first',
        params: ProjectItemParams,
        querystring: DeliveriesQuery,
        response: { 200: Type.Array(DeliverySchema), ...errorResponses },
      },
    },
    (request) => integrations.deliveries(scope(request).project.id, request.params.id, request.query.limit),
  );
  app.post(
    '/:id/deliveries/:eventId/retry',
    {
      schema: {
        tags,
        summary: 'Make a failed delivery due again',
        params: DeliveryParams,
        response: { 200: DeliverySchema, ...errorResponses },
      },
    },
    (request) => integrations.retry(scope(request).project.id, request.params.id, request.params.eventId),
  );
}
