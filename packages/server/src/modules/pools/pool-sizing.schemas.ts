import { type TSchema, Type } from 'typebox';
import { Timestamp } from '../../http/schemas.js';
import { DEFAULT_ACCURACY, DEFAULT_BUSIEST_HOUR_SHARE, LIMITS } from './pool-sizing.js';

const Accuracy = Type.Number({
  exclusiveMinimum: 0,
  maximum: LIMITS.maxAccuracy,
  default: DEFAULT_ACCURACY,
  description:
    'target chance that a visitor of the busiest hour finds a free number (0.95: at most 1 in 20 shares one)',
});

/** The calculator's inputs, in the query string: the calculation reads and changes nothing. */
export const SizingQuery = Type.Object(
  {
    dailyVisitors: Type.Number({
      exclusiveMinimum: 0,
      maximum: LIMITS.maxDailyVisitors,
      description: 'visitors a day of the source the pool serves',
    }),
    busiestHourShare: Type.Optional(
      Type.Number({
        minimum: LIMITS.minBusiestHourShare,
        maximum: 1,
        description: `share of the day's visitors that arrive in its busiest hour (default ${DEFAULT_BUSIEST_HOUR_SHARE})`,
      }),
    ),
    visitSeconds: Type.Number({
      minimum: 0,
      maximum: LIMITS.maxVisitSeconds,
      description: 'mean visit length: first page view to last heartbeat',
    }),
    holdSeconds: Type.Number({
      minimum: LIMITS.minHoldSeconds,
      maximum: LIMITS.maxHoldSeconds,
      description: "the pool's hold time after the visitor leaves",
    }),
    accuracy: Type.Optional(Accuracy),
    currentSize: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: LIMITS.maxCurrentSize,
        description: 'numbers in the pool now, for the chance that it runs out',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ObservedSizingQuery = Type.Object(
  {
    days: Type.Integer({ minimum: 1, maximum: 90, default: 14, description: 'days of history to read' }),
    accuracy: Type.Optional(Accuracy),
  },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });

export const SizingSchema = Type.Object({
  accuracy: Type.Number(),
  numbersNeeded: Type.Integer({
    description:
      'the fewest numbers that keep the chance of an exhausted pool at the peak within 1 − accuracy',
  }),
  levels: Type.Array(Type.Object({ accuracy: Type.Number(), numbersNeeded: Type.Integer() }), {
    description: 'numbers needed for 90%, 95%, 99%, 99.9% and the accuracy asked for',
  }),
  busiestHourShare: Type.Number(),
  peakHourVisitors: Type.Number({ description: 'visitors arriving in the busiest hour' }),
  busySecondsPerVisitor: Type.Number({ description: 'how long one visitor keeps a number: visit + hold' }),
  expectedBusy: Type.Number({ description: 'mean count of numbers busy at once in the busiest hour' }),
  ruleOfTwenty: Type.Integer({ description: "the industry rule's figure: ceil(daily visitors / 20)" }),
  currentSize: Type.Union([Count, Type.Null()]),
  exhaustionProbability: Type.Union([Type.Number(), Type.Null()], {
    description: 'chance that a visitor of the busiest hour finds a pool of currentSize exhausted',
  }),
});

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const ObservedSizingSchema = Type.Object({
  poolId: Type.String(),
  basis: Type.Union([Type.Literal('observed'), Type.Literal('too_little_data')], {
    description:
      'observed: the recommendation comes from the pool’s own visits; too_little_data: fewer than 100 visits or ' +
      'less than a day of history, so only the rule of 20 is given',
  }),
  accuracy: Type.Number(),
  timeZone: Type.String({ description: "the project's time zone, in which the busiest hour is told" }),
  observed: Type.Object({
    from: Timestamp,
    to: Timestamp,
    days: Type.Number({ description: 'days of history read (fewer than asked when the pool is younger)' }),
    visits: Count,
    dailyVisitors: Type.Number(),
    busiestHour: Nullable(Type.Integer({ minimum: 0, maximum: 23, description: 'local hour of the day' })),
    busiestHourShare: Nullable(Type.Number()),
    meanVisitSeconds: Nullable(Type.Number()),
    size: Count,
    holdSeconds: Type.Integer(),
    exhaustedCount: Count,
    lastExhaustedAt: Nullable(Timestamp),
    peakBusy: Type.Integer({ description: 'most numbers busy at once over the last peakWindowHours' }),
    peakAt: Nullable(Timestamp),
    peakWindowHours: Type.Integer(),
  }),
  ruleOfTwenty: Type.Integer({
    description: "ceil(observed daily visitors / 20), the industry rule's figure",
  }),
  recommendation: Nullable(SizingSchema),
});
