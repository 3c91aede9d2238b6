import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import { AppError } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Principal, Role } from '../access/access.js';
import {
  DUMMY_HASH_PROMISE,
  hashPassword,
  hashSessionToken,
  isEmail,
  MIN_PASSWORD_LENGTH,
  newSessionToken,
  normaliseEmail,
  SESSION_TOKEN_PATTERN,
  type User,
  verifyPassword,
} from './user.js';
import * as repo from './user.repository.js';

export interface NewUser {
  email: string;
  password: string;
  name?: string;
  role: Role;
  allProjects?: boolean;
  projectIds?: string[];
}

/** Sessions slide: each use (at most once a minute) pushes the end SESSION_TTL_MS further. */
export const SESSION_TTL_MS = 14 * 24 * 3_600_000;
const TOUCH_INTERVAL_MS = 60_000;

const toUser = (r: repo.UserRow): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  allProjects: r.all_projects === 1,
  projectIds: r.project_ids,
  createdAt: r.created_at,
});

const toPrincipal = (u: User): Principal => ({
  kind: 'user',
  id: u.id,
  role: u.role,
  allProjects: u.allProjects,
  projectIds: new Set(u.projectIds),
});

export class UserService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** Creates a dashboard user (the CLI does this; project ids must have been checked by the caller). */
  async create(input: NewUser): Promise<User> {
    const email = normaliseEmail(input.email);
    if (!isEmail(email)) throw new AppError('validation_failed', `"${input.email}" is not an email address`);
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw new AppError(
        'validation_failed',
        `the password needs at least ${MIN_PASSWORD_LENGTH} characters`,
      );
    }
    const allProjects = input.allProjects ?? false;
    const projectIds = allProjects ? [] : [...new Set(input.projectIds ?? [])];
    if (!allProjects && projectIds.length === 0) {
      throw new AppError('validation_failed', 'a user needs allProjects or at least one project id');
    }
    const row = {
      id: newId(),
      email,
      name: input.name ?? email.split('@')[0] ?? email,
      password_hash: await hashPassword(input.password),
      role: input.role,
      all_projects: allProjects ? 1 : 0,
      created_at: this.deps.clock.now(),
    };
    if (!(await repo.insertUser(this.deps.db, row, projectIds))) {
      throw new AppError('conflict', `a user with email ${email} exists`);
    }
    return toUser({ ...row, project_ids: projectIds });
  }

  /** Checks the password and opens a session; the token goes into the cookie and is never stored. */
  async login(email: string, password: string): Promise<{ user: User; token: string; expiresAt: number }> {
    const row = await repo.findUserByEmail(this.deps.db, normaliseEmail(email));
    // Unknown emails cost the same scrypt as known ones.
    const ok = await verifyPassword(password, row?.password_hash ?? (await DUMMY_HASH_PROMISE));
    if (!row || !ok) throw new AppError('unauthorized', 'wrong email or password');
    const now = this.deps.clock.now();
    await repo.deleteExpiredSessions(this.deps.db, row.id, now);
    const token = newSessionToken();
    const expiresAt = now + SESSION_TTL_MS;
    await repo.insertSession(this.deps.db, {
      id: newId(),
      user_id: row.id,
      token_hash: hashSessionToken(token),
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    });
    return { user: toUser(row), token, expiresAt };
  }

  /** The principal of a session cookie, or undefined for an unknown, malformed or expired session. */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (!SESSION_TOKEN_PATTERN.test(token)) return undefined;
    const session = await repo.findSessionByHash(this.deps.db, hashSessionToken(token));
    const now = this.deps.clock.now();
    if (!session || session.expires_at <= now) return undefined;
    const row = await repo.findUserById(this.deps.db, session.user_id);
    if (!row) return undefined;
    if (now - session.last_seen_at > TOUCH_INTERVAL_MS) {
      await repo.touchSession(this.deps.db, session.id, now, now + SESSION_TTL_MS);
    }
    return toPrincipal(toUser(row));
  }

  async logout(token: string): Promise<void> {
    if (SESSION_TOKEN_PATTERN.test(token)) await repo.deleteSession(this.deps.db, hashSessionToken(token));
  }

  async get(id: string): Promise<User | undefined> {
    const row = await repo.findUserById(this.deps.db, id);
    return row ? toUser(row) : undefined;
  }
}
