// A Ringtrace server ready for Twilio voice webhooks, run as a child process (forked by calls.bench.ts): built
// like `ringtrace serve` builds it, with PUBLIC_URL set, a project whose default destination is a phone number, a
// pool of numbers, a Twilio provider account and `leases` rows of lease history over the last days, inserted
// directly. argv: database URL, pool size, lease count, and optionally --trace-sql. Announces the port and, as its "public key", a JSON
// `{ voiceUrl, authToken, numbers }` (the pool's numbers, to dial).
import type { Insertable } from 'kysely';
import type { LeaseTable } from '../../packages/server/src/db/database.js';
import { announce, serveParent } from './child-control.js';
import { openRingtrace } from './ringtrace-app.js';
import { fromBuild } from './server-build.js';
import { installSqlTrace, resetSqlTrace, sqlTraceReport } from './sql-trace.js';

const { newId } = await fromBuild<typeof import('../../packages/server/src/ids.js')>('ids.js');

export const PUBLIC_URL = 'https://ct.example.com';
const AUTH_TOKEN = 'f7c3a1e9d2b84c56a0e1f2d3c4b5a697';

const [databaseUrl = '', poolSize = '1000', leaseCount = '100000'] = process.argv.slice(2);
const traceSql = process.argv.includes('--trace-sql');
if (traceSql) installSqlTrace();

const { config, database, app, api } = await openRingtrace({
  DATABASE_URL: databaseUrl,
  HOST: '127.0.0.1',
  PORT: '0',
  PUBLIC_URL,
});

const project = await api<{ id: string }>('POST', '/api/v1/projects', {
  name: 'Okna Bench',
  siteNumbers: ['+74951234567'],
});
const dest = await api<{ id: string }>('POST', `/api/v1/projects/${project.id}/destinations`, {
  name: 'Офис',
  kind: 'phone',
  target: '+74957778899',
});
await api('PATCH', `/api/v1/projects/${project.id}`, { defaultDestinationId: dest.id }, 200);
const numbers = Array.from({ length: Number(poolSize) }, (_, i) => `+7499${String(1_000_000 + i).slice(-7)}`);
const imported = await api<{ imported: { id: string }[] }>(
  'POST',
  `/api/v1/projects/${project.id}/numbers/import`,
  { numbers: numbers.map((number) => ({ number })) },
  200,
);
const pool = await api<{ id: string }>('POST', `/api/v1/projects/${project.id}/pools`, {
  name: 'Весь сайт',
  priority: 100,
  holdSeconds: 900,
  exhaustionPolicy: 'reuse_oldest',
  numberIds: imported.imported.map((n) => n.id),
});
const account = await api<{ webhookUrls: { voice: string } }>(
  'POST',
  `/api/v1/projects/${project.id}/provider-accounts`,
  { provider: 'twilio', name: 'Twilio', credentials: { authToken: AUTH_TOKEN } },
);

// Lease history: `leaseCount` leases over the last 7 days, spread evenly over the pool's numbers; each number's
// leases follow one another (a 15-minute hold after the last page view), so the newest may still be live.
const now = Date.now();
const total = Number(leaseCount);
const perNumber = Math.ceil(total / imported.imported.length);
const span = 7 * 86_400_000;
const rows: Insertable<LeaseTable>[] = [];
const insertStarted = performance.now();
let inserted = 0;
for (let i = 0; i < total; i++) {
  const number = imported.imported[i % imported.imported.length]?.id as string;
  const slot = Math.floor(i / imported.imported.length);
  const started = now - span + Math.floor(((slot + Math.random() * 0.5) * span) / perNumber);
  const lastSeen = started + Math.floor(Math.random() * 600_000);
  const visitor = newId();
  rows.push({
    id: newId(),
    project_id: project.id,
    pool_id: pool.id,
    tracking_number_id: number,
    visit_id: newId(),
    visitor_id: visitor,
    started_at: started,
    last_seen_at: lastSeen,
    expires_at: lastSeen + 900_000,
    shared: 0,
    kind: 'dynamic',
  });
  if (rows.length === 500 || i === total - 1) {
    await database.db.insertInto('lease').values(rows).execute();
    inserted += rows.length;
    rows.length = 0;
  }
}
const insertSeconds = (performance.now() - insertStarted) / 1000;

await app.listen({ host: config.host, port: config.port });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');

serveParent({
  async stats() {
    const count = async (table: 'call' | 'lease') =>
      Number(
        (
          await database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      calls: await count('call'),
      leases: await count('lease'),
      leaseInsertSeconds: insertSeconds,
      inserted,
      ...(traceSql && { sql: sqlTraceReport() }),
    };
  },
  traceReset: resetSqlTrace,
  async close() {
    await app.close();
    await database.close();
  },
});
announce(
  address.port,
  JSON.stringify({ voiceUrl: account.webhookUrls.voice, authToken: AUTH_TOKEN, numbers }),
);
