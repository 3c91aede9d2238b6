import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import type { SpendTable } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { fromMinorUnits } from '../../money.js';
import { isValidCurrency } from '../projects/project.js';
import { parseRate } from './currency.js';
import * as repo from './spend.repository.js';
import { type SpendRowInput, validateSpendRows } from './spend-import.js';

export interface ProjectRef {
  id: string;
  currency: string;
}

export interface SpendImport {
  adNetwork: string;
  /** The period to replace; defaults to the first and last date in the rows. */
  from?: string;
  to?: string;
  currency?: string;
  rows: readonly { line: number; input: SpendRowInput }[];
}

export interface SpendImportResult {
  adNetwork: string;
  from: string;
  to: string;
  imported: number;
  /** Rows of the same network and period that this import replaced. */
  replaced: number;
  totals: Record<string, number>;
}

export interface SpendItem {
  id: string;
  day: string;
  adNetwork: string;
  campaign: string | null;
  adGroup: string | null;
  ad: string | null;
  keyword: string | null;
  impressions: number;
  clicks: number;
  cost: number;
  currency: string;
  importId: string | null;
}

export const AD_NETWORK_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,49}$/;

/** Ad spend (imported per network and period, replacing what was there) and the project's currency rates. */
export class SpendService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async import(project: ProjectRef, input: SpendImport): Promise<SpendImportResult> {
    if (!AD_NETWORK_PATTERN.test(input.adNetwork))
      throw new AppError(
        'validation_failed',
        'adNetwork must be a slug like yandex_direct, google_ads or vk_ads',
      );
    if (input.rows.length === 0) throw new AppError('validation_failed', 'the import has no rows');
    const { valid, problems } = validateSpendRows(input.rows, input.currency ?? project.currency);
    if (problems.length > 0) {
      const first = problems[0];
      throw new AppError(
        'validation_failed',
        `${problems.length} of ${input.rows.length} rows are invalid (line ${first?.line}: ${first?.reason}); nothing was imported`,
        { problems },
      );
    }
    const days = valid.map((r) => r.day).sort();
    const from = input.from ?? (days[0] as string);
    const to = input.to ?? (days[days.length - 1] as string);
    const outside = valid.find((r) => r.day < from || r.day > to);
    if (from > to || outside)
      throw new AppError(
        'validation_failed',
        outside ? `line ${outside.line}: ${outside.day} is outside ${from}..${to}` : 'from is after to',
      );
    const now = this.deps.clock.now();
    const importId = newId();
    const rows: SpendTable[] = valid.map((r) => ({
      id: newId(),
      project_id: project.id,
      day: r.day,
      ad_network: input.adNetwork,
      campaign: r.campaign,
      ad_group: r.adGroup,
      ad: r.ad,
      keyword: r.keyword,
      impressions: r.impressions,
      clicks: r.clicks,
      cost_minor: r.costMinor,
      currency: r.currency,
      import_id: importId,
      created_at: now,
    }));
    const replaced = await repo.replaceSpend(this.deps.db, project.id, input.adNetwork, { from, to }, rows);
    const minor: Record<string, number> = {};
    for (const r of rows) minor[r.currency] = (minor[r.currency] ?? 0) + r.cost_minor;
    const totals = Object.fromEntries(Object.entries(minor).map(([c, m]) => [c, fromMinorUnits(m, c)]));
    return { adNetwork: input.adNetwork, from, to, imported: rows.length, replaced, totals };
  }

  async list(projectId: string, filter: repo.SpendFilter): Promise<SpendItem[]> {
    return (await repo.listSpend(this.deps.db, projectId, filter)).map((r) => ({
      id: r.id,
      day: r.day,
      adNetwork: r.ad_network,
      campaign: r.campaign,
      adGroup: r.ad_group,
      ad: r.ad,
      keyword: r.keyword,
      impressions: Number(r.impressions),
      clicks: Number(r.clicks),
      cost: fromMinorUnits(Number(r.cost_minor), r.currency),
      currency: r.currency,
      importId: r.import_id,
    }));
  }

  async rates(projectId: string): Promise<{ currency: string; rate: number }[]> {
    return (await repo.listRates(this.deps.db, projectId)).map((r) => ({
      currency: r.currency,
      rate: Number(r.rate),
    }));
  }

  /** Sets (or replaces) the rates given; other currencies keep theirs. */
  async setRates(
    project: ProjectRef,
    rates: readonly { currency: string; rate: number | string }[],
  ): Promise<{ currency: string; rate: number }[]> {
    const now = this.deps.clock.now();
    const rows = rates.map(({ currency, rate }) => {
      const code = currency.toUpperCase();
      if (!isValidCurrency(code))
        throw new AppError('validation_failed', `"${currency}" is not a currency code`);
      if (code === project.currency)
        throw new AppError('validation_failed', `${code} is the project currency; its rate is always 1`);
      const text = parseRate(rate);
      if (text === undefined)
        throw new AppError('validation_failed', `the rate of ${code} must be a positive decimal number`);
      return { project_id: project.id, currency: code, rate: text, updated_at: now };
    });
    await repo.upsertRates(this.deps.db, rows);
    return this.rates(project.id);
  }

  async removeRate(projectId: string, currency: string): Promise<void> {
    if (!(await repo.deleteRate(this.deps.db, projectId, currency.toUpperCase())))
      throw notFound(`rate for ${currency}`);
  }
}
