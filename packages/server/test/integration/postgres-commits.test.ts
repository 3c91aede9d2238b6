import { randomBytes } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { migrateOrThrow } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';

const postgresUrl = inject('postgresUrl');

// The tracker's writes on PostgreSQL commit without waiting for the WAL flush (docs/architecture.md, "Tracker
// commits on PostgreSQL"); everything else, and the tracker with TRACKER_SYNC_COMMIT=true, waits. The tracker's
// pool also prepares its statements (db/connect.ts, PreparingClient).
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

      // The tracker's statements with parameters are prepared by name, once per connection, and run again by it.
      const tracker = handle.asyncCommitDb as NonNullable<typeof handle.asyncCommitDb>;
      const text = 'select count(*)::int as n from tracking_number where pool_id = $1';
      const prepared = await tracker.connection().execute(async (c) => {
        for (const pool of ['a', 'b', 'c'])
          expect((await c.executeQuery(CompiledQuery.raw(text, [pool]))).rows).toEqual([{ n: 0 }]);
        return (
          await c.executeQuery<{ name: string }>(
            CompiledQuery.raw('select name from pg_prepared_statements where statement = $1', [text]),
          )
        ).rows;
      });
      expect(prepared).toHaveLength(1);
      expect(prepared[0]?.name).toMatch(/^rt_\d+$/);
      // The app's own pool (everything but the tracker) does not prepare.
      const unprepared = await handle.db.connection().execute(async (c) => {
        await c.executeQuery(CompiledQuery.raw(text, ['a']));
        return (
          await c.executeQuery(CompiledQuery.raw('select count(*)::int as n from pg_prepared_statements'))
        ).rows;
      });
      expect(unprepared).toEqual([{ n: 0 }]);
    } finally {
      await handle.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });
});
