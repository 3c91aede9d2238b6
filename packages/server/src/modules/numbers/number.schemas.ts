import { Type } from 'typebox';
import { Id, NullableId, Timestamp } from '../../http/schemas.js';
import { MAX_IMPORT_ROWS } from './number-import.js';

const Status = Type.Union([Type.Literal('active'), Type.Literal('inactive')]);
const Cost = Type.Union([Type.Number({ minimum: 0 }), Type.String({ maxLength: 32 })], {
  description: 'monthly rent in the project currency, major units (e.g. 450.50)',
});

export const TrackingNumberSchema = Type.Object(
  {
    id: Type.String(),
    projectId: Type.String(),
    number: Type.String({ description: 'E.164' }),
    label: Type.String(),
    provider: Type.String(),
    providerRef: Type.Union([Type.String(), Type.Null()]),
    status: Status,
    monthlyCost: Type.Number(),
    costCurrency: Type.String(),
    destinationId: Type.Union([Type.String(), Type.Null()]),
    poolId: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'TrackingNumber' },
);

export const NumberRowBody = Type.Object(
  {
    number: Type.String({
      minLength: 1,
      maxLength: 40,
      description: 'any printed form; normalised to E.164',
    }),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    provider: Type.Optional(Type.String({ maxLength: 50 })),
    providerRef: Type.Optional(Type.String({ maxLength: 200 })),
    monthlyCost: Type.Optional(Cost),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);

export const UpdateNumberBody = Type.Object(
  {
    label: Type.Optional(Type.String({ maxLength: 200 })),
    provider: Type.Optional(Type.String({ maxLength: 50 })),
    providerRef: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    status: Type.Optional(Status),
    monthlyCost: Type.Optional(Type.Number({ minimum: 0 })),
    destinationId: Type.Optional(NullableId),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ImportJsonBody = Type.Object(
  { numbers: Type.Array(NumberRowBody, { minItems: 1, maxItems: MAX_IMPORT_ROWS }) },
  { additionalProperties: false },
);

export const ImportQuery = Type.Object({
  partial: Type.Boolean({ default: false, description: 'import the good rows and report the bad ones' }),
});

export const ListNumbersQuery = Type.Object({
  status: Type.Optional(Status),
  poolId: Type.Optional(Id),
  after: Type.Optional(Id),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
});

const Problem = Type.Object({
  row: Type.Integer(),
  input: Type.String(),
  code: Type.String(),
  reason: Type.String(),
});

export const ImportResultSchema = Type.Object({
  imported: Type.Array(Type.Ref('TrackingNumber')),
  skipped: Type.Array(Type.Object({ row: Type.Integer(), number: Type.String() })),
  problems: Type.Array(Problem),
});
