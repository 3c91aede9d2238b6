import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { scope } from '../../http/auth.js';
import {
  errorResponses,
  Id,
  Name,
  NullableId,
  ProjectItemParams,
  ProjectParams,
  Timestamp,
} from '../../http/schemas.js';
import { MAX_HOLD_SECONDS, MIN_HOLD_SECONDS } from './pool.js';
import { DEFAULT_ACCURACY } from './pool-sizing.js';
import {
  ObservedSizingQuery,
  ObservedSizingSchema,
  SizingQuery,
  SizingSchema,
} from './pool-sizing.schemas.js';

const Policy = Type.Union([Type.Literal('reuse_oldest'), Type.Literal('fallback')], {
  description:
    'when every number is taken: lend the longest-idle number again (marked shared) or show the fallback number',
});

export const PoolSchema = Type.Object(
  {
    id: Type.String(),
    projectId: Type.String(),
    name: Type.String(),
    priority: Type.Integer(),
    match: Type.Unknown(),
    holdSeconds: Type.Integer(),
    exhaustionPolicy: Policy,
    fallbackNumberId: Type.Union([Type.String(), Type.Null()]),
    destinationId: Type.Union([Type.String(), Type.Null()]),
    numberIds: Type.Array(Type.String()),
    exhaustedCount: Type.Integer(),
    lastExhaustedAt: Type.Union([Timestamp, Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Pool' },
);

const State = Type.Union([Type.Literal('free'), Type.Literal('leased'), Type.Literal('held')], {
  description:
    'free: no live lease; leased: lent to a visitor whose page sent a heartbeat within pageOpenSeconds; ' +
    "held: the lease lives on for the pool's hold time after the page was closed",
});
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
const UsageSchema = Type.Object({
  at: Timestamp,
  pageOpenSeconds: Type.Integer(),
  peakWindowHours: Type.Integer(),
  pools: Type.Array(
    Type.Object({
      poolId: Type.String(),
      size: Type.Integer(),
      leased: Type.Integer(),
      held: Type.Integer(),
      free: Type.Integer(),
      peakBusy: Type.Integer({ description: 'most numbers leased or held at once within the peak window' }),
      peakAt: NullableTimestamp,
      exhaustedCount: Type.Integer(),
      lastExhaustedAt: NullableTimestamp,
    }),
  ),
  numbers: Type.Array(
    Type.Object({
      numberId: Type.String(),
      poolId: Type.String(),
      state: State,
      liveLeases: Type.Integer({ description: 'more than 1 when an exhausted pool shares the number' }),
      lastSeenAt: NullableTimestamp,
      expiresAt: NullableTimestamp,
      shared: Type.Boolean(),
    }),
  ),
});

const fields = {
  name: Name,
  priority: Type.Integer({ minimum: 0, maximum: 10_000, description: 'lower is matched first' }),
  match: Type.Object(
    {},
    { additionalProperties: true, description: '{all?: Rule[], any?: Rule[]}; {} matches every visit' },
  ),
  holdSeconds: Type.Integer({ minimum: MIN_HOLD_SECONDS, maximum: MAX_HOLD_SECONDS }),
  exhaustionPolicy: Policy,
  fallbackNumberId: NullableId,
  destinationId: NullableId,
  numberIds: Type.Array(Id, { maxItems: 10_000, description: 'the pool members; replaces the whole set' }),
};
const CreateBody = Type.Object(
  {
    name: fields.name,
    priority: Type.Optional(fields.priority),
    match: Type.Optional(fields.match),
    holdSeconds: Type.Optional(fields.holdSeconds),
    exhaustionPolicy: Type.Optional(fields.exhaustionPolicy),
    fallbackNumberId: Type.Optional(fields.fallbackNumberId),
    destinationId: Type.Optional(fields.destinationId),
    numberIds: Type.Optional(fields.numberIds),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });

export async function poolRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const pools = deps.services.pools;
  const tags = ['dynamic pools'];
  const pool = Type.Ref('Pool');

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'Dynamic pools, in matching order',
        params: ProjectParams,
        response: { 200: Type.Array(pool), ...errorResponses },
      },
    },
    (request) => pools.list(scope(request).project.id),
  );
  app.get(
    '/usage',
    {
      schema: {
        tags,
        summary: 'Live state of every pool number (free, leased, held), usage and peak of each pool',
        description:
          'Computed from the leases at the moment of the request; poll it for a live view. Peak = the most ' +
          'numbers busy at once over the last peakWindowHours.',
        params: ProjectParams,
        response: { 200: UsageSchema, ...errorResponses },
      },
    },
    (request) => pools.usage(scope(request).project.id),
  );
  app.get(
    '/sizing',
    {
      schema: {
        tags,
        summary: 'Pool calculator: how many numbers planned traffic needs for a target accuracy',
        description:
          'Busy numbers at the busiest hour are Poisson(λT): λ = daily visitors × busiest-hour share per hour, ' +
          'T = visit length + hold. The answer is the smallest N with P(busy ≥ N) ≤ 1 − accuracy, beside the ' +
          "industry rule's one number per 20 daily visitors. A read: it changes nothing (docs/pool-sizing.md).",
        params: ProjectParams,
        querystring: SizingQuery,
        response: { 200: SizingSchema, ...errorResponses },
      },
    },
    (request) => pools.sizing({ ...request.query, accuracy: request.query.accuracy ?? DEFAULT_ACCURACY }),
  );
  app.post(
    '',
    {
      schema: {
        tags,
        summary: 'Create a pool',
        params: ProjectParams,
        body: CreateBody,
        response: { 201: pool, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await pools.create(scope(request).project.id, request.body)),
  );
  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One pool',
        params: ProjectItemParams,
        response: { 200: pool, ...errorResponses },
      },
    },
    (request) => pools.get(scope(request).project.id, request.params.id),
  );
  app.get(
    '/:id/sizing',
    {
      schema: {
        tags,
        summary: 'How many numbers a pool needs, from its own visits of the last days',
        description:
          "The calculator fed with the pool's visits: daily visitors, the busiest hour of the day in the " +
          "project's time zone, the mean visit length, with the pool's hold and size; beside what the pool went " +
          'through (exhaustions, peak of busy numbers). With too little data only the rule of 20 is given.',
        params: ProjectItemParams,
        querystring: ObservedSizingQuery,
        response: { 200: ObservedSizingSchema, ...errorResponses },
      },
    },
    (request) => {
      const { project } = scope(request);
      return pools.observedSizing(project.id, request.params.id, {
        days: request.query.days,
        accuracy: request.query.accuracy ?? DEFAULT_ACCURACY,
        timeZone: project.timezone,
      });
    },
  );
  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a pool',
        params: ProjectItemParams,
        body: UpdateBody,
        response: { 200: pool, ...errorResponses },
      },
    },
    (request) => pools.update(scope(request).project.id, request.params.id, request.body),
  );
  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Remove a pool (its numbers stay, unpooled)',
        params: ProjectItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await pools.remove(scope(request).project.id, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
