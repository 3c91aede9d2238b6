import { randomBytes } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { connectDatabase, markPrepared } from '../../src/db/connect.js';
import { migrateOrThrow } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';

const postgresUrl = inject('postgresUrl');

// The tracker's writes on PostgreSQL commit without waiting for the WAL flush (docs/architecture.md, "Tracker
// commits on PostgreSQL"); everything else, and the tracker with TRACKER_SYNC_COMMIT=true, waits. The tracker's
// pool also prepares the statements marked for it (db/connect.ts, markPrepared).
describe.skipIf(!postgresUrl)('commits on PostgreSQL', () => {
  const setting = (db: import('../../src/db/connect.js').Db) =>
    sql<{
      c: string;
      p: string;
    }>`select current_setting('synchronous_commit') as c, current_setting('search_path') as p`
      .execute(db)
      .then((r) => r.rows[0]);

  it('gives the tracker sessions that do not wait for the flush, in the URL’s own schema', async () => {
    const schema = `rt_commit_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl as string });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const url = new URL(postgresUrl as string);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const handle = connectDatabase(url.toString());
    try {
      await migrateOrThrow(handle.db, handle.schema);
      expect(await setting(handle.db)).toEqual({ c: 'on', p: schema });
      expect(handle.asyncCommitDb).toBeDefined();
      expect(await setting(handle.asyncCommitDb as NonNullable<typeof handle.asyncCommitDb>)).toEqual({
        c: 'off',
        p: schema,
      });

      const trackerDb = (env: Record<string, string>) => {
        const config = loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: 'silent', ...env });
        const deps = createDeps({
          config,
          log: createLogger(config),
          database: handle,
          secretKey: 'k'.repeat(32),
        });
        // The shared state's groups run on the tracker's connection (TrackerGroups keeps it as `db`).
        return (deps.services.tracking as unknown as { groups: { db: unknown } }).groups.db;
      };
      expect(trackerDb({})).toBe(handle.asyncCommitDb);
      expect(trackerDb({ TRACKER_SYNC_COMMIT: 'true' })).toBe(handle.db);

      // Statements marked by markPrepared are prepared by name on the tracker's pool, once per connection, and run
      // again by it; others are not, nor on the app's own pool.
      const tracker = handle.asyncCommitDb as NonNullable<typeof handle.asyncCommitDb>;
      const marked = markPrepared('select count(*)::int as n from tracking_number where pool_id = $1');
      const unmarked = 'select count(*)::int as n from tracking_number where project_id = $1';
      const preparedOn = (db: typeof tracker) =>
        db.connection().execute(async (c) => {
          for (const value of ['a', 'b', 'c'])
            for (const text of [marked, unmarked])
              expect((await c.executeQuery(CompiledQuery.raw(text, [value]))).rows).toEqual([{ n: 0 }]);
          const { rows } = await c.executeQuery<{ name: string; statement: string }>(
            CompiledQuery.raw('select name, statement from pg_prepared_statements'),
          );
          return rows;
        });
      const prepared = await preparedOn(tracker);
      expect(prepared.map((p) => p.statement)).toEqual([marked]);
      expect(prepared[0]?.name).toMatch(/^rt_\d+$/);
      expect(await preparedOn(handle.db)).toEqual([]);
      // TRACKER_PREPARED_STATEMENTS=false (behind a pooler that cannot keep them): the tracker's pool prepares none.
      const unpreparing = connectDatabase(url.toString(), { preparedStatements: false });
      try {
        expect(await preparedOn(unpreparing.asyncCommitDb as typeof tracker)).toEqual([]);
      } finally {
        await unpreparing.close();
      }
    } finally {
      await handle.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });
});
