import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from './migrations/index.js';

/**
 * Kysely looks for its bookkeeping tables in every schema; when several schemas share a server (tests, or several
 * installations on one database) it must be told which one is ours.
 */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
function migrator(db: Kysely<any>, schema?: string): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema && { migrationTableSchema: schema }),
  });
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<MigrationResultSet> {
  return migrator(db, schema).migrateToLatest();
}

export interface MigrationState {
  applied: string[];
  pending: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function migrationState(db: Kysely<any>, schema?: string): Promise<MigrationState> {
  const all = await migrator(db, schema).getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}

/** Migrates and throws one readable error when any migration fails. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function migrateOrThrow(db: Kysely<any>, schema?: string): Promise<string[]> {
  const { error, results } = await migrateToLatest(db, schema);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
