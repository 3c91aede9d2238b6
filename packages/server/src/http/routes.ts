import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { apiKeyRoutes } from '../modules/access/api-key.routes.js';
import { callRoutes } from '../modules/calls/call.routes.js';
import { twilioRoutes } from '../modules/calls/twilio.routes.js';
import { staticChannelRoutes } from '../modules/channels/static-channel.routes.js';
import { destinationRoutes } from '../modules/destinations/destination.routes.js';
import { numberRoutes } from '../modules/numbers/number.routes.js';
import { poolRoutes } from '../modules/pools/pool.routes.js';
import { projectRoutes } from '../modules/projects/project.routes.js';
import { providerAccountRoutes } from '../modules/telephony/provider-account.routes.js';
import { trackingRoutes } from '../modules/tracking/tracking.routes.js';

/** Every route of the JSON API, registered explicitly so the map of the API is this one file. */
export async function registerApiRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const opts = { deps };
  await app.register(projectRoutes, { ...opts, prefix: '/api/v1/projects' });
  await app.register(apiKeyRoutes, { ...opts, prefix: '/api/v1/api-keys' });
  const project = '/api/v1/projects/:projectId';
  await app.register(numberRoutes, { ...opts, prefix: `${project}/numbers` });
  await app.register(destinationRoutes, { ...opts, prefix: `${project}/destinations` });
  await app.register(staticChannelRoutes, { ...opts, prefix: `${project}/static-channels` });
  await app.register(poolRoutes, { ...opts, prefix: `${project}/pools` });
  await app.register(callRoutes, { ...opts, prefix: `${project}/calls` });
  await app.register(providerAccountRoutes, { ...opts, prefix: `${project}/provider-accounts` });
  await app.register(trackingRoutes, opts);
  await app.register(twilioRoutes, { ...opts, prefix: '/webhooks/twilio/:accountId' });
}
