import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
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
  const recordings = recordingsProblem(config.recordings);
  if (recordings) {
    print(`FAIL  ${recordings}`);
    return 1;
  }
  const kept = config.recordings.keepDays > 0 ? `, kept ${config.recordings.keepDays} days` : '';
  print(`      recordings ${config.recordings.dir} (copies ${config.recordings.copy ? 'on' : 'off'}${kept})`);
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

/** The copies of recordings go to RECORDINGS_DIR: it must be a directory Ringtrace can write (or create). */
function recordingsProblem(r: Config['recordings']): string | undefined {
  if (!r.copy) return undefined;
  let dir = r.dir;
  // The nearest path that exists is the folder that must be writable.
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const fix = `(RECORDINGS_DIR ${r.dir}; or set RECORDINGS_COPY=false)`;
  if (!statSync(dir).isDirectory()) return `recordings: ${dir} is not a directory ${fix}`;
  try {
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch {
    return `recordings: ${dir} is not writable ${fix}`;
  }
}
