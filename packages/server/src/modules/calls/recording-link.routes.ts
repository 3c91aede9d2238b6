import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { errorResponses } from '../../http/schemas.js';
import { byteRange, sendPlayback } from './playback-reply.js';

/** `GET /recordings/:callId?t=…`: a call's recording by its signed link (recording-link.ts), without an API key. */
export async function recordingLinkRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/:callId',
    {
      schema: {
        tags: ['calls'],
        summary: "A call's recording by the link given to integrations (no API key)",
        description:
          'The link that integrations receive as `recordingLink` (a CRM plays it on the lead): the same audio as ' +
          '`GET /api/v1/projects/{projectId}/calls/{id}/recording`. 404 `not_found` when the token does not sign ' +
          'this call, the call does not exist or has no recording.',
        params: Type.Object({ callId: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({ t: Type.String({ maxLength: 64 }) }),
        response: { ...errorResponses, 502: Type.Ref('ErrorResponse') },
      },
    },
    async (request, reply) => {
      const answer = await deps.services.recordings.openByLink(
        request.params.callId,
        request.query.t,
        byteRange(request),
      );
      return sendPlayback(request, reply, answer);
    },
  );
}
