import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import { startCheckpointer, WAL_SIZE_LIMIT } from './sqlite-checkpointer.js';

export type Db = Kysely<Database>;
export type DialectName = 'sqlite' | 'postgres';

export interface DbHandle {
  readonly db: Db;
  readonly dialect: DialectName;
  /** The PostgreSQL schema named by `?options=-c search_path=…` in the URL, if any (migrations live there). */
  readonly schema?: string;
  /** The SQLite file, when the database is one (not `:memory:`): a writer thread may open it too. */
  readonly file?: string;
  /**
   * PostgreSQL only: a second pool whose sessions commit without waiting for the WAL flush (`synchronous_commit =
   * off`), for the tracker's page-view writes (docs/architecture.md, "Tracker commits on PostgreSQL").
   */
  readonly asyncCommitDb?: Db;
  close(): Promise<void>;
}

/**
 * Opens the database named by a `sqlite:` or `postgres://` URL. Does not migrate. `preparedStatements: false`
 * keeps the tracker's pool from preparing statements (TRACKER_PREPARED_STATEMENTS).
 */
export function connectDatabase(url: string, options: { preparedStatements?: boolean } = {}): DbHandle {
  return url.startsWith('sqlite:')
    ? connectSqlite(url.slice('sqlite:'.length))
    : connectPostgres(url, options.preparedStatements ?? true);
}

function connectSqlite(path: string): DbHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  // WAL lets readers run beside the single writer; NORMAL sync is durable across application crashes.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  if (path === ':memory:') return { db, dialect: 'sqlite', close: () => db.destroy() };
  // Checkpoints copy the WAL back into the database file and fsync it: tens of milliseconds that would otherwise
  // land inside whichever commit crosses the threshold, on the event loop. A thread of their own does them.
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  const checkpoints = startCheckpointer(path);
  return {
    db,
    dialect: 'sqlite',
    file: path,
    async close() {
      await checkpoints.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely's SQLite driver prepares every query anew, and preparing costs more than running the tracker's small
 * statements. The same SQL text always gets the same prepared statement here. Safe because Kysely runs one query
 * at a time on its single SQLite connection; queries with variable-length IN lists make new texts, so the cache is
 * bounded.
 */
function withStatementCache(sqlite: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      // Transactions take the write lock when they begin: a deferred one that has read would fail at once with
      // SQLITE_BUSY when it tries to write after another connection (the writer thread) has committed.
      const sql = text === 'begin' ? 'begin immediate' : text;
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

// bigint (int8) holds epoch milliseconds and money in minor units, both far below 2^53.
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** Statement texts marked to be prepared (markPrepared), and their names: the same on every connection. */
const preparedNames = new Map<string, string>();
/** The marked statements are fixed texts of a few shapes; more than this would mean texts that vary. */
const MAX_PREPARED = 200;

/**
 * Marks a statement's text to be prepared by name on the tracker's pool (PreparingClient), and returns it. pg then
 * parses it once per connection instead of at every run, and PostgreSQL may keep a generic plan for it when that
 * costs no more than planning each time (`plan_cache_mode` auto). Only for the tracker's statements that run for
 * every group or batch and whose plan cannot go wrong for other values: with the state shared, parsing and planning
 * took ~30% of PostgreSQL's time per page view (pg_stat_statements), and PostgreSQL shares the app's cores. Not for
 * any statement: a generic plan chosen while a table was small stays until the table's statistics change (an
 * `UPDATE … FROM (VALUES …)` of leases kept a plan that took 9 ms a run, where planning each run took 0.1 ms).
 */
export function markPrepared(text: string): string {
  if (!preparedNames.has(text) && preparedNames.size < MAX_PREPARED)
    preparedNames.set(text, `rt_${preparedNames.size}`);
  return text;
}

/** A client that prepares the statements marked by markPrepared; the others run as pg runs them (unnamed). */
class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: forwards every overload of pg's query() as it is.
  override query(config: any, values?: any, callback?: any): any {
    const name = typeof config === 'string' ? preparedNames.get(config) : undefined;
    if (name && Array.isArray(values)) return super.query({ name, text: config, values }, callback);
    return super.query(config, values, callback);
  }
}

function connectPostgres(url: string, preparedStatements: boolean): DbHandle {
  const options = new URL(url).searchParams.get('options') ?? '';
  const open = (max: number, extraOptions?: string, Client?: typeof pg.Client) => {
    // Added to the URL's own `options` (a search_path), which would override an `options` setting of the pool.
    let connectionString = url;
    if (extraOptions) {
      const withOptions = new URL(url);
      withOptions.searchParams.set('options', `${options} ${extraOptions}`.trim());
      connectionString = withOptions.toString();
    }
    const pool = new pg.Pool({
      connectionString,
      max,
      types: pgTypes as pg.CustomTypesConfig,
      ...(Client && { Client }),
    });
    // An idle client that loses its server must not crash the process; the next query reports the error.
    pool.on('error', () => {});
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  };
  const db = open(10);
  // Connects only when first used: by the tracker's groups or batches, four at a time at most.
  const asyncCommitDb = open(
    6,
    '-c synchronous_commit=off',
    preparedStatements ? PreparingClient : undefined,
  );
  const schema = /search_path=([A-Za-z_][A-Za-z0-9_]*)/.exec(options)?.[1];
  return {
    db,
    dialect: 'postgres',
    asyncCommitDb,
    ...(schema && { schema }),
    async close() {
      await asyncCommitDb.destroy();
      await db.destroy();
    },
  };
}
