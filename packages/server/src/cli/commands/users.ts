import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { SYSTEM_PRINCIPAL } from '../../modules/access/access.js';
import { openContext } from '../context.js';

type Print = (line: string) => void;

/** `ringtrace user create --email … --password … --role admin|analyst (--project ID … | --all-projects)` */
export async function userCreate(
  config: Config,
  args: {
    email?: string;
    password?: string;
    name?: string;
    role?: string;
    project?: string[];
    'all-projects'?: boolean;
  },
  print: Print,
) {
  if (!args.email || !args.password) {
    throw new AppError('validation_failed', 'user create needs --email and --password');
  }
  const role = args.role ?? 'analyst';
  if (role !== 'admin' && role !== 'analyst')
    throw new AppError('validation_failed', '--role must be admin or analyst');
  if (!args['all-projects'] && (args.project ?? []).length === 0) {
    throw new AppError('validation_failed', 'user create needs --project ID (repeatable) or --all-projects');
  }
  const deps = await openContext(config);
  try {
    for (const id of args.project ?? []) await deps.services.projects.get(SYSTEM_PRINCIPAL, id);
    const user = await deps.services.users.create({
      email: args.email,
      password: args.password,
      ...(args.name && { name: args.name }),
      role,
      allProjects: args['all-projects'] ?? false,
      projectIds: args.project ?? [],
    });
    print(
      `created ${user.role} user ${user.email} (${user.allProjects ? 'all projects' : user.projectIds.join(', ')})`,
    );
  } finally {
    await deps.database.close();
  }
}
