import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { scope } from '../../http/auth.js';
import { errorResponses, Id, ProjectItemParams, ProjectParams } from '../../http/schemas.js';
import type { Call } from './call.js';
import type { CallFilter } from './call.repository.js';
import { byteRange, sendPlayback } from './playback-reply.js';

const Status = Type.Union(
  ['ringing', 'in-progress', 'answered', 'no-answer', 'busy', 'failed', 'canceled'].map((s) =>
    Type.Literal(s),
  ),
);

const Filter = Type.Object({
  from: Type.Optional(
    Type.String({ format: 'date-time', description: 'calls that started at or after (ISO 8601)' }),
  ),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'calls that started before' })),
  channel: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(Status),
  target: Type.Optional(Type.Boolean()),
  caller: Type.Optional(Type.String({ maxLength: 40 })),
  before: Type.Optional(Id),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});
type FilterQuery = {
  from?: string;
  to?: string;
  channel?: string;
  status?: string;
  target?: boolean;
  caller?: string;
  before?: string;
  limit: number;
};

function toFilter(q: FilterQuery): CallFilter {
  const filter: CallFilter = { limit: q.limit };
  if (q.from) filter.from = Date.parse(q.from);
  if (q.to) filter.to = Date.parse(q.to);
  if (q.from && q.to && (filter.from ?? 0) > (filter.to ?? 0))
    throw new AppError('validation_failed', '"from" is after "to"');
  if (q.channel) filter.channel = q.channel;
  if (q.status) filter.status = q.status;
  if (q.target !== undefined) filter.target = q.target;
  if (q.caller) filter.caller = q.caller;
  if (q.before) filter.before = q.before;
  return filter;
}

const CSV_COLUMNS: (keyof Call)[] = [
  'id',
  'startedAt',
  'caller',
  'trackingNumber',
  'status',
  'waitSeconds',
  'talkSeconds',
  'channel',
  'source',
  'medium',
  'confidence',
  'firstTimeCaller',
  'isTarget',
  'visitId',
  'recordingUrl',
];
const csvCell = (v: unknown) => {
  const text =
    v === null || v === undefined
      ? ''
      : typeof v === 'number' && v > 1e12
        ? new Date(v).toISOString()
        : String(v);
  // Quote always; neutralise spreadsheet formulas in user-controlled text.
  return `"${(/^[=+\-@]/.test(text) && !/^[+-]?\d/.test(text) ? `'${text}` : text).replace(/"/g, '""')}"`;
};

export async function callRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const calls = deps.services.calls;
  const tags = ['calls'];

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'Calls, newest first; page with `before`',
        params: ProjectParams,
        querystring: Filter,
        response: errorResponses,
      },
    },
    (request) => calls.list(scope(request).project.id, toFilter(request.query)),
  );
  app.get(
    '/export.csv',
    {
      schema: {
        tags,
        summary: 'Calls as CSV (same filters, up to 100,000 rows)',
        params: ProjectParams,
        querystring: Type.Omit(Filter, ['limit', 'before']),
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const rows = await calls.list(scope(request).project.id, {
        ...toFilter({ ...request.query, limit: 100_000 }),
      });
      const lines = [
        CSV_COLUMNS.join(','),
        ...rows.map((c) => CSV_COLUMNS.map((k) => csvCell(c[k])).join(',')),
      ];
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="calls.csv"')
        .send(`\ufeff${lines.join('\r\n')}\r\n`);
    },
  );
  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One call with its visit and the attribution explanation',
        params: ProjectItemParams,
        response: errorResponses,
      },
    },
    (request) => calls.get(scope(request).project.id, request.params.id),
  );
  app.get(
    '/:id/recording',
    {
      schema: {
        tags,
        summary:
          "The call's recording: Ringtrace's copy, else audio fetched from the provider, or a redirect to the PBX's URL",
        description:
          "Streams the audio: Ringtrace's own copy once it has made one (with `Range`, `ETag` and conditional " +
          'requests), else from the provider (`content-type` as the provider sends it, `audio/mpeg` by default; ' +
          '`Range` is passed on). 404 `not_found` when the call has no recording; 502 `recording_unavailable` when ' +
          'the provider refuses or cannot be reached (the message carries its answer).',
        params: ProjectItemParams,
        response: { ...errorResponses, 502: Type.Ref('ErrorResponse') },
      },
    },
    async (request, reply) => {
      const answer = await deps.services.recordings.open(
        scope(request).project.id,
        request.params.id,
        byteRange(request),
      );
      return sendPlayback(request, reply, answer);
    },
  );
}
