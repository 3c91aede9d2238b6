import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { scope } from '../../http/auth.js';
import { errorResponses, ProjectParams } from '../../http/schemas.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a UTC day, YYYY-MM-DD' });
const Counts = {
  bot: Type.Integer({ description: 'bots, crawlers, headless browsers and HTTP clients' }),
  rate_limited: Type.Integer({ description: 'page views above the per-address limit (TRACKER_RATE_*)' }),
  invalid_url: Type.Integer({ description: 'reports whose page URL was not http(s)' }),
};
const DropsSchema = Type.Object({
  from: Day,
  to: Day,
  days: Type.Array(Type.Object({ day: Day, ...Counts })),
  total: Type.Object(Counts),
});

const MAX_DAYS = 366;

/** What the tracker filtered out of a project's traffic: the page views that got no number, and why. */
export async function trackerStatsRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/drops',
    {
      schema: {
        tags: ['tracker'],
        summary: 'Page views the tracker dropped, per day and reason',
        description:
          'Bots and automated browsers, floods from one address and bad reports get no number and no visit; ' +
          'they are counted here per UTC day. The last second of counts may not be in yet.',
        params: ProjectParams,
        querystring: Type.Object({ from: Day, to: Day }),
        response: { 200: DropsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
      if (!(span >= 0) || span > MAX_DAYS)
        throw new AppError(
          'validation_failed',
          `from must not be after to, and the range at most ${MAX_DAYS} days`,
        );
      const days = await deps.services.tracking.dropsOf(scope(request).project.id, from, to);
      const total = { bot: 0, rate_limited: 0, invalid_url: 0 };
      for (const d of days) for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += d[k];
      return { from, to, days, total };
    },
  );
}
