import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Deps } from './deps.js';
import { registerDashboard } from './http/dashboard.js';
import { registerErrorHandling } from './http/error-handler.js';
import { registerOpenApi } from './http/openapi.js';
import { registerApiRoutes } from './http/routes.js';
import { ErrorResponse } from './http/schemas.js';
import { validatorCompiler } from './http/validation.js';
import { ApiKeySchema } from './modules/access/api-key.routes.js';
import { StaticChannelSchema } from './modules/channels/static-channel.routes.js';
import { DestinationSchema } from './modules/destinations/destination.routes.js';
import { TrackingNumberSchema } from './modules/numbers/number.schemas.js';
import { PoolSchema } from './modules/pools/pool.routes.js';
import { ProjectSchema } from './modules/projects/project.schemas.js';
import { ProviderAccountSchema } from './modules/telephony/provider-account.routes.js';
import { VERSION } from './version.js';

/** Builds the HTTP application around ready dependencies. Never listens: tests use `inject`, `serve` listens. */
export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    // Per-request access logs would double the log volume of the tracker hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  registerErrorHandling(app);
  for (const schema of [
    ErrorResponse,
    ProjectSchema,
    ApiKeySchema,
    TrackingNumberSchema,
    DestinationSchema,
    StaticChannelSchema,
    PoolSchema,
    ProviderAccountSchema,
  ]) {
    app.addSchema(schema);
  }
  await registerOpenApi(app, VERSION);
  // Visits and leases are on disk before they are answered; heartbeats of the last second are written here.
  app.addHook('onClose', async () => deps.services.tracking.close());

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    await deps.database.db.selectFrom('project').select('id').limit(1).execute();
    return reply.send({ status: 'ok', version: VERSION });
  });

  await registerApiRoutes(app, deps);
  await registerDashboard(app);
  return app;
}
