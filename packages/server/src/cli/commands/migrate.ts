import type { Config } from '../../config.js';
import { connectDatabase } from '../../db/connect.js';
import { migrateOrThrow } from '../../db/migrate.js';

export async function migrate(config: Config, print: (line: string) => void): Promise<void> {
  const database = connectDatabase(config.databaseUrl);
  try {
    const applied = await migrateOrThrow(database.db, database.schema);
    if (applied.length === 0) print('database is up to date');
    for (const name of applied) print(`applied ${name}`);
  } finally {
    await database.close();
  }
}
