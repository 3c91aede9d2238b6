import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { connectDatabase, type DbHandle } from '../../src/db/connect.js';
import { migrateOrThrow } from '../../src/db/migrate.js';
import { createPgliteDb } from './pglite-dialect.js';

export interface TestDatabase {
  name: 'sqlite' | 'pglite' | 'postgres';
  /** A fresh, empty, migrated database of its own. */
  open(): Promise<DbHandle>;
}

const sqlite: TestDatabase = {
  name: 'sqlite',
  async open() {
    const handle = connectDatabase('sqlite::memory:');
    await migrateOrThrow(handle.db);
    return handle;
  },
};

const pglite: TestDatabase = {
  name: 'pglite',
  async open() {
    const { db, close } = createPgliteDb();
    await migrateOrThrow(db);
    return { db, dialect: 'postgres', close };
  },
};

/** The real server: each test database is a schema of its own, dropped on close. */
function realPostgres(url: string): TestDatabase {
  return {
    name: 'postgres',
    async open() {
      const schema = `rt_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      const scoped = new URL(url);
      scoped.searchParams.set('options', `-c search_path=${schema}`);
      const handle = connectDatabase(scoped.toString());
      await migrateOrThrow(handle.db, handle.schema);
      return {
        ...handle,
        async close() {
          await handle.close();
          const cleanup = new pg.Client({ connectionString: url });
          await cleanup.connect();
          await cleanup.query(`drop schema ${schema} cascade`);
          await cleanup.end();
        },
      };
    },
  };
}

/** Every database the storage and API tests must pass on. */
export function testDatabases(): TestDatabase[] {
  const url = inject('postgresUrl');
  return url ? [sqlite, pglite, realPostgres(url)] : [sqlite, pglite];
}
