import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { apiKeyRoutes } from '../modules/access/api-key.routes.js';
import { crmWebhookRoutes } from '../modules/analytics/crm-webhook.routes.js';
import { dealRoutes } from '../modules/analytics/deal.routes.js';
import { reportRoutes } from '../modules/analytics/report.routes.js';
import { spendRoutes } from '../modules/analytics/spend.routes.js';
import { callRoutes } from '../modules/calls/call.routes.js';
import { genericWebhookRoutes } from '../modules/calls/generic-webhook.routes.js';
import { mangoRoutes } from '../modules/calls/mango.routes.js';
import { recordingLinkRoutes } from '../modules/calls/recording-link.routes.js';
import { twilioRoutes } from '../modules/calls/twilio.routes.js';
import { zadarmaRoutes } from '../modules/calls/zadarma.routes.js';
import { staticChannelRoutes } from '../modules/channels/static-channel.routes.js';
import { destinationRoutes } from '../modules/destinations/destination.routes.js';
import { integrationRoutes } from '../modules/integrations/integration.routes.js';
import { numberRoutes } from '../modules/numbers/number.routes.js';
import { poolRoutes } from '../modules/pools/pool.routes.js';
import { projectRoutes } from '../modules/projects/project.routes.js';
import { providerAccountRoutes } from '../modules/telephony/provider-account.routes.js';
import { trackerStatsRoutes } from '../modules/tracking/tracker-stats.routes.js';
import { trackingRoutes } from '../modules/tracking/tracking.routes.js';
import { authRoutes } from '../modules/users/user.routes.js';
import { userAdminRoutes } from '../modules/users/user-admin.routes.js';
import { registerAuth } from './auth.js';

/** Every route of the JSON API, registered explicitly so the map of the API is this one file. */
export async function registerApiRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const opts = { deps };
  // The JSON API in a scope of its own, with its key/session and tenancy hooks: the site script's routes (the hot
  // path) and the providers' webhooks, which authenticate by project key, signature or secret, never run them.
  await app.register(async (api) => {
    registerAuth(api, deps);
    // Setup changes reach the tracker's cache at once on this instance (other instances within seconds).
    api.addHook('onResponse', async (request) => {
      if (request.method !== 'GET' && request.url.startsWith('/api/v1/projects'))
        deps.services.tracking.invalidate();
    });
    await registerJsonApi(api, deps);
  });
  await app.register(trackingRoutes, opts);
  await app.register(twilioRoutes, { ...opts, prefix: '/webhooks/twilio/:accountId' });
  await app.register(mangoRoutes, { ...opts, prefix: '/webhooks/mango/:accountId' });
  await app.register(zadarmaRoutes, { ...opts, prefix: '/webhooks/zadarma/:accountId' });
  await app.register(genericWebhookRoutes, { ...opts, prefix: '/webhooks/generic/:accountId' });
  await app.register(crmWebhookRoutes, { ...opts, prefix: '/webhooks/crm/:linkId/:secret' });
  // Recordings by the signed links given to integrations (a CRM's player cannot send an API key).
  await app.register(recordingLinkRoutes, { ...opts, prefix: '/recordings' });
}

async function registerJsonApi(app: FastifyInstance, deps: Deps): Promise<void> {
  const opts = { deps };
  await app.register(projectRoutes, { ...opts, prefix: '/api/v1/projects' });
  await app.register(apiKeyRoutes, { ...opts, prefix: '/api/v1/api-keys' });
  await app.register(authRoutes, { ...opts, prefix: '/api/v1/auth' });
  await app.register(userAdminRoutes, { ...opts, prefix: '/api/v1/users' });
  const project = '/api/v1/projects/:projectId';
  await app.register(numberRoutes, { ...opts, prefix: `${project}/numbers` });
  await app.register(destinationRoutes, { ...opts, prefix: `${project}/destinations` });
  await app.register(staticChannelRoutes, { ...opts, prefix: `${project}/static-channels` });
  await app.register(poolRoutes, { ...opts, prefix: `${project}/pools` });
  await app.register(callRoutes, { ...opts, prefix: `${project}/calls` });
  await app.register(providerAccountRoutes, { ...opts, prefix: `${project}/provider-accounts` });
  await app.register(integrationRoutes, { ...opts, prefix: `${project}/integrations` });
  await app.register(spendRoutes, { ...opts, prefix: project });
  await app.register(dealRoutes, { ...opts, prefix: project });
  await app.register(reportRoutes, { ...opts, prefix: `${project}/reports` });
  await app.register(trackerStatsRoutes, { ...opts, prefix: `${project}/tracker` });
}
