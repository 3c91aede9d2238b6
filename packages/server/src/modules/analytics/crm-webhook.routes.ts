import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { parseNestedForm } from './crm-webhook.js';

/**
 * Outgoing webhooks of CRMs: `POST /webhooks/crm/:linkId/:secret`. No API key (a CRM cannot send one); the
 * secret in the URL, and Bitrix24's application token, authenticate the sender.
 */
export async function crmWebhookRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1_048_576 },
    (_request, body, done) => done(null, parseNestedForm(String(body))),
  );

  app.post(
    '',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Deals from amoCRM / Bitrix24 outgoing webhooks (form-encoded) or the generic JSON form',
        params: Type.Object({
          linkId: Type.String({ maxLength: 64 }),
          secret: Type.String({ maxLength: 100 }),
        }),
      },
    },
    async (request) => {
      const form = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded');
      const body = request.body;
      if (body === undefined || body === null) throw new AppError('bad_request', 'empty body');
      const result = await deps.services.deals.receiveWebhook(
        request.params.linkId,
        request.params.secret,
        form ? { form: body as Record<string, never> } : { json: body },
      );
      return {
        ok: true,
        deals: result.deals.map((d) => ({ id: d.id, externalId: d.externalId, linkedBy: d.linkedBy })),
      };
    },
  );
}
