import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, type ErrorCode } from '../errors.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

// Fastify's own errors for bad requests, mapped into our catalogue.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_VALIDATION: 'validation_failed',
};

/** PostgreSQL's SQLSTATEs for text the database encoding cannot hold (a NUL character, in practice). */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/** One error shape everywhere: `{ error: { code, message } }`; 5xx answers hide internals. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      const body: ErrorBody = { error: { code: error.code, message: error.message } };
      if (error.details !== undefined) body.error.details = error.details;
      return reply.status(error.status).send(body);
    }
    if (error.validation) {
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message:
            `${error.validationContext ?? 'request'} ${error.validation[0]?.instancePath || ''} ${error.validation[0]?.message ?? 'is invalid'}`
              .replace(/\s+/g, ' ')
              .trim(),
          details: error.validation.map((v) => ({
            path: v.instancePath,
            message: v.message,
            params: v.params,
          })),
        },
      } satisfies ErrorBody);
    }
    // Text PostgreSQL cannot store (NUL characters) is the client's input, not a server fault.
    if (UNSTORABLE_TEXT.has((error as { code?: string }).code ?? '')) {
      return reply.status(400).send({
        error: { code: 'validation_failed', message: 'text must not contain NUL characters' },
      } satisfies ErrorBody);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code =
        FASTIFY_CODES[error.code] ?? (error instanceof SyntaxError ? 'invalid_json' : 'bad_request');
      return reply.status(status).send({ error: { code, message: error.message } } satisfies ErrorBody);
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .status(500)
      .send({ error: { code: 'internal_error', message: 'internal error' } } satisfies ErrorBody);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    } satisfies ErrorBody),
  );
}
