import type { Clock } from '../../clock.js';
import type { Db, DialectName } from '../../db/connect.js';
import { AppError } from '../../errors.js';
import { zoneOffset } from '../../time-zone.js';
import type { CreditService } from './credit.service.js';
import { convertSums } from './currency.js';
import type { DealService } from './deal.service.js';
import {
  type Accumulator,
  type AttributionModel,
  addInto,
  emptyAccumulator,
  type Grouping,
  KEY_PARTS,
  type KeyPart,
  metrics,
  networkSource,
  type ReportMetrics,
  type RowKind,
  rowLabel,
} from './report.js';
import * as repo from './report.repository.js';
import {
  DAY_MS,
  epochDay,
  isIsoDate,
  isoOfEpochDay,
  localMidnight,
  mondayOfWeek,
  monthStarts,
  offsetSegments,
  weekOfEpochDay,
} from './report-time.js';
import type { VisitRollupService } from './visit-rollup.service.js';

export interface ReportRequest {
  groupBy: Grouping;
  from?: string;
  to?: string;
  model?: AttributionModel;
  targetCallsOnly?: boolean;
}

export interface ProjectRef {
  id: string;
  timezone: string;
  currency: string;
}

export interface ReportRow extends ReportMetrics {
  kind: RowKind;
  key: Partial<Record<KeyPart, string | null>>;
  label: string;
}

export interface Report {
  groupBy: Grouping;
  model: AttributionModel;
  from: string;
  to: string;
  timezone: string;
  currency: string;
  targetCallsOnly: boolean;
  rows: ReportRow[];
  totals: ReportMetrics;
}

const MAX_DAYS = 3 * 366;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** The end-to-end report: visits, calls, deals and spend of a period, cut one way, in the project currency. */
export class ReportService {
  constructor(
    private readonly deps: {
      db: Db;
      dialect: DialectName;
      clock: Clock;
      deals: DealService;
      credit: CreditService;
      rollup: VisitRollupService;
    },
  ) {}

  /** Pre-builds every project's visit rollups (the background job's work); a failing project does not stop it. */
  async refreshRollups(onError: (projectId: string, error: unknown) => void): Promise<number> {
    let refreshed = 0;
    for (const project of await this.deps.rollup.projects()) {
      try {
        await this.deps.rollup.refresh(project);
        refreshed += 1;
      } catch (error) {
        onError(project.id, error);
      }
    }
    return refreshed;
  }

  async run(project: ProjectRef, request: ReportRequest): Promise<Report> {
    const model = request.model ?? 'last_non_direct_click';
    const today = isoOfEpochDay(
      Math.floor((this.deps.clock.now() + zoneOffset(this.deps.clock.now(), project.timezone)) / DAY_MS),
    );
    const to = request.to ?? today;
    const from = request.from ?? isoOfEpochDay(epochDay(to) - 29);
    if (!isIsoDate(from) || !isIsoDate(to))
      throw new AppError('validation_failed', 'from and to are YYYY-MM-DD dates');
    if (from > to) throw new AppError('validation_failed', 'from is after to');
    if (epochDay(to) - epochDay(from) >= MAX_DAYS)
      throw new AppError('validation_failed', `a report covers at most ${MAX_DAYS} days`);

    // Deals that arrived before their call or visit are linked now, so the report sees them; then every call and
    // deal written without its credited visits (bulk loads, new links) gets them.
    await this.deps.deals.relinkPending(project.id);
    await this.deps.credit.creditPending(project.id);

    const start = localMidnight(from, project.timezone);
    const end = localMidnight(isoOfEpochDay(epochDay(to) + 1), project.timezone);
    const group = request.groupBy;
    const parts = KEY_PARTS[group];
    const months = group === 'month' ? monthStarts(from, to, project.timezone) : [];
    const q: repo.ReportQuery = {
      projectId: project.id,
      dialect: this.deps.dialect,
      from: start,
      to: end,
      fromDay: from,
      toDay: to,
      parts,
      model,
      targetOnly: request.targetCallsOnly ?? false,
      ...(group === 'month'
        ? { period: { kind: 'month', starts: months.map((m) => m.start) } }
        : group === 'day' || group === 'week'
          ? { period: { kind: group, segments: offsetSegments(start, end, project.timezone) } }
          : {}),
    };
    const periodLabel = (n: number): string =>
      group === 'day' ? isoOfEpochDay(n) : group === 'week' ? mondayOfWeek(n) : (months[n]?.label ?? '');
    const keyOf = (row: Record<string, unknown>): (string | null)[] =>
      parts.map((part, i) => {
        const value = row[`k${i}`];
        return part === 'period' ? periodLabel(num(value)) : str(value);
      });

    const db = this.deps.db;
    const periodOf = (day: number): number =>
      group === 'day'
        ? day
        : group === 'week'
          ? weekOfEpochDay(day)
          : months.findIndex((m) => m.label === isoOfEpochDay(day).slice(0, 7));
    const [visits, calls, callers, deals, spend, channels, rateRows] = await Promise.all([
      this.deps.rollup.visitSums(project, q, { fromDay: epochDay(from), toDay: epochDay(to), periodOf }),
      repo.callSums(db, q),
      repo.totalCallers(db, q),
      repo.dealSums(db, q),
      repo.spendSums(db, q, spendColumns(group)),
      repo.listStaticChannels(db, project.id),
      repo.listRates(db, project.id),
    ]);

    const rows = new Map<string, Accumulator>();
    const row = (kind: RowKind, key: (string | null)[]) => {
      const id = JSON.stringify([kind, kind === 'group' ? key : []]);
      let acc = rows.get(id);
      if (!acc) {
        acc = emptyAccumulator(kind, kind === 'group' ? key : parts.map(() => null));
        rows.set(id, acc);
      }
      return acc;
    };
    for (const v of visits) row('group', keyOf(v)).visits += num(v.visits);
    for (const c of calls) {
      const acc = row(num(c[`k${parts.length}`]) === 1 ? 'unattributed' : 'group', keyOf(c));
      acc.calls += num(c.calls);
      acc.uniqueCallers += num(c.callers);
      acc.targetCalls += num(c.target_calls);
      acc.missedCalls += num(c.missed_calls);
      acc.confidenceSum += num(c.confidence_sum);
      acc.confidenceCount += num(c.confidence_count);
    }

    // Money is summed per row and currency, then converted once per row.
    const rates = new Map(rateRows.map((r) => [r.currency, Number(r.rate)]));
    const missing = new Set<string>();
    type Sums = Record<'revenue' | 'callRevenue' | 'spend', Map<string, number>>;
    const money = new Map<Accumulator, Sums>();
    const addMoney = (acc: Accumulator, what: keyof Sums, currency: string, minor: number) => {
      let m = money.get(acc);
      if (!m) {
        m = { revenue: new Map(), callRevenue: new Map(), spend: new Map() };
        money.set(acc, m);
      }
      m[what].set(currency, (m[what].get(currency) ?? 0) + minor);
    };
    for (const d of deals) {
      const acc = row(num(d[`k${parts.length}`]) === 1 ? 'unattributed' : 'group', keyOf(d));
      acc.deals += num(d.deals);
      acc.wonDeals += num(d.won_deals);
      acc.wonDealsFromCalls += num(d.won_from_calls);
      acc.dealsWithoutCall += num(d.without_call);
      addMoney(acc, 'revenue', String(d.currency), num(d.revenue_minor));
      addMoney(acc, 'callRevenue', String(d.currency), num(d.call_revenue_minor));
    }
    const staticBySource = new Map(channels.map((c) => [c.source, c]));
    for (const s of spend) {
      const network = String(s.ad_network ?? '');
      const sc = staticBySource.get(network);
      let kind: RowKind = 'group';
      let key: (string | null)[];
      switch (group) {
        case 'channel':
          key = [sc ? (sc.kind === 'offline' ? 'offline' : 'referral') : networkSource(network).channel];
          break;
        case 'source_medium': {
          const source = sc ? { source: sc.source, medium: sc.medium } : networkSource(network);
          key = [source.source, source.medium];
          break;
        }
        case 'static_channel':
          key = [sc?.name ?? null];
          if (!sc) kind = 'unallocated_spend';
          break;
        case 'landing_page':
        case 'device':
          key = [null];
          kind = 'unallocated_spend';
          break;
        case 'day':
        case 'week':
        case 'month': {
          const day = String(s.day);
          key = [
            group === 'day'
              ? day
              : group === 'week'
                ? mondayOfWeek(weekOfEpochDay(epochDay(day)))
                : day.slice(0, 7),
          ];
          break;
        }
        default:
          key = parts.map((p) => str(s[p]));
      }
      addMoney(row(kind, key), 'spend', String(s.currency), num(s.cost_minor));
    }
    for (const [acc, m] of money) {
      acc.revenueMinor = convertSums(m.revenue, project.currency, rates, missing);
      acc.revenueFromCallsMinor = convertSums(m.callRevenue, project.currency, rates, missing);
      acc.spendMinor = convertSums(m.spend, project.currency, rates, missing);
    }
    if (missing.size > 0)
      throw new AppError(
        'conflict',
        `set a rate to ${project.currency} for ${[...missing].sort().join(', ')} (PUT …/currency-rates) to report these amounts`,
        { missingRates: [...missing].sort() },
      );

    const sorted = [...rows.values()].sort(compareRows(parts.includes('period')));
    const total = emptyAccumulator('group', []);
    for (const acc of sorted) addInto(total, acc);
    total.uniqueCallers = callers;
    return {
      groupBy: group,
      model,
      from,
      to,
      timezone: project.timezone,
      currency: project.currency,
      targetCallsOnly: q.targetOnly,
      rows: sorted.map((acc) => ({
        kind: acc.kind,
        key: Object.fromEntries(parts.map((p, i) => [p, acc.key[i] ?? null])),
        label: rowLabel(acc.kind, acc.key),
        ...metrics(acc, project.currency),
      })),
      totals: metrics(total, project.currency),
    };
  }
}

function spendColumns(group: Grouping): repo.SpendColumn[] {
  switch (group) {
    case 'channel':
    case 'source_medium':
    case 'static_channel':
    case 'ad_network':
      return ['ad_network'];
    case 'campaign':
      return ['ad_network', 'campaign'];
    case 'ad_group':
      return ['ad_network', 'campaign', 'ad_group'];
    case 'ad':
      return ['ad_network', 'campaign', 'ad'];
    case 'keyword':
      return ['ad_network', 'campaign', 'keyword'];
    case 'day':
    case 'week':
    case 'month':
      return ['day'];
    default:
      return [];
  }
}

/** Periods in time order; other groupings by revenue, then calls, then visits; the catch-all rows last. */
function compareRows(byPeriod: boolean) {
  const rank: Record<RowKind, number> = { group: 0, unattributed: 1, unallocated_spend: 2 };
  // The same order as String#localeCompare, without building a collator on every call (thousands of rows).
  const collate = new Intl.Collator().compare;
  const keys = new Map<Accumulator, string>();
  const keyText = (acc: Accumulator) => {
    let text = keys.get(acc);
    if (text === undefined) {
      text = JSON.stringify(acc.key);
      keys.set(acc, text);
    }
    return text;
  };
  return (a: Accumulator, b: Accumulator): number => {
    if (a.kind !== b.kind) return rank[a.kind] - rank[b.kind];
    if (byPeriod) return collate(String(a.key[0]), String(b.key[0]));
    return (
      b.revenueMinor - a.revenueMinor ||
      b.calls - a.calls ||
      b.visits - a.visits ||
      collate(keyText(a), keyText(b))
    );
  };
}
