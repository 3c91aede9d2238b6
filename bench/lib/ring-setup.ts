// A Ringtrace app ready for page views, built like `ringtrace serve` builds it (the same config loader, logger,
// composition root and app; only the secret is fixed): the database named by `databaseUrl` is opened and
// migrated, and a project with two site numbers and a pool of numbers is created through the HTTP API.
import { sql } from 'kysely';
import { openRingtrace } from './ringtrace-app.js';

export const SITE_NUMBERS = ['+7 (495) 123-45-67', '8 800 555-35-35'];

export async function createRing(
  databaseUrl: string,
  options: { poolSize: number; holdSeconds: number; env?: Record<string, string> },
) {
  const {
    config,
    database,
    deps,
    app,
    api: call,
  } = await openRingtrace({
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    // Every benchmark request comes from 127.0.0.1: the per-address limit must not be what is measured.
    TRACKER_RATE_PER_MINUTE: '1000000',
    TRACKER_RATE_BURST: '1000000',
    ...options.env,
  });
  const api = <T>(url: string, payload: object, status = 201) => call<T>('POST', url, payload, status);
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
    // With the benchmark's hold no visit outlives its lease: a visit on two numbers is a visitor whose number
    // changed in the middle of a visit (a bug the shared mode once had with two tabs in one group).
    const split = await sql<{ n: number }>`select count(*) as n from (select visit_id from lease
      group by visit_id having count(distinct tracking_number_id) > 1) as v`.execute(db);
    const row = await db
      .selectFrom('pool')
      .select('exhausted_count')
      .where('id', '=', pool.id)
      .executeTakeFirstOrThrow();
    return {
      visits: Number(visits.n),
      leases: Number(leases.n),
      sharedLeases: Number(leases.shared ?? 0),
      visitsOnTwoNumbers: Number(split.rows[0]?.n ?? 0),
      poolExhausted: row.exhausted_count,
      drops: { ...deps.services.tracking.drops },
    };
  }

  return { config, database, deps, app, project, poolId: pool.id, stats };
}
