import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { webhookUrls } from '../telephony/provider-account.js';
import { dialTwiml, emptyTwiml, rejectTwiml, twilioStatus, verifyTwilioSignature } from './twilio.js';

type Form = Record<string, string>;
const Params = Type.Object({ accountId: Type.String({ maxLength: 64 }) });

/**
 * Twilio Programmable Voice: the inbound-call webhook answers TwiML that forwards the call; the <Dial> action,
 * leg status and recording callbacks complete the call record. Every request must carry a valid
 * X-Twilio-Signature for the account's auth token; each is answered only after its write has committed.
 */
export async function twilioRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const calls = deps.services.calls;

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 65_536 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  const verified = async (
    request: FastifyRequest,
  ): Promise<{ form: Form; hooks: Record<string, string> }> => {
    const { accountId } = request.params as { accountId: string };
    const account = await deps.services.providerAccounts.webhookAccount(accountId, 'twilio', request.ip);
    if (!account) throw new AppError('not_found', 'unknown Twilio account');
    const header = request.headers['x-twilio-signature'];
    if (typeof header !== 'string') throw new AppError('unauthorized', 'missing X-Twilio-Signature');
    const form = (request.body ?? {}) as Form;
    // Twilio signs the URL it was configured with: rebuild it from PUBLIC_URL, never from the Host header.
    const url = `${deps.config.publicUrl}${request.url}`;
    if (!verifyTwilioSignature(account.credentials.authToken ?? '', url, form, header)) {
      throw new AppError('forbidden', 'X-Twilio-Signature does not match');
    }
    if (typeof form.CallSid !== 'string' || !/^CA[0-9a-f]{32}$/i.test(form.CallSid)) {
      throw new AppError('validation_failed', 'CallSid is missing or malformed');
    }
    return { form, hooks: webhookUrls(deps.config.publicUrl, 'twilio', accountId) };
  };
  const twiml = (reply: FastifyReply, body: string) =>
    reply.header('content-type', 'text/xml; charset=utf-8').send(body);
  const schema = { params: Params, hide: false, tags: ['webhooks'] };

  app.post(
    '/voice',
    { schema: { ...schema, summary: 'Twilio inbound call: attribute and forward (TwiML)' } },
    async (request, reply) => {
      const { form, hooks } = await verified(request);
      const started = await calls.start({
        provider: 'twilio',
        providerCallId: form.CallSid as string,
        caller: form.From ?? form.Caller ?? '',
        called: form.To ?? form.Called ?? '',
        startedAt: deps.clock.now(),
        providerAccountId: (request.params as { accountId: string }).accountId,
      });
      if (started.kind === 'unknown_number') return twiml(reply, rejectTwiml('rejected'));
      if (!started.forwardTo) {
        await calls.progress({
          provider: 'twilio',
          providerCallId: form.CallSid as string,
          status: 'failed',
        });
        request.log.warn({ callId: started.call.id }, 'no destination configured for the number');
        return twiml(reply, rejectTwiml('busy'));
      }
      return twiml(
        reply,
        dialTwiml(started.forwardTo, {
          dial: hooks.dial ?? '',
          status: hooks.status ?? '',
          recording: hooks.recording ?? '',
        }),
      );
    },
  );

  app.post(
    '/dial',
    { schema: { ...schema, summary: 'Twilio <Dial> action: the forwarded leg ended' } },
    async (request, reply) => {
      const { form } = await verified(request);
      const duration = Number(form.DialCallDuration);
      await calls.progress({
        provider: 'twilio',
        providerCallId: form.CallSid as string,
        status: twilioStatus(form.DialCallStatus) ?? 'failed',
        endedAt: deps.clock.now(),
        ...(Number.isFinite(duration) && { talkSeconds: duration }),
        ...(form.RecordingUrl && { recordingUrl: form.RecordingUrl }),
      });
      return twiml(reply, emptyTwiml());
    },
  );

  app.post(
    '/status',
    { schema: { ...schema, summary: 'Twilio leg status callback' } },
    async (request, reply) => {
      const { form } = await verified(request);
      const status = twilioStatus(form.CallStatus);
      const at = form.Timestamp ? Date.parse(form.Timestamp) : Number.NaN;
      // Leg callbacks describe the dialled leg; its parent is the inbound call we keep.
      if (status === 'in-progress') {
        await calls.progress({
          provider: 'twilio',
          providerCallId: form.ParentCallSid ?? (form.CallSid as string),
          status,
          answeredAt: Number.isFinite(at) ? at : deps.clock.now(),
        });
      }
      return reply.status(204).send();
    },
  );

  app.post(
    '/recording',
    { schema: { ...schema, summary: 'Twilio recording status callback' } },
    async (request, reply) => {
      const { form } = await verified(request);
      if (form.RecordingStatus === 'completed' && form.RecordingUrl) {
        await calls.progress({
          provider: 'twilio',
          providerCallId: form.CallSid as string,
          recordingUrl: form.RecordingUrl,
        });
      }
      return reply.status(204).send();
    },
  );
}
