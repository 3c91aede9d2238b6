import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../../src/db/database.js';

/**
 * PostgreSQL in-process (PGlite, real Postgres compiled to WASM), so that the PostgreSQL dialect is tested on a
 * machine without a server. Kysely's PostgresDialect only needs a pool whose clients answer `query`.
 */
export function createPgliteDb(): { db: Kysely<Database>; close(): Promise<void> } {
  const pglite = new PGlite({ parsers: { 20: Number, 1700: Number } });
  let queue: Promise<void> = Promise.resolve();
  // PGlite is one connection: hand it to one Kysely "client" at a time so transactions never interleave.
  const pool = {
    async connect() {
      let release!: () => void;
      const previous = queue;
      queue = new Promise<void>((resolve) => {
        release = resolve;
      });
      await previous;
      return {
        async query(sql: string, params: unknown[]) {
          const result = await pglite.query<Record<string, unknown>>(sql, params);
          const command = sql.trimStart().split(/\s+/, 1)[0]?.toUpperCase();
          return { command, rowCount: result.affectedRows ?? 0, rows: result.rows };
        },
        release,
      };
    },
    async end() {
      await pglite.close();
    },
  };
  // biome-ignore lint/suspicious/noExplicitAny: structural stand-in for pg.Pool
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as any }) });
  return { db, close: () => db.destroy() };
}
