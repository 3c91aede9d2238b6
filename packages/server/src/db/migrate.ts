import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from './migrations/index.js';

// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  return migrator(db).migrateToLatest();
}

export interface MigrationState {
  applied: string[];
  pending: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function migrationState(db: Kysely<any>): Promise<MigrationState> {
  const all = await migrator(db).getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}

/** Migrates and throws one readable error when any migration fails. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function migrateOrThrow(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await migrateToLatest(db);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
