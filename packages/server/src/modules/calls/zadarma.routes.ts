import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { SYSTEM_PRINCIPAL } from '../access/access.js';
import { isValidTimezone } from '../projects/project.js';
import { applyCallEvent, HELD_NOTE, viaAccount } from './call-events.js';
import { verifyZadarma, zadarmaCallEvent } from './zadarma.js';

const Params = Type.Object({ accountId: Type.String({ maxLength: 64 }) });
const EchoQuery = Type.Object({ zd_echo: Type.String({ minLength: 1, maxLength: 128 }) });
const NOTE = 'x-ringtrace-note';

/**
 * Zadarma PBX notifications: one URL for the `zd_echo` check (GET) and every event (POST form, `Signature`
 * header). The PBX routes calls itself. Zadarma reads the answer to NOTIFY_START and NOTIFY_IVR as routing
 * instructions, so every answer is an empty 200 that changes nothing; a note, if any, is in X-Ringtrace-Note.
 */
export async function zadarmaRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 65_536 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  const account = async (accountId: string, from: string) => {
    const found = await deps.services.providerAccounts.webhookAccount(accountId, 'zadarma', from);
    if (!found) throw new AppError('not_found', 'unknown Zadarma account');
    return found;
  };
  const done = (reply: FastifyReply, note?: string) => {
    if (note) reply.header(NOTE, note);
    return reply.status(200).header('content-type', 'text/plain; charset=utf-8').send('');
  };
  const schema = { params: Params, hide: false, tags: ['webhooks'] };

  app.get(
    '/events',
    { schema: { ...schema, querystring: EchoQuery, summary: 'Zadarma URL check: echoes zd_echo' } },
    async (request, reply) => {
      await account((request.params as { accountId: string }).accountId, request.ip);
      const { zd_echo: echo } = request.query as { zd_echo: string };
      return reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .send(echo);
    },
  );

  app.post(
    '/events',
    {
      schema: { ...schema, summary: 'Zadarma PBX notification (NOTIFY_START, NOTIFY_ANSWER, NOTIFY_END, …)' },
    },
    async (request, reply) => {
      const { accountId } = request.params as { accountId: string };
      const found = await account(accountId, request.ip);
      const form = (request.body ?? {}) as Record<string, string | undefined>;
      const check = verifyZadarma(found.credentials.apiSecret ?? '', form, request.headers.signature);
      if (check === 'missing') throw new AppError('unauthorized', 'missing Signature header');
      if (check === 'mismatch') throw new AppError('forbidden', 'Signature does not match');
      // Zadarma signs only the call events; others (SMS, speech recognition) cannot be verified: store nothing.
      if (check === 'unknown_event') return done(reply, 'event not used by Ringtrace');

      const needsZone = form.event === 'NOTIFY_START' || form.event === 'NOTIFY_END';
      const timeZone = needsZone ? await zoneOf(found) : 'UTC';
      const mapped = zadarmaCallEvent(form, { now: deps.clock.now(), timeZone });
      if (mapped.kind === 'invalid') throw new AppError('validation_failed', mapped.message);
      if (mapped.kind === 'ignore') return done(reply, mapped.reason);
      if (mapped.skewMs !== undefined) {
        request.log.warn(
          { accountId, skewMinutes: Math.round(mapped.skewMs / 60_000), timeZone },
          'zadarma call_start disagrees with the arrival time: check the time zone; arrival time used',
        );
      }
      const applied = await applyCallEvent(deps.services.calls, viaAccount(mapped.event, accountId));
      if (applied.kind === 'unknown_number')
        return done(reply, 'not a tracking number here: nothing was stored');
      if (applied.kind === 'unknown_call') return done(reply, 'unknown call: nothing was stored');
      if (applied.kind === 'held') return done(reply, HELD_NOTE);
      return done(reply);
    },
  );

  /** call_start is local time of the Zadarma account: a `timeZone` credential, else the project's zone. */
  async function zoneOf(found: { projectId: string; credentials: Record<string, string> }): Promise<string> {
    const configured = found.credentials.timeZone;
    if (configured && isValidTimezone(configured)) return configured;
    return (await deps.services.projects.get(SYSTEM_PRINCIPAL, found.projectId)).timezone;
  }
}
