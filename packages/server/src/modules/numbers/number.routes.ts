import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { scope } from '../../http/auth.js';
import { errorResponses, ProjectItemParams, ProjectParams } from '../../http/schemas.js';
import {
  ImportJsonBody,
  ImportQuery,
  ImportResultSchema,
  ListNumbersQuery,
  NumberRowBody,
  UpdateNumberBody,
} from './number.schemas.js';
import { ImportFormatError, type ImportRowInput, parseNumbersCsv } from './number-import.js';

export async function numberRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const numbers = deps.services.numbers;
  const tags = ['numbers'];
  const number = Type.Ref('TrackingNumber');

  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'Tracking numbers, by id; page with `after`',
        params: ProjectParams,
        querystring: ListNumbersQuery,
        response: { 200: Type.Array(number), ...errorResponses },
      },
    },
    (request) => numbers.list(scope(request).project.id, request.query),
  );

  app.post(
    '',
    {
      schema: {
        tags,
        summary: 'Add one number',
        params: ProjectParams,
        body: NumberRowBody,
        response: { 201: number, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await numbers.create(scope(request).project, request.body)),
  );

  app.post(
    '/import',
    {
      schema: {
        tags,
        summary: 'Import numbers from JSON `{numbers:[…]}` or a CSV body (text/csv)',
        description:
          'All-or-nothing by default: one bad row rejects the import and the 400 answer lists every bad row. ' +
          'With ?partial=true the good rows are imported and the bad rows reported. Numbers already in the ' +
          'project are skipped, so re-importing a file is harmless.',
        params: ProjectParams,
        querystring: ImportQuery,
        body: Type.Union([
          ImportJsonBody,
          Type.String({
            description: 'CSV with a header: number,label,provider,provider_ref,monthly_cost,status',
          }),
        ]),
        response: { 200: ImportResultSchema, ...errorResponses },
      },
    },
    (request) => {
      const body = request.body;
      let rows: { line: number; input: ImportRowInput }[];
      if (typeof body === 'string') {
        try {
          rows = parseNumbersCsv(body);
        } catch (error) {
          if (error instanceof ImportFormatError) throw new AppError('validation_failed', error.message);
          throw error;
        }
      } else {
        rows = body.numbers.map((input, index) => ({ line: index + 1, input }));
      }
      return numbers.import(scope(request).project, rows, { partial: request.query.partial });
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One number',
        params: ProjectItemParams,
        response: { 200: number, ...errorResponses },
      },
    },
    (request) => numbers.get(scope(request).project.id, request.params.id),
  );

  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a number',
        params: ProjectItemParams,
        body: UpdateNumberBody,
        response: { 200: number, ...errorResponses },
      },
    },
    (request) => numbers.update(scope(request).project, request.params.id, request.body),
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Remove a number (409 while a static channel or a pool fallback uses it)',
        params: ProjectItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await numbers.remove(scope(request).project.id, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
