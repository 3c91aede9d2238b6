import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { scope } from '../../http/auth.js';
import { errorResponses, Id, ProjectParams } from '../../http/schemas.js';
import { checkProjectBeforeValidation } from './project-first.js';
import { MAX_SPEND_ROWS, parseSpendCsv, SpendFormatError } from './spend-import.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, project time zone' });
const AdNetwork = Type.String({
  pattern: '^[a-z0-9][a-z0-9_.-]{0,49}$',
  description: "yandex_direct, google_ads, vk_ads… (as visits name them), or an offline channel's source",
});
const Text = Type.String({ maxLength: 500 });
const Amount = Type.Union([Type.Number(), Type.String({ maxLength: 40 })]);

const SpendRowBody = Type.Object(
  {
    date: Type.String({ maxLength: 20 }),
    campaign: Type.Optional(Text),
    adGroup: Type.Optional(Text),
    ad: Type.Optional(Text),
    keyword: Type.Optional(Text),
    impressions: Type.Optional(Amount),
    clicks: Type.Optional(Amount),
    cost: Amount,
    currency: Type.Optional(Type.String({ maxLength: 3 })),
  },
  { additionalProperties: false },
);

const ImportBody = Type.Object(
  {
    adNetwork: AdNetwork,
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    currency: Type.Optional(Type.String({ maxLength: 3 })),
    rows: Type.Array(SpendRowBody, { minItems: 1, maxItems: MAX_SPEND_ROWS }),
  },
  { additionalProperties: false },
);

const CsvQuery = Type.Object({
  adNetwork: AdNetwork,
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  currency: Type.Optional(Type.String({ maxLength: 3, description: 'for rows without a currency column' })),
});

const ImportResult = Type.Object({
  adNetwork: Type.String(),
  from: Type.String(),
  to: Type.String(),
  imported: Type.Integer(),
  replaced: Type.Integer(),
  totals: Type.Record(Type.String(), Type.Number()),
});

const SpendItem = Type.Object({
  id: Type.String(),
  day: Type.String(),
  adNetwork: Type.String(),
  campaign: Type.Union([Type.String(), Type.Null()]),
  adGroup: Type.Union([Type.String(), Type.Null()]),
  ad: Type.Union([Type.String(), Type.Null()]),
  keyword: Type.Union([Type.String(), Type.Null()]),
  impressions: Type.Integer(),
  clicks: Type.Integer(),
  cost: Type.Number(),
  currency: Type.String(),
  importId: Type.Union([Type.String(), Type.Null()]),
});

const Rate = Type.Object({ currency: Type.String(), rate: Type.Number() });

export async function spendRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const spend = deps.services.spend;
  checkProjectBeforeValidation(instance, deps);
  const tags = ['analytics'];

  for (const type of ['text/csv', 'text/tab-separated-values'])
    app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(
    '/spend',
    {
      schema: {
        tags,
        summary: "Import ad spend rows as JSON; replaces that network's spend for the period",
        params: ProjectParams,
        body: ImportBody,
        response: { 200: ImportResult, ...errorResponses },
      },
    },
    (request) => {
      const { rows, ...rest } = request.body;
      return spend.import(scope(request).project, {
        ...rest,
        rows: rows.map((input, i) => ({ line: i + 1, input })),
      });
    },
  );

  app.post(
    '/spend/import',
    {
      schema: {
        tags,
        summary: "Import an ad platform's CSV/TSV report export (Yandex Direct, Google Ads, VK Ads)",
        description:
          'Send the file as text/csv. Columns are recognised by their English or Russian headers (see ' +
          'docs/analytics.md). All-or-nothing: an unknown column, a bad date or a negative cost refuses the file ' +
          'with every problem and its line. The period (from..to, default the first and last date of the file) ' +
          'replaces what was imported for that network before, so re-importing never doubles.',
        params: ProjectParams,
        querystring: CsvQuery,
        body: Type.String({ description: 'the CSV or TSV text' }),
        response: { 200: ImportResult, ...errorResponses },
      },
    },
    (request) => {
      let parsed: ReturnType<typeof parseSpendCsv>;
      try {
        parsed = parseSpendCsv(request.body);
      } catch (error) {
        if (error instanceof SpendFormatError)
          throw new AppError('validation_failed', error.message, { problems: error.problems });
        throw error;
      }
      const { adNetwork, from, to, currency } = request.query;
      return spend.import(scope(request).project, {
        adNetwork,
        from,
        to,
        currency: currency ?? parsed.currencyHint,
        rows: parsed.rows,
      });
    },
  );

  app.get(
    '/spend',
    {
      schema: {
        tags,
        summary: 'Imported spend rows, by id; page with `after`',
        params: ProjectParams,
        querystring: Type.Object({
          from: Type.Optional(Day),
          to: Type.Optional(Day),
          adNetwork: Type.Optional(AdNetwork),
          after: Type.Optional(Id),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 1000 }),
        }),
        response: { 200: Type.Array(SpendItem), ...errorResponses },
      },
    },
    (request) => spend.list(scope(request).project.id, request.query),
  );

  app.get(
    '/currency-rates',
    {
      schema: {
        tags,
        summary: 'Rates that convert other currencies to the project currency in reports',
        params: ProjectParams,
        response: { 200: Type.Array(Rate), ...errorResponses },
      },
    },
    (request) => spend.rates(scope(request).project.id),
  );

  app.put(
    '/currency-rates',
    {
      schema: {
        tags,
        summary: 'Set rates: 1 unit of `currency` = `rate` units of the project currency',
        params: ProjectParams,
        body: Type.Object(
          {
            rates: Type.Array(
              Type.Object(
                { currency: Type.String({ minLength: 3, maxLength: 3 }), rate: Amount },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 200 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Rate), ...errorResponses },
      },
    },
    (request) => spend.setRates(scope(request).project, request.body.rates),
  );

  app.delete(
    '/currency-rates/:currency',
    {
      schema: {
        tags,
        summary: 'Remove a rate',
        params: Type.Object({
          projectId: Type.String({ maxLength: 64 }),
          currency: Type.String({ maxLength: 3 }),
        }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await spend.removeRate(scope(request).project.id, request.params.currency);
      return reply.status(204).send(null);
    },
  );
}
