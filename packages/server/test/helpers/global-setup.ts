import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
  }
}

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Finds the real PostgreSQL server once for the whole run. RINGTRACE_TEST_POSTGRES_URL names it; without it the
 * default local server is tried. CI sets RINGTRACE_REQUIRE_POSTGRES=1, so a missing server fails the run instead of
 * silently skipping the PostgreSQL suite.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.RINGTRACE_TEST_POSTGRES_URL ?? DEFAULT_URL;
  const required = process.env.RINGTRACE_REQUIRE_POSTGRES === '1';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    project.provide('postgresUrl', url);
  } catch (error) {
    if (required) {
      throw new Error(
        `RINGTRACE_REQUIRE_POSTGRES=1 but PostgreSQL at ${url} is unreachable: ${String(error)}`,
      );
    }
    process.stderr.write(
      `[tests] no PostgreSQL server at ${url}: real-server tests skipped; SQLite and PGlite still run\n`,
    );
    project.provide('postgresUrl', null);
  } finally {
    await client.end().catch(() => {});
  }
}
