import SqliteDatabase from 'better-sqlite3';
import { type CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrateOrThrow } from '../../src/db/migrate.js';
import { findPreviousCall } from '../../src/modules/calls/call.repository.js';
import { leasesOfNumbers } from '../../src/modules/pools/pool.repository.js';
import { leasesAround } from '../../src/modules/tracking/tracking.repository.js';

// The lookups every incoming call makes must read an index range bounded by the call, never a range that grows
// with the project's history. SQLite has no statistics until ANALYZE, so its choice among indexes is checked here
// on the exact SQL the repository sends (PostgreSQL chooses by its statistics).
describe('query plans of the call path on SQLite', () => {
  const sqlite = new SqliteDatabase(':memory:');
  const sent: CompiledQuery[] = [];
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: (event) => {
      if (event.level === 'query') sent.push(event.query);
    },
  });
  beforeAll(() => migrateOrThrow(db));
  afterAll(() => db.destroy());

  /** The plan of the one statement `run` sends. */
  const planOf = async (run: () => Promise<unknown>) => {
    sent.length = 0;
    await run();
    expect(sent).toHaveLength(1);
    const query = sent[0] as CompiledQuery;
    return sqlite
      .prepare(`explain query plan ${query.sql}`)
      .all(...(query.parameters as unknown[]))
      .map((row) => (row as { detail: string }).detail)
      .join('; ');
  };

  it('finds who held a number around a call by the leases that ended after the look-back', async () => {
    const plan = await planOf(() => leasesAround(db, 'n1', 1_000_000, 3_600_000));
    expect(plan).toContain('USING INDEX lease_number_expires_idx (tracking_number_id=? AND expires_at>?)');
  });

  it('finds the leases of a pool since a moment by number, for the pool usage', async () => {
    const plan = await planOf(() => leasesOfNumbers(db, ['n1', 'n2'], 1_000_000));
    expect(plan).toContain('USING INDEX lease_number_expires_idx (tracking_number_id=? AND expires_at>?)');
  });

  it("finds the caller's previous call by project and caller, not by the project's calls in the window", async () => {
    const plan = await planOf(() => findPreviousCall(db, 'p1', '+74951234567', 0, 1_000_000, 'first'));
    expect(plan).toContain('USING INDEX call_project_caller_idx (project_id=? AND caller=?)');
  });
});
