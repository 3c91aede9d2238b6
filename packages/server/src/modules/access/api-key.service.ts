import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import {
  generateApiToken,
  hashToken,
  isInstallationAdmin,
  type Principal,
  type Role,
  tokenMatches,
  tokenPrefix,
} from './access.js';
import * as repo from './api-key.repository.js';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  allProjects: boolean;
  projectIds: string[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface NewApiKey {
  name: string;
  role: Role;
  allProjects?: boolean;
  projectIds?: string[];
}

const toApiKey = (r: repo.ApiKeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  role: r.role,
  allProjects: r.all_projects === 1,
  projectIds: r.project_ids,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

// last_used_at is informational; writing it on every request would put a write on every API read.
const TOUCH_INTERVAL_MS = 60_000;

export class ApiKeyService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** Resolves a bearer token to its principal, or undefined for a missing, malformed, wrong or revoked key. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const prefix = tokenPrefix(token);
    if (prefix === undefined) return undefined;
    const row = await repo.findApiKeyByPrefix(this.deps.db, prefix);
    if (!row || row.revoked_at !== null || !tokenMatches(token, row.token_hash)) return undefined;
    const now = this.deps.clock.now();
    if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS) {
      await repo.touchApiKey(this.deps.db, row.id, now);
    }
    return {
      kind: 'api_key',
      id: row.id,
      role: row.role,
      allProjects: row.all_projects === 1,
      projectIds: new Set(row.project_ids),
    };
  }

  /** Creates a key and returns its token: the only time the token is ever seen. */
  async create(input: NewApiKey, token = generateApiToken()): Promise<{ key: ApiKey; token: string }> {
    const allProjects = input.allProjects ?? false;
    const projectIds = allProjects ? [] : [...new Set(input.projectIds ?? [])];
    if (!allProjects && projectIds.length === 0) {
      throw new AppError('validation_failed', 'a key needs allProjects or at least one project id');
    }
    const row = {
      id: newId(),
      name: input.name,
      prefix: token.prefix,
      token_hash: hashToken(token.token),
      role: input.role,
      all_projects: allProjects ? 1 : 0,
      created_at: this.deps.clock.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await repo.insertApiKey(this.deps.db, row, projectIds);
    return { key: toApiKey({ ...row, project_ids: projectIds }), token: token.token };
  }

  /** What `by` may create: never more than it has itself. */
  async createBy(by: Principal, input: NewApiKey): Promise<{ key: ApiKey; token: string }> {
    if (by.role !== 'admin') throw new AppError('forbidden', 'only admin keys may create keys');
    if (input.allProjects && !by.allProjects) {
      throw new AppError('forbidden', 'only an installation-wide key may create installation-wide keys');
    }
    for (const projectId of input.projectIds ?? []) {
      if (!by.allProjects && !by.projectIds.has(projectId)) throw notFound(`project ${projectId}`);
    }
    return this.create(input);
  }

  async list(by: Principal): Promise<ApiKey[]> {
    const rows = await repo.listApiKeys(this.deps.db);
    const visible = isInstallationAdmin(by)
      ? rows
      : rows.filter((r) => r.all_projects === 0 && r.project_ids.every((id) => by.projectIds.has(id)));
    return visible.map(toApiKey);
  }

  async revoke(by: Principal, id: string): Promise<void> {
    const keys = await this.list(by);
    if (by.role !== 'admin' || !keys.some((k) => k.id === id)) throw notFound(`api key ${id}`);
    await repo.revokeApiKey(this.deps.db, id, this.deps.clock.now());
  }

  count(): Promise<number> {
    return repo.countApiKeys(this.deps.db);
  }

  /**
   * First start: makes sure an installation admin key exists. With RINGTRACE_ADMIN_TOKEN that token is the key
   * (created if missing); otherwise a key is generated on an empty database and returned once for printing.
   */
  async bootstrapAdmin(adminToken: string | undefined): Promise<{ token: string } | undefined> {
    if (adminToken !== undefined) {
      const prefix = tokenPrefix(adminToken);
      if (prefix === undefined) throw new AppError('validation_failed', 'RINGTRACE_ADMIN_TOKEN is malformed');
      const existing = await repo.findApiKeyByPrefix(this.deps.db, prefix);
      if (existing) {
        if (!tokenMatches(adminToken, existing.token_hash)) {
          throw new AppError(
            'conflict',
            'RINGTRACE_ADMIN_TOKEN collides with another key: generate a new one',
          );
        }
        return undefined;
      }
      try {
        await this.create(
          { name: 'admin (RINGTRACE_ADMIN_TOKEN)', role: 'admin', allProjects: true },
          { prefix, token: adminToken },
        );
      } catch (error) {
        // Another instance starting at the same moment created it first.
        if (!(await repo.findApiKeyByPrefix(this.deps.db, prefix))) throw error;
      }
      return undefined;
    }
    if ((await this.count()) > 0) return undefined;
    const { token } = await this.create({ name: 'admin (first start)', role: 'admin', allProjects: true });
    return { token };
  }
}
