import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// Bodies are validated strictly: a number where a string belongs is an error, not something to coerce.
// Query strings and path params arrive as text, so there numbers and booleans are coerced.
const strict = addFormats.default(
  new Ajv({ allErrors: true, coerceTypes: false, useDefaults: true, removeAdditional: false }),
);
const coercing = addFormats.default(
  new Ajv({ allErrors: true, coerceTypes: 'array', useDefaults: true, removeAdditional: false }),
);

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema);
