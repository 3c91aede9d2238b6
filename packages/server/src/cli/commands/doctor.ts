import { existsSync } from 'node:fs';
import { type Config, loadConfig } from '../../config.js';
import { connectDatabase } from '../../db/connect.js';
import { migrationState } from '../../db/migrate.js';

/** Checks configuration, database reachability and migration state; returns the exit code. */
export async function doctor(
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
    print('ok    configuration');
  } catch (error) {
    print(`FAIL  ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const where = config.databaseUrl.startsWith('sqlite:')
    ? config.databaseUrl
    : config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@');
  print(`      database ${where}`);
  print(`      data directory ${config.dataDir}${existsSync(config.dataDir) ? '' : ' (will be created)'}`);
  const database = connectDatabase(config.databaseUrl);
  try {
    const state = await migrationState(database.db, database.schema);
    print(`ok    database reachable (${database.dialect})`);
    if (state.pending.length > 0) {
      print(
        `WARN  ${state.pending.length} migration(s) pending: ${state.pending.join(', ')} (run "ringtrace migrate", or "serve" applies them)`,
      );
    } else {
      print(`ok    migrations: ${state.applied.length} applied, none pending`);
    }
    return 0;
  } catch (error) {
    print(`FAIL  database: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await database.close();
  }
}
