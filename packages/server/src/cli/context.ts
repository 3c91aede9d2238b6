import type { Config } from '../config.js';
import { connectDatabase } from '../db/connect.js';
import { migrateOrThrow } from '../db/migrate.js';
import { createDeps, type Deps } from '../deps.js';
import { createLogger } from '../logger.js';
import { resolveSecretKey } from '../secret.js';

/** Opens the database (migrating it unless told not to) and wires the services, as `serve` does. */
export async function openContext(
  config: Config,
  options: { migrate: boolean } = { migrate: true },
): Promise<Deps> {
  const log = createLogger(config);
  const database = connectDatabase(config.databaseUrl, {
    preparedStatements: config.trackerPreparedStatements,
  });
  try {
    if (options.migrate) {
      const applied = await migrateOrThrow(database.db, database.schema);
      if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  return createDeps({ config, log, database, secretKey: resolveSecretKey(config.secretKey, config.dataDir) });
}
