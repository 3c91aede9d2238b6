// Per-statement timing for the benchmark server (`--trace-sql`): wraps better-sqlite3's prepare() and the
// statement's run/all/get, and pg's Client#query, so the report can say which statements the time goes to.
// SQLite times are CPU spent in the calling thread (the driver is synchronous); PostgreSQL times are round trips,
// from handing the query to the driver until its result is in.
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

interface Entry {
  /** Executions. */
  count: number;
  /** Prepares: fewer than executions when the driver (db/connect.ts) caches statements. */
  prepares: number;
  prepareMs: number;
  executeMs: number;
}

const entries = new Map<string, Entry>();
const entryFor = (sql: string) => {
  const key = sql.replace(/\s+/g, ' ').replace(/\((?:\$?\d*|\?)(?:, (?:\$?\d+|\?))+\)/g, '(…)');
  const entry = entries.get(key) ?? { count: 0, prepares: 0, prepareMs: 0, executeMs: 0 };
  entries.set(key, entry);
  return entry;
};

type Method = (...args: unknown[]) => unknown;

export function installSqlTrace(): void {
  const sqlite = SqliteDatabase.prototype as unknown as { prepare: Method };
  const prepare = sqlite.prepare;
  sqlite.prepare = function (this: unknown, ...args: unknown[]) {
    const started = performance.now();
    const statement = prepare.apply(this, args) as Record<string, Method>;
    const entry = entryFor(String(args[0]));
    entry.prepares += 1;
    entry.prepareMs += performance.now() - started;
    for (const name of ['run', 'all', 'get']) {
      const original = statement[name];
      if (!original) continue;
      statement[name] = (...callArgs: unknown[]) => {
        entry.count += 1;
        const at = performance.now();
        try {
          return original.apply(statement, callArgs);
        } finally {
          entry.executeMs += performance.now() - at;
        }
      };
    }
    return statement;
  };

  const client = pg.Client.prototype as unknown as { query: Method };
  const query = client.query;
  client.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0] as string | { text?: string };
    const entry = entryFor(typeof config === 'string' ? config : (config?.text ?? ''));
    entry.count += 1;
    const started = performance.now();
    const result = query.apply(this, args);
    if (result instanceof Promise) {
      const stop = () => {
        entry.executeMs += performance.now() - started;
      };
      result.then(stop, stop);
    }
    return result;
  };
}

/** The statements that took the most time, per call and in all, in microseconds and milliseconds. */
export function sqlTraceReport(top = 15) {
  return [...entries]
    .map(([sql, e]) => ({
      sql: sql.length > 140 ? `${sql.slice(0, 137)}...` : sql,
      count: e.count,
      prepareUs: e.prepares > 0 ? Math.round((1000 * e.prepareMs) / e.prepares) : 0,
      executeUs: Math.round((1000 * e.executeMs) / e.count),
      totalMs: Math.round(e.prepareMs + e.executeMs),
    }))
    .filter((e) => e.count > 0)
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top);
}

export function resetSqlTrace(): void {
  // Zeroed, not dropped: statements prepared before (a driver's statement cache) keep their entries.
  for (const entry of entries.values()) {
    entry.count = 0;
    entry.prepares = 0;
    entry.prepareMs = 0;
    entry.executeMs = 0;
  }
}
