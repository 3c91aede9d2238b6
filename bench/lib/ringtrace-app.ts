// A Ringtrace app built the way `ringtrace serve` builds it (the same config loader, logger, composition root and
// app; only the secret is fixed), on the database named by DATABASE_URL, migrated, with the first admin key and a
// helper that calls the API with it. Every benchmark that needs a server starts here; the server's code comes from
// its build (lib/server-build.ts).
import { fromBuild } from './server-build.js';

const { buildApp } = await fromBuild<typeof import('../../packages/server/src/app.js')>('app.js');
const { loadConfig } = await fromBuild<typeof import('../../packages/server/src/config.js')>('config.js');
const { connectDatabase } =
  await fromBuild<typeof import('../../packages/server/src/db/connect.js')>('db/connect.js');
const { migrateOrThrow } =
  await fromBuild<typeof import('../../packages/server/src/db/migrate.js')>('db/migrate.js');
const { createDeps } = await fromBuild<typeof import('../../packages/server/src/deps.js')>('deps.js');
const { createLogger } = await fromBuild<typeof import('../../packages/server/src/logger.js')>('logger.js');

export async function openRingtrace(env: Record<string, string> & { DATABASE_URL: string }) {
  const config = loadConfig({ LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent', ...env });
  const database = connectDatabase(config.databaseUrl, {
    preparedStatements: config.trackerPreparedStatements,
  });
  try {
    // As `ringtrace serve` does: on PostgreSQL the migrations' bookkeeping lives in the URL's search_path schema.
    await migrateOrThrow(database.db, database.schema);
    const deps = createDeps({
      config,
      log: createLogger(config),
      database,
      secretKey: 'bench-secret-key-0123456789abcdef0123',
    });
    const admin = await deps.services.apiKeys.bootstrapAdmin(undefined);
    if (!admin) throw new Error('the benchmark database is not empty');
    const app = await buildApp(deps);
    /** One API call with the admin key; anything but `status` is an error. */
    const api = async <T>(
      method: 'POST' | 'PATCH',
      url: string,
      payload: object,
      status = 201,
    ): Promise<T> => {
      const res = await app.inject({
        method,
        url,
        payload,
        headers: { authorization: `Bearer ${admin.token}` },
      });
      if (res.statusCode !== status) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json() as T;
    };
    return { config, database, deps, app, admin, api };
  } catch (error) {
    await database.close();
    throw error;
  }
}
