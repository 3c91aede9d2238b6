import { fromMinorUnits } from '../../money.js';

/** How a report's rows are cut. Campaign and finer keep the ad network (and campaign) in the key. */
export const GROUPINGS = [
  'channel',
  'source_medium',
  'ad_network',
  'campaign',
  'ad_group',
  'ad',
  'keyword',
  'landing_page',
  'device',
  'static_channel',
  'day',
  'week',
  'month',
] as const;
export type Grouping = (typeof GROUPINGS)[number];

export const MODELS = ['last_non_direct_click', 'first_click'] as const;
export type AttributionModel = (typeof MODELS)[number];

export type KeyPart =
  | 'channel'
  | 'source'
  | 'medium'
  | 'ad_network'
  | 'campaign'
  | 'ad_group'
  | 'ad'
  | 'keyword'
  | 'landing_page'
  | 'device'
  | 'static_channel'
  | 'period';

export const KEY_PARTS: Record<Grouping, KeyPart[]> = {
  channel: ['channel'],
  source_medium: ['source', 'medium'],
  ad_network: ['ad_network'],
  campaign: ['ad_network', 'campaign'],
  ad_group: ['ad_network', 'campaign', 'ad_group'],
  ad: ['ad_network', 'campaign', 'ad'],
  keyword: ['ad_network', 'campaign', 'keyword'],
  landing_page: ['landing_page'],
  device: ['device'],
  static_channel: ['static_channel'],
  day: ['period'],
  week: ['period'],
  month: ['period'],
};

/** Statuses of a call nobody answered. */
export const MISSED_STATUSES = ['no-answer', 'busy', 'canceled', 'failed'] as const;

export type RowKind = 'group' | 'unattributed' | 'unallocated_spend';

/** Sums for one row, money in the project currency's minor units. */
export interface Accumulator {
  kind: RowKind;
  key: (string | null)[];
  visits: number;
  calls: number;
  uniqueCallers: number;
  targetCalls: number;
  missedCalls: number;
  confidenceSum: number;
  confidenceCount: number;
  deals: number;
  wonDeals: number;
  wonDealsFromCalls: number;
  dealsWithoutCall: number;
  revenueMinor: number;
  revenueFromCallsMinor: number;
  spendMinor: number;
}

export const emptyAccumulator = (kind: RowKind, key: (string | null)[]): Accumulator => ({
  kind,
  key,
  visits: 0,
  calls: 0,
  uniqueCallers: 0,
  targetCalls: 0,
  missedCalls: 0,
  confidenceSum: 0,
  confidenceCount: 0,
  deals: 0,
  wonDeals: 0,
  wonDealsFromCalls: 0,
  dealsWithoutCall: 0,
  revenueMinor: 0,
  revenueFromCallsMinor: 0,
  spendMinor: 0,
});

export interface ReportMetrics {
  visits: number;
  calls: number;
  uniqueCallers: number;
  targetCalls: number;
  missedCalls: number;
  /** Target calls plus deals that came without a call (forms, chats). */
  leads: number;
  deals: number;
  wonDeals: number;
  wonDealsFromCalls: number;
  revenue: number;
  /** Part of revenue from deals that came by phone: what a report without call tracking would miss. */
  revenueFromCalls: number;
  spend: number;
  profit: number;
  cpl: number | null;
  costPerTargetCall: number | null;
  /** Won deals that came from calls / unique callers × 100. */
  callConversionRate: number | null;
  /** (revenue − spend) / spend × 100. */
  romi: number | null;
  avgConfidence: number | null;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The formulas, on one row's sums. Ratios are null where the denominator is zero. */
export function metrics(a: Accumulator, currency: string): ReportMetrics {
  const money = (minor: number) => fromMinorUnits(minor, currency);
  const leads = a.targetCalls + a.dealsWithoutCall;
  const profitMinor = a.revenueMinor - a.spendMinor;
  return {
    visits: a.visits,
    calls: a.calls,
    uniqueCallers: a.uniqueCallers,
    targetCalls: a.targetCalls,
    missedCalls: a.missedCalls,
    leads,
    deals: a.deals,
    wonDeals: a.wonDeals,
    wonDealsFromCalls: a.wonDealsFromCalls,
    revenue: money(a.revenueMinor),
    revenueFromCalls: money(a.revenueFromCallsMinor),
    spend: money(a.spendMinor),
    profit: money(profitMinor),
    cpl: leads > 0 ? money(Math.round(a.spendMinor / leads)) : null,
    costPerTargetCall: a.targetCalls > 0 ? money(Math.round(a.spendMinor / a.targetCalls)) : null,
    callConversionRate: a.uniqueCallers > 0 ? round((a.wonDealsFromCalls / a.uniqueCallers) * 100, 2) : null,
    romi: a.spendMinor > 0 ? round((profitMinor / a.spendMinor) * 100, 2) : null,
    avgConfidence: a.confidenceCount > 0 ? round(a.confidenceSum / a.confidenceCount, 1) : null,
  };
}

/** Adds b's sums into a (unique callers too: the caller sets of rows are disjoint only per row, see totals). */
export function addInto(a: Accumulator, b: Accumulator): void {
  a.visits += b.visits;
  a.calls += b.calls;
  a.uniqueCallers += b.uniqueCallers;
  a.targetCalls += b.targetCalls;
  a.missedCalls += b.missedCalls;
  a.confidenceSum += b.confidenceSum;
  a.confidenceCount += b.confidenceCount;
  a.deals += b.deals;
  a.wonDeals += b.wonDeals;
  a.wonDealsFromCalls += b.wonDealsFromCalls;
  a.dealsWithoutCall += b.dealsWithoutCall;
  a.revenueMinor += b.revenueMinor;
  a.revenueFromCallsMinor += b.revenueFromCallsMinor;
  a.spendMinor += b.spendMinor;
}

/** Where an ad network's spend belongs when rows are channels or sources (visits name networks this way). */
export function networkSource(adNetwork: string): { channel: string; source: string; medium: string } {
  const known: Record<string, string> = {
    yandex_direct: 'yandex',
    google_ads: 'google',
    vk_ads: 'vk',
    microsoft_ads: 'bing',
    google_dv360: 'dv360',
    tiktok_ads: 'tiktok',
    x_ads: 'x',
    linkedin_ads: 'linkedin',
    pinterest_ads: 'pinterest',
    snapchat_ads: 'snapchat',
    meta_ads: 'facebook',
  };
  return {
    channel: 'paid',
    source: known[adNetwork] ?? adNetwork.replace(/_(ads|direct)$/, ''),
    medium: adNetwork === 'google_dv360' ? 'cpm' : 'cpc',
  };
}

export const NOT_SET = '(not set)';

export function rowLabel(kind: RowKind, key: (string | null)[]): string {
  if (kind === 'unattributed') return '(unattributed)';
  if (kind === 'unallocated_spend') return '(spend not split by this grouping)';
  return key.map((k) => k ?? NOT_SET).join(' / ');
}
