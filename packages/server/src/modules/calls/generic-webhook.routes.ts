import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { applyCallEvent, viaAccount } from './call-events.js';
import { genericCallEvent, parseGenericEvent, verifyStandardWebhook } from './generic-webhook.js';

const Params = Type.Object({ accountId: Type.String({ maxLength: 64 }) });

/**
 * The generic webhook for any PBX that can send signed JSON (an Asterisk dialplan with curl, FreeSWITCH, a
 * script): call.started / call.answered / call.ended, signed the Standard Webhooks way. call.started answers
 * where to forward the call, so a PBX can ask Ringtrace for the destination.
 */
export async function genericWebhookRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  // The signature covers the body byte for byte: keep the raw text, parse only after verifying it.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: 65_536 },
    (_req, body, done) => {
      done(null, body);
    },
  );

  app.post(
    '/events',
    {
      schema: {
        params: Params,
        hide: false,
        tags: ['webhooks'],
        summary: 'Generic PBX call event (Standard Webhooks signature)',
      },
    },
    async (request, reply) => {
      const { accountId } = request.params as { accountId: string };
      const account = await deps.services.providerAccounts.webhookAccount(accountId, 'generic', request.ip);
      if (!account) throw new AppError('not_found', 'unknown generic webhook account');
      const raw = typeof request.body === 'string' ? request.body : '';
      const check = verifyStandardWebhook(
        account.credentials.secret ?? '',
        {
          id: request.headers['webhook-id'],
          timestamp: request.headers['webhook-timestamp'],
          signature: request.headers['webhook-signature'],
        },
        raw,
        deps.clock.now(),
      );
      if (check === 'missing' || check === 'malformed')
        throw new AppError(
          'unauthorized',
          'send webhook-id, webhook-timestamp (Unix seconds) and webhook-signature headers',
        );
      if (check === 'stale')
        throw new AppError(
          'forbidden',
          'webhook-timestamp is more than 5 minutes away from the server clock',
        );
      if (check === 'mismatch') throw new AppError('forbidden', 'webhook-signature does not match');

      const parsed = parseGenericEvent(raw);
      if (!parsed.ok) throw new AppError(parsed.code, parsed.message, parsed.details);
      const { event, at } = parsed;
      const applied = await applyCallEvent(
        deps.services.calls,
        viaAccount(genericCallEvent(event, at), accountId),
      );
      if (applied.kind !== 'ok') {
        return reply.send({
          callId: null,
          ...(event.event === 'call.started' && { forwardTo: null }),
          note: 'the called number is not a tracking number here: nothing was stored',
        });
      }
      if (event.event !== 'call.started') return reply.send({ callId: applied.call.id });
      const target = applied.forwardTo;
      return reply.send({
        callId: applied.call.id,
        forwardTo: target ? { kind: target.kind, target: target.target } : null,
        ...(!target && { note: 'no destination is configured for this number' }),
      });
    },
  );
}
