import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { canRead, canWrite, isInstallationAdmin, type Principal } from '../access/access.js';
import type { DestinationService } from '../destinations/destination.service.js';
import { normalizePhone } from '../numbers/phone.js';
import {
  countryDefaults,
  DEFAULT_SETTINGS,
  isValidCurrency,
  isValidTimezone,
  newPublicKey,
  type Project,
  type ProjectSettings,
  readSettings,
} from './project.js';
import * as repo from './project.repository.js';

export interface ProjectInput {
  name: string;
  timezone?: string;
  currency?: string;
  country?: string;
  siteNumbers?: string[];
  defaultDestinationId?: string | null;
  settings?: Partial<Omit<ProjectSettings, 'targetCall'>> & {
    targetCall?: Partial<ProjectSettings['targetCall']>;
  };
}

const toProject = (r: repo.ProjectRow): Project => ({
  id: r.id,
  name: r.name,
  timezone: r.timezone,
  currency: r.currency,
  country: r.country,
  publicKey: r.public_key,
  siteNumbers: JSON.parse(r.site_numbers) as string[],
  defaultDestinationId: r.default_destination_id,
  settings: readSettings(r.settings),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class ProjectService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      defaultCountry: string;
      destinations: DestinationService;
      /** Where the project's copies of recordings are kept (RECORDINGS_DIR), removed with it. */
      recordingsDir?: string;
    },
  ) {}

  async create(by: Principal, input: ProjectInput): Promise<Project> {
    if (!isInstallationAdmin(by))
      throw new AppError('forbidden', 'only an installation-wide admin key may create projects');
    const country = (input.country ?? this.deps.defaultCountry).toUpperCase();
    const defaults = countryDefaults(country);
    const now = this.deps.clock.now();
    const row: repo.ProjectRow = {
      id: newId(),
      name: input.name.trim(),
      country,
      timezone: input.timezone ?? defaults.timezone,
      currency: (input.currency ?? defaults.currency).toUpperCase(),
      public_key: newPublicKey(),
      site_numbers: '[]',
      default_destination_id: null,
      settings: JSON.stringify(DEFAULT_SETTINGS),
      created_at: now,
      updated_at: now,
    };
    Object.assign(row, this.validate(row, input));
    if (input.defaultDestinationId) {
      throw new AppError('validation_failed', 'set defaultDestinationId after creating the destination');
    }
    await repo.insertProject(this.deps.db, row);
    return toProject(row);
  }

  async list(by: Principal): Promise<Project[]> {
    const rows = await repo.listProjects(this.deps.db, by.allProjects ? undefined : [...by.projectIds]);
    return rows.map(toProject);
  }

  /** A project the caller may read; one it may not see is "not found", so ids of others leak nothing. */
  async get(by: Principal, id: string): Promise<Project> {
    return toProject(await this.readableRow(by, id));
  }

  private async readableRow(by: Principal, id: string): Promise<repo.ProjectRow> {
    const row = canRead(by, id) ? await repo.findProject(this.deps.db, id) : undefined;
    if (!row) throw notFound(`project ${id}`);
    return row;
  }

  async getByPublicKey(publicKey: string): Promise<Project | undefined> {
    const row = await repo.findProjectByPublicKey(this.deps.db, publicKey);
    return row && toProject(row);
  }

  async update(by: Principal, id: string, input: Partial<ProjectInput>): Promise<Project> {
    const row = await this.readableRow(by, id);
    if (!canWrite(by, id)) throw new AppError('forbidden', 'this key may not change the project');
    const patch: Partial<repo.ProjectRow> = {
      ...this.validate(row, input),
      updated_at: this.deps.clock.now(),
    };
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.defaultDestinationId !== undefined) {
      if (input.defaultDestinationId !== null)
        await this.deps.destinations.assertInProject(id, input.defaultDestinationId);
      patch.default_destination_id = input.defaultDestinationId;
    }
    await repo.updateProject(this.deps.db, id, patch);
    return toProject({ ...row, ...patch });
  }

  async remove(by: Principal, id: string): Promise<void> {
    await this.readableRow(by, id);
    if (!isInstallationAdmin(by))
      throw new AppError('forbidden', 'only an installation-wide admin key may delete projects');
    await repo.deleteProject(this.deps.db, id);
    if (this.deps.recordingsDir)
      await rm(join(this.deps.recordingsDir, id), { recursive: true, force: true });
  }

  /** Checks every given field at once and returns the columns to write. */
  private validate(row: repo.ProjectRow, input: Partial<ProjectInput>): Partial<repo.ProjectRow> {
    const problems: string[] = [];
    const patch: Partial<repo.ProjectRow> = {};
    const country = (input.country ?? row.country).toUpperCase();
    if (input.country !== undefined) patch.country = country;
    const timezone = input.timezone ?? row.timezone;
    if (!isValidTimezone(timezone)) problems.push(`unknown time zone "${timezone}"`);
    else if (input.timezone !== undefined) patch.timezone = timezone;
    const currency = (input.currency ?? row.currency).toUpperCase();
    if (!isValidCurrency(currency)) problems.push(`unknown currency "${currency}"`);
    else if (input.currency !== undefined) patch.currency = currency;
    if (input.siteNumbers !== undefined) {
      const numbers: string[] = [];
      for (const raw of input.siteNumbers) {
        const result = normalizePhone(raw, country);
        if (result.ok) numbers.push(result.e164);
        else problems.push(`site number "${raw}": ${result.reason}`);
      }
      patch.site_numbers = JSON.stringify([...new Set(numbers)]);
    }
    if (input.settings !== undefined) {
      const merged = readSettings(row.settings);
      const next: ProjectSettings = {
        ...merged,
        ...input.settings,
        targetCall: { ...merged.targetCall, ...(input.settings.targetCall ?? {}) },
      };
      patch.settings = JSON.stringify(next);
    }
    if (problems.length > 0) throw new AppError('validation_failed', problems.join('; '), { problems });
    return patch;
  }
}
