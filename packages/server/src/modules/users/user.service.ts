import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Principal, Role } from '../access/access.js';
import { LoginThrottle } from './login-throttle.js';
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
import { canGrant, canManage, isAdmin } from './user-access.js';

export interface UserChange {
  name?: string;
  role?: Role;
  allProjects?: boolean;
  projectIds?: string[];
  password?: string;
}

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
  private readonly throttle: LoginThrottle;

  constructor(private readonly deps: { db: Db; clock: Clock; throttle?: LoginThrottle }) {
    this.throttle = deps.throttle ?? new LoginThrottle(deps.clock);
  }

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

  /**
   * Checks the password and opens a session; the token goes into the cookie and is never stored. Too many
   * failures for the account or from the client address (`ip`) answer `rate_limited` before any hashing.
   */
  async login(
    email: string,
    password: string,
    ip = 'unknown',
  ): Promise<{ user: User; token: string; expiresAt: number }> {
    const account = normaliseEmail(email);
    const throttled = this.throttle.check(account, ip);
    if (throttled) {
      const retryAfterSeconds = Math.ceil(throttled.retryAfterMs / 1000);
      throw new AppError(
        'rate_limited',
        `too many failed sign-ins ${throttled.scope === 'account' ? 'for this account' : 'from this address'}; try again in ${retryAfterSeconds} s`,
        { scope: throttled.scope, retryAfterSeconds },
      );
    }
    const row = await repo.findUserByEmail(this.deps.db, account);
    // Unknown emails cost the same scrypt as known ones.
    const ok = await verifyPassword(password, row?.password_hash ?? (await DUMMY_HASH_PROMISE));
    if (!row || !ok) {
      this.throttle.fail(account, ip);
      throw new AppError('unauthorized', 'wrong email or password');
    }
    this.throttle.succeed(account);
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

  /** The users `actor` may manage, by email (analysts: none, refused). */
  async listBy(actor: Principal): Promise<User[]> {
    requireAdmin(actor);
    return (await repo.listUsers(this.deps.db)).map(toUser).filter((u) => canManage(actor, u));
  }

  /**
   * Invites a user: creates them with the given password or a generated one, which is returned once (the admin
   * hands it over; the user signs in with it). Project ids must have been checked by the caller.
   */
  async createBy(
    actor: Principal,
    input: Omit<NewUser, 'password'> & { password?: string },
  ): Promise<{ user: User; temporaryPassword: string | null }> {
    requireAdmin(actor);
    const access = { allProjects: input.allProjects ?? false, projectIds: input.projectIds ?? [] };
    if (!canGrant(actor, access))
      throw new AppError('forbidden', 'you can only give users access to your own projects');
    const temporaryPassword = input.password === undefined ? generatePassword() : null;
    const user = await this.create({ ...input, password: input.password ?? temporaryPassword ?? '' });
    return { user, temporaryPassword };
  }

  /** Changes a user's name, role, projects or password. Nobody changes their own role or projects. */
  async updateBy(actor: Principal, id: string, change: UserChange): Promise<User> {
    const target = await this.manageable(actor, id);
    const access = {
      allProjects: change.allProjects ?? target.allProjects,
      projectIds: change.allProjects === true ? [] : [...new Set(change.projectIds ?? target.projectIds)],
    };
    const accessChanged =
      (change.role !== undefined && change.role !== target.role) ||
      access.allProjects !== target.allProjects ||
      [...access.projectIds].sort().join() !== [...target.projectIds].sort().join();
    if (accessChanged && actor.kind === 'user' && actor.id === id)
      throw new AppError('forbidden', 'you cannot change your own role or projects; ask another admin');
    if (!canGrant(actor, access))
      throw new AppError('forbidden', 'you can only give users access to your own projects');
    if (!access.allProjects && access.projectIds.length === 0)
      throw new AppError('validation_failed', 'a user needs allProjects or at least one project id');
    const patch: Parameters<typeof repo.updateUser>[2] = {};
    if (change.name !== undefined) patch.name = change.name.trim();
    if (change.role !== undefined) patch.role = change.role;
    if (change.allProjects !== undefined) patch.all_projects = access.allProjects ? 1 : 0;
    if (change.password !== undefined) {
      if (change.password.length < MIN_PASSWORD_LENGTH)
        throw new AppError(
          'validation_failed',
          `the password needs at least ${MIN_PASSWORD_LENGTH} characters`,
        );
      patch.password_hash = await hashPassword(change.password);
    }
    const projectsChanged = change.projectIds !== undefined || change.allProjects !== undefined;
    await repo.updateUser(this.deps.db, id, patch, projectsChanged ? access.projectIds : undefined);
    // A new password signs the user out everywhere else.
    if (change.password !== undefined) await repo.deleteSessionsOf(this.deps.db, id);
    return (await this.get(id)) as User;
  }

  /** Removes a user and ends their sessions. Nobody removes themselves. */
  async removeBy(actor: Principal, id: string): Promise<void> {
    await this.manageable(actor, id);
    if (actor.kind === 'user' && actor.id === id)
      throw new AppError('forbidden', 'you cannot remove yourself; ask another admin');
    await repo.deleteUser(this.deps.db, id);
  }

  /** The user, if `actor` may manage them; otherwise "not found", so that ids outside one's reach leak nothing. */
  private async manageable(actor: Principal, id: string): Promise<User> {
    requireAdmin(actor);
    const user = await this.get(id);
    if (!user || !canManage(actor, user)) throw notFound(`user ${id}`);
    return user;
  }
}

function requireAdmin(actor: Principal): void {
  if (!isAdmin(actor)) throw new AppError('forbidden', 'only admins manage users');
}

/** 16 characters from 96 random bits, for an invited user's first sign-in. */
const generatePassword = () => randomBytes(12).toString('base64url');
