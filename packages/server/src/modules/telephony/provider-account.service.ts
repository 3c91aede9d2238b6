import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import type { ProviderAccountTable } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { seal, unseal } from '../../sealed.js';
import { parseSources, sourceMatcher } from './allowed-sources.js';
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
      allowedSources: sourcesOf(r),
      webhookUrls: webhookUrls(this.deps.publicUrl, r.provider, r.id),
      createdAt: r.created_at,
    };
  }

  async list(projectId: string): Promise<ProviderAccount[]> {
    return (await repo.listAccounts(this.deps.db, projectId)).map((r) => this.view(r));
  }

  async create(
    projectId: string,
    input: {
      provider: Provider;
      name: string;
      credentials: Record<string, string>;
      allowedSources?: string[];
    },
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
      allowed_sources: storedSources(input.allowedSources),
      created_at: now,
      updated_at: now,
    };
    await repo.insertAccount(this.deps.db, row);
    return this.view(row);
  }

  /** Renames an account or changes where its webhooks may come from (its URLs and secrets stay). */
  async update(
    projectId: string,
    id: string,
    patch: { name?: string; allowedSources?: string[] },
  ): Promise<ProviderAccount> {
    const row = await repo.findAccount(this.deps.db, id);
    if (!row || row.project_id !== projectId) throw notFound(`provider account ${id}`);
    const changed: ProviderAccountTable = {
      ...row,
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.allowedSources !== undefined && { allowed_sources: storedSources(patch.allowedSources) }),
      updated_at: this.deps.clock.now(),
    };
    await repo.updateAccount(this.deps.db, changed);
    return this.view(changed);
  }

  async remove(projectId: string, id: string): Promise<void> {
    if ((await repo.deleteAccount(this.deps.db, projectId, id)) === 0)
      throw notFound(`provider account ${id}`);
  }

  /**
   * The credentials to call a provider's API for a call: those of the account that reported it, else (calls
   * recorded before accounts were noted) the project's first account of that provider.
   */
  async credentialsFor(
    provider: Provider,
    accountId: string | null,
    projectId: string,
  ): Promise<Record<string, string> | undefined> {
    if (accountId) return (await this.secretsOf(accountId, provider))?.credentials;
    const row = (await repo.listAccounts(this.deps.db, projectId)).find((r) => r.provider === provider);
    return row ? this.credentialsOf(row) : undefined;
  }

  /**
   * For a webhook: the account with its secrets, if it exists and is of that provider. A request from an address
   * the account does not allow is refused before any secret is used.
   */
  async webhookAccount(
    id: string,
    provider: Provider,
    from: string,
  ): Promise<{ projectId: string; credentials: Record<string, string> } | undefined> {
    const row = await repo.findAccount(this.deps.db, id);
    if (!row || row.provider !== provider) return undefined;
    if (!sourceMatcher(sourcesOf(row))(from))
      throw new AppError('forbidden', `this account does not accept webhooks from ${from}`);
    return { projectId: row.project_id, credentials: this.credentialsOf(row) };
  }

  /** The account with its secrets, if it exists and is of that provider (to call the provider's API). */
  async secretsOf(
    id: string,
    provider: Provider,
  ): Promise<{ projectId: string; credentials: Record<string, string> } | undefined> {
    const row = await repo.findAccount(this.deps.db, id);
    if (!row || row.provider !== provider) return undefined;
    return { projectId: row.project_id, credentials: this.credentialsOf(row) };
  }
}

const sourcesOf = (r: ProviderAccountTable): string[] =>
  r.allowed_sources === null ? [] : (JSON.parse(r.allowed_sources) as string[]);

/** The list as stored (null: any address), or a 400 naming the first entry that is not an address or range. */
function storedSources(list: readonly string[] | undefined): string | null {
  if (list === undefined || list.length === 0) return null;
  const parsed = parseSources(list);
  if (!parsed.ok) throw new AppError('validation_failed', `allowedSources: ${parsed.message}`);
  return JSON.stringify(parsed.sources);
}
