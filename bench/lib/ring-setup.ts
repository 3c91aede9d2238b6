// A Ringtrace app ready for page views, built like `ringtrace serve` builds it (the same config loader, logger,
// composition root and app; only the secret is fixed): the database named by `databaseUrl` is opened and
// migrated, and a project with two site numbers and a pool of numbers is created through the HTTP API.
import { buildApp } from '../../packages/server/src/app.js';
import { loadConfig } from '../../packages/server/src/config.js';
import { connectDatabase } from '../../packages/server/src/db/connect.js';
import { migrateOrThrow } from '../../packages/server/src/db/migrate.js';
import { createDeps } from '../../packages/server/src/deps.js';
import { createLogger } from '../../packages/server/src/logger.js';

export const SITE_NUMBERS = ['+7 (495) 123-45-67', '8 800 555-35-35'];

export async function createRing(
  databaseUrl: string,
  options: { poolSize: number; holdSeconds: number; env?: Record<string, string> },
) {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    // Every benchmark request comes from 127.0.0.1: the per-address limit must not be what is measured.
    TRACKER_RATE_PER_MINUTE: '1000000',
    TRACKER_RATE_BURST: '1000000',
    ...options.env,
  });
  const database = connectDatabase(config.databaseUrl);
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

  const api = async <T>(url: string, payload: object, status = 201): Promise<T> => {
    const res = await app.inject({
      method: 'POST',
      url,
      payload,
      headers: { authorization: `Bearer ${admin.token}` },
    });
    if (res.statusCode !== status) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as T;
  };
  const project = await api<{ id: string; publicKey: string }>('/api/v1/projects', {
    name: 'Okna Bench',
    siteNumbers: SITE_NUMBERS,
  });
  const numbers = Array.from({ length: options.poolSize }, (_, i) => ({
    number: `+7499${String(1_000_000 + i).slice(-7)}`,
  }));
  const imported = await api<{ imported: { id: string }[] }>(
    `/api/v1/projects/${project.id}/numbers/import`,
    { numbers },
    200,
  );
  const pool = await api<{ id: string }>(`/api/v1/projects/${project.id}/pools`, {
    name: 'Весь сайт',
    priority: 100,
    holdSeconds: options.holdSeconds,
    exhaustionPolicy: 'reuse_oldest',
    numberIds: imported.imported.map((n) => n.id),
  });

  /** What the runs did to the database: visits, leases, how many leases were shared, dropped page views. */
  async function stats() {
    const db = database.db;
    const visits = await db
      .selectFrom('visit')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const leases = await db
      .selectFrom('lease')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('shared').as('shared')])
      .executeTakeFirstOrThrow();
    const row = await db
      .selectFrom('pool')
      .select('exhausted_count')
      .where('id', '=', pool.id)
      .executeTakeFirstOrThrow();
    return {
      visits: Number(visits.n),
      leases: Number(leases.n),
      sharedLeases: Number(leases.shared ?? 0),
      poolExhausted: row.exhausted_count,
      drops: { ...deps.services.tracking.drops },
    };
  }

  return { config, database, deps, app, project, poolId: pool.id, stats };
}
