// The Ringtrace server under test, run as a child process (forked by server-process.ts). argv: database URL,
// pool size, hold seconds, and optionally --trace-sql and --tracker-state=memory|shared. It sets up a project and a pool (ring-setup.ts), listens on
// 127.0.0.1 and tells its parent the port and the project's public key over IPC.
import { announce, serveParent } from './child-control.js';
import { createRing } from './ring-setup.js';
import { installSqlTrace, resetSqlTrace, sqlTraceReport } from './sql-trace.js';

const [databaseUrl = '', poolSize = '1000', holdSeconds = '900'] = process.argv.slice(2);
const traceSql = process.argv.includes('--trace-sql');
const state = process.argv.find((a) => a.startsWith('--tracker-state='))?.split('=')[1];
if (traceSql) installSqlTrace();

const ring = await createRing(databaseUrl, {
  poolSize: Number(poolSize),
  holdSeconds: Number(holdSeconds),
  ...(state && { env: { TRACKER_STATE: state } }),
});
await ring.app.listen({ host: ring.config.host, port: ring.config.port });
const address = ring.app.server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');

serveParent({
  stats: async () => ({ ...(await ring.stats()), ...(traceSql && { sql: sqlTraceReport() }) }),
  traceReset: resetSqlTrace,
  async close() {
    await ring.app.close();
    await ring.database.close();
  },
});
announce(address.port, ring.project.publicKey);
