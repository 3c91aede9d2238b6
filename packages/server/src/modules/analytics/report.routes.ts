import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { scope } from '../../http/auth.js';
import { errorResponses, ProjectParams } from '../../http/schemas.js';
import { checkProjectBeforeValidation } from './project-first.js';
import { GROUPINGS, MODELS } from './report.js';
import { reportCsv } from './report-csv.js';

const Day = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'YYYY-MM-DD in the project time zone',
});
const ReportQuery = Type.Object({
  groupBy: Type.Union(
    GROUPINGS.map((g) => Type.Literal(g)),
    { default: 'channel' },
  ),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  model: Type.Union(
    MODELS.map((m) => Type.Literal(m)),
    { default: 'last_non_direct_click' },
  ),
  targetCallsOnly: Type.Boolean({ default: false }),
});

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const Metrics = {
  visits: Type.Integer(),
  calls: Type.Integer(),
  uniqueCallers: Type.Integer(),
  targetCalls: Type.Integer(),
  missedCalls: Type.Integer(),
  leads: Type.Integer(),
  deals: Type.Integer(),
  wonDeals: Type.Integer(),
  wonDealsFromCalls: Type.Integer(),
  revenue: Type.Number(),
  revenueFromCalls: Type.Number(),
  spend: Type.Number(),
  profit: Type.Number(),
  cpl: NullableNumber,
  costPerTargetCall: NullableNumber,
  callConversionRate: NullableNumber,
  romi: NullableNumber,
  avgConfidence: NullableNumber,
};
const ReportSchema = Type.Object({
  groupBy: Type.String(),
  model: Type.String({ description: 'the attribution model the figures use' }),
  from: Type.String(),
  to: Type.String(),
  timezone: Type.String(),
  currency: Type.String(),
  targetCallsOnly: Type.Boolean(),
  rows: Type.Array(
    Type.Object({
      kind: Type.String({
        description: 'group, unattributed (calls/deals with no source), unallocated_spend',
      }),
      key: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])),
      label: Type.String(),
      ...Metrics,
    }),
  ),
  totals: Type.Object(Metrics),
});

export async function reportRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const reports = deps.services.reports;
  checkProjectBeforeValidation(instance, deps);
  const tags = ['analytics'];
  const description =
    'Visits, calls, deals and spend of a period (local dates of the project) grouped one way. Money in the ' +
    'project currency (other currencies by the rate table; 409 if a rate is missing). Calls and deals are ' +
    'credited by the model (last non-direct click by default); a row of kind "unattributed" holds those with no ' +
    'source, so the rows add up to the totals.';

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'End-to-end report',
        description,
        params: ProjectParams,
        querystring: ReportQuery,
        response: { 200: ReportSchema, ...errorResponses },
      },
    },
    (request) => reports.run(scope(request).project, request.query),
  );

  app.get(
    '/csv',
    {
      schema: {
        tags,
        summary: 'End-to-end report as CSV',
        description,
        params: ProjectParams,
        querystring: ReportQuery,
        response: { 200: Type.String(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const report = await reports.run(scope(request).project, request.query);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="report-${report.groupBy}-${report.from}-${report.to}.csv"`,
        )
        .header('x-attribution-model', report.model)
        .send(reportCsv(report));
    },
  );
}
