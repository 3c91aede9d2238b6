import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { DbHandle } from '../../src/db/connect.js';
import { createDeps, type Deps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  clock: ManualClock;
  adminToken: string;
  /** inject() with the admin key unless another token (or null for none) is given. */
  call(options: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function createTestApp(database: DbHandle, env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'silent',
    // The fake CRMs, analytics and webhook receivers listen on 127.0.0.1.
    INTEGRATION_ALLOW_PRIVATE_NETWORKS: 'true',
    ...env,
  });
  const clock = new ManualClock();
  const deps = createDeps({
    config,
    log: createLogger(config),
    database,
    clock,
    secretKey: 'test-secret-key-0123456789abcdef0123',
  });
  const created = await deps.services.apiKeys.bootstrapAdmin(undefined);
  if (!created) throw new Error('test database was not empty');
  const app = await buildApp(deps);
  await app.ready();
  return {
    app,
    deps,
    clock,
    adminToken: created.token,
    call({ token, headers, ...options }) {
      const auth = token === null ? {} : { authorization: `Bearer ${token ?? created.token}` };
      return app.inject({ ...options, headers: { ...auth, ...headers } });
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
