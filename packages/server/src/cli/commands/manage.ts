import { readFileSync } from 'node:fs';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { SYSTEM_PRINCIPAL } from '../../modules/access/access.js';
import { parseNumbersCsv } from '../../modules/numbers/number-import.js';
import { openContext } from '../context.js';

type Print = (line: string) => void;

export async function projectCreate(
  config: Config,
  args: { name?: string; country?: string; timezone?: string; currency?: string },
  print: Print,
) {
  if (!args.name) throw new AppError('validation_failed', 'project create needs --name');
  const deps = await openContext(config);
  try {
    const project = await deps.services.projects.create(SYSTEM_PRINCIPAL, {
      name: args.name,
      ...(args.country && { country: args.country }),
      ...(args.timezone && { timezone: args.timezone }),
      ...(args.currency && { currency: args.currency }),
    });
    print(JSON.stringify(project, null, 2));
  } finally {
    await deps.database.close();
  }
}

export async function apiKeyCreate(
  config: Config,
  args: { name?: string; role?: string; project?: string[]; 'all-projects'?: boolean },
  print: Print,
) {
  const role = args.role ?? 'admin';
  if (role !== 'admin' && role !== 'analyst')
    throw new AppError('validation_failed', '--role must be admin or analyst');
  if (!args['all-projects'] && (args.project ?? []).length === 0) {
    throw new AppError(
      'validation_failed',
      'apikey create needs --project ID (repeatable) or --all-projects',
    );
  }
  const deps = await openContext(config);
  try {
    for (const id of args.project ?? []) await deps.services.projects.get(SYSTEM_PRINCIPAL, id);
    const { key, token } = await deps.services.apiKeys.create({
      name: args.name ?? 'cli',
      role,
      allProjects: args['all-projects'] ?? false,
      projectIds: args.project ?? [],
    });
    print(
      `created ${key.role} key ${key.id} (${key.allProjects ? 'all projects' : key.projectIds.join(', ')})`,
    );
    print(token);
  } finally {
    await deps.database.close();
  }
}

export async function numbersImport(
  config: Config,
  file: string | undefined,
  args: { project?: string[]; partial?: boolean },
  print: Print,
) {
  const projectId = args.project?.[0];
  if (!file || !projectId)
    throw new AppError('validation_failed', 'usage: ringtrace numbers import FILE --project ID [--partial]');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AppError('validation_failed', `cannot read ${file}`);
  }
  const rows = file.endsWith('.json') ? jsonRows(text) : parseNumbersCsv(text);
  const deps = await openContext(config);
  try {
    const project = await deps.services.projects.get(SYSTEM_PRINCIPAL, projectId);
    const result = await deps.services.numbers.import(project, rows, { partial: args.partial ?? false });
    print(
      `imported ${result.imported.length}, already present ${result.skipped.length}, rejected ${result.problems.length}`,
    );
    for (const p of result.problems) print(`  row ${p.row} "${p.input}": ${p.code}: ${p.reason}`);
  } finally {
    await deps.database.close();
  }
}

function jsonRows(text: string) {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 'the file is not valid JSON');
  }
  const list = Array.isArray(data) ? data : (data as { numbers?: unknown }).numbers;
  if (!Array.isArray(list))
    throw new AppError('validation_failed', 'expected a JSON array of rows or {"numbers": [...]}');
  return list.map((row, index) => ({
    line: index + 1,
    input:
      typeof row === 'string'
        ? { number: row }
        : { ...(row as object), number: String((row as { number?: unknown }).number ?? '') },
  }));
}
