import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import type { ProviderAccountTable } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { seal, unseal } from '../../sealed.js';
import {
  type Provider,
  type ProviderAccount,
  REQUIRED_CREDENTIALS,
  webhookUrls,
} from './provider-account.js';
import * as repo from './provider-account.repository.js';

export class ProviderAccountService {
  constructor(private readonly deps: { db: Db; clock: Clock; publicUrl: string; secretKey: string }) {}

  /** Credentials are sealed at rest (sealed.ts). */
  private credentialsOf(r: ProviderAccountTable): Record<string, string> {
    return JSON.parse(unseal(r.credentials, this.deps.secretKey)) as Record<string, string>;
  }

  private view(r: ProviderAccountTable): ProviderAccount {
    return {
      id: r.id,
      projectId: r.project_id,
      provider: r.provider,
      name: r.name,
      credentialKeys: Object.keys(this.credentialsOf(r)).sort(),
      webhookUrls: webhookUrls(this.deps.publicUrl, r.provider, r.id),
      createdAt: r.created_at,
    };
  }

  async list(projectId: string): Promise<ProviderAccount[]> {
    return (await repo.listAccounts(this.deps.db, projectId)).map((r) => this.view(r));
  }

  async create(
    projectId: string,
    input: { provider: Provider; name: string; credentials: Record<string, string> },
  ): Promise<ProviderAccount> {
    const missing = REQUIRED_CREDENTIALS[input.provider].filter((k) => !input.credentials[k]);
    if (missing.length > 0)
      throw new AppError('validation_failed', `${input.provider} needs credentials: ${missing.join(', ')}`);
    const now = this.deps.clock.now();
    const row: ProviderAccountTable = {
      id: newId(),
      project_id: projectId,
      provider: input.provider,
      name: input.name,
      credentials: seal(JSON.stringify(input.credentials), this.deps.secretKey),
      created_at: now,
      updated_at: now,
    };
    await repo.insertAccount(this.deps.db, row);
    return this.view(row);
  }

  async remove(projectId: string, id: string): Promise<void> {
    if ((await repo.deleteAccount(this.deps.db, projectId, id)) === 0)
      throw notFound(`provider account ${id}`);
  }

  /** For webhook verification: the account with its secrets, if it exists and is of that provider. */
  async secretsOf(
    id: string,
    provider: Provider,
  ): Promise<{ projectId: string; credentials: Record<string, string> } | undefined> {
    const row = await repo.findAccount(this.deps.db, id);
    if (!row || row.provider !== provider) return undefined;
    return { projectId: row.project_id, credentials: this.credentialsOf(row) };
  }
}
