// A Ringtrace app built the way `ringtrace serve` builds it (the same config loader, logger, composition root and
// app; only the secret is fixed), on the database named by DATABASE_URL, migrated, with the first admin key and a
// helper that calls the API with it. Every benchmark that needs a server starts here.
//
// The app is the build that `npm start` runs (packages/server/dist, which bench/run.mjs builds first), not the
// sources through tsx: tsx's output wraps functions in a naming helper, and the tracker measured ~7% slower so.
// The types still come from the sources.
const built = (path: string) => new URL(`../../packages/server/dist/${path}`, import.meta.url).href;
const { buildApp } = (await import(built('app.js'))) as typeof import('../../packages/server/src/app.js');
const { loadConfig } = (await import(
  built('config.js')
)) as typeof import('../../packages/server/src/config.js');
const { connectDatabase } = (await import(
  built('db/connect.js')
)) as typeof import('../../packages/server/src/db/connect.js');
const { migrateOrThrow } = (await import(
  built('db/migrate.js')
)) as typeof import('../../packages/server/src/db/migrate.js');
const { createDeps } = (await import(built('deps.js'))) as typeof import('../../packages/server/src/deps.js');
const { createLogger } = (await import(
  built('logger.js')
)) as typeof import('../../packages/server/src/logger.js');

export async function openRingtrace(env: Record<string, string> & { DATABASE_URL: string }) {
  const config = loadConfig({ LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent', ...env });
  const database = connectDatabase(config.databaseUrl);
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
