#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import { doctor } from './commands/doctor.js';
import { apiKeyCreate, numbersImport, projectCreate } from './commands/manage.js';
import { migrate } from './commands/migrate.js';
import { serve } from './commands/serve.js';
import { userCreate } from './commands/users.js';

const USAGE = `usage: ringtrace <command>

  serve                         start the server (migrates the database first)
  migrate                       apply pending database migrations
  doctor                        check configuration, database and migrations
  project create --name NAME [--country RU] [--timezone Europe/Moscow] [--currency RUB]
  apikey create --name NAME --role admin|analyst (--project ID ... | --all-projects)
  numbers import FILE --project ID [--partial]    CSV (header: number,label,…) or JSON
  user create --email E --password P --role admin|analyst [--name N] (--project ID ... | --all-projects)

Configuration comes from the environment: see docs/configuration.md.`;

const print = (line: string) => process.stdout.write(`${line}\n`);

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      country: { type: 'string' },
      timezone: { type: 'string' },
      currency: { type: 'string' },
      role: { type: 'string' },
      project: { type: 'string', multiple: true },
      'all-projects': { type: 'boolean' },
      partial: { type: 'boolean' },
      email: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, arg] = positionals;
  if (values.help || command === undefined || command === 'help') {
    print(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'doctor') return doctor(env, print);
  const config = loadConfig(env);
  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'serve':
      await serve(config);
      return -1; // keeps running
    case 'migrate':
      await migrate(config, print);
      return 0;
    case 'project create':
      await projectCreate(config, values, print);
      return 0;
    case 'apikey create':
      await apiKeyCreate(config, values, print);
      return 0;
    case 'user create':
      await userCreate(config, values, print);
      return 0;
    case 'numbers import':
      await numbersImport(config, arg, values, print);
      return 0;
    default:
      process.stderr.write(`unknown command "${positionals.join(' ')}"\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof AppError)
      process.stderr.write(`error: ${error.message}\n`);
    else if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
    } else
      process.stderr.write(
        `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
