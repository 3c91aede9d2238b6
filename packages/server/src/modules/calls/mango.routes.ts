import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { type AppliedEvent, applyCallEvent, type CallEvent, HELD_NOTE, viaAccount } from './call-events.js';
import { mangoCallEvent, mangoRecordingEvent, mangoSummaryEvent, parseMango, verifyMango } from './mango.js';

const Params = Type.Object({
  accountId: Type.String({ maxLength: 64 }),
  '*': Type.String({ maxLength: 64 }),
});

/**
 * Mango Office VPBX: the PBX routes calls itself and only notifies us, to `<external system URL>/events/<type>`.
 * `events/call` and `events/summary` build the call record, `events/recording` (Completed) and
 * `events/record/added` add its recording; every other event type is verified and ignored.
 * Each request is answered 200 once its write has committed (Mango retries otherwise).
 */
export async function mangoRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 65_536 },
    (_req, body, done) => {
      // URL-decoded exactly once, as PHP's $_POST does: the signature is over the decoded `json` value.
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.post(
    '/events/*',
    {
      schema: {
        params: Params,
        hide: false,
        tags: ['webhooks'],
        summary:
          'Mango Office VPBX event (events/call, events/summary, events/recording, events/record/added; others are acknowledged)',
      },
    },
    async (request, reply) => {
      const { accountId, '*': type } = request.params as { accountId: string; '*': string };
      const account = await deps.services.providerAccounts.webhookAccount(accountId, 'mango', request.ip);
      if (!account) throw new AppError('not_found', 'unknown Mango Office account');
      const form = (request.body ?? {}) as Record<string, string | undefined>;
      const check = verifyMango(account.credentials, form);
      if (check === 'missing') throw new AppError('unauthorized', 'send vpbx_api_key, sign and json fields');
      if (check === 'wrong_key') throw new AppError('forbidden', 'vpbx_api_key is not this account');
      if (check === 'mismatch') throw new AppError('forbidden', 'sign does not match');
      const json = form.json as string;

      let event: CallEvent | undefined;
      if (type === 'call') {
        const parsed = parseMango('call', json);
        if (!parsed.ok) throw new AppError(parsed.code, parsed.message, parsed.details);
        event = mangoCallEvent(parsed.value);
      } else if (type === 'summary') {
        const parsed = parseMango('summary', json);
        if (!parsed.ok) throw new AppError(parsed.code, parsed.message, parsed.details);
        event = mangoSummaryEvent(parsed.value);
      } else if (type === 'recording' || type === 'record/added') {
        const parsed = parseMango('recording', json);
        if (!parsed.ok) throw new AppError(parsed.code, parsed.message, parsed.details);
        const recording = mangoRecordingEvent(type, parsed.value);
        if (!recording) return reply.send({ ok: true, note: 'the recording is not complete yet: ignored' });
        return reply.send(
          answer(await applyCallEvent(deps.services.calls, viaAccount(recording, accountId))),
        );
      } else {
        return reply.send({ ok: true, note: `events/${type} is not used by Ringtrace` });
      }
      if (!event) return reply.send({ ok: true, note: 'not an inbound call: ignored' });
      return reply.send(answer(await applyCallEvent(deps.services.calls, viaAccount(event, accountId))));
    },
  );
}

function answer(applied: AppliedEvent) {
  if (applied.kind === 'ok') return { ok: true, callId: applied.call.id };
  if (applied.kind === 'unknown_call') return { ok: true, note: 'no such call here: nothing was stored' };
  if (applied.kind === 'held') return { ok: true, note: HELD_NOTE };
  return { ok: true, note: 'the call is not to a tracking number here: nothing was stored' };
}
