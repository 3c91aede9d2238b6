// Charts over time need each channel's figures per period. The report API groups by one dimension at a time
// (channel, or day/week/month, not both), so the dashboard asks for the channel report once per period and
// puts the answers side by side. Periods are coarse enough to keep that to at most ~36 requests.
import type { Api } from './api.js';

export interface Metrics {
  visits: number;
  calls: number;
  targetCalls: number;
  leads: number;
  deals: number;
  wonDeals: number;
  revenue: number;
  spend: number;
  profit: number;
  cpl: number | null;
  romi: number | null;
  avgConfidence: number | null;
}
export interface ReportRow extends Metrics {
  kind: string;
  key: Record<string, string | null>;
  label: string;
}
export interface Report {
  currency: string;
  rows: ReportRow[];
  totals: Metrics;
}

export interface Bucket {
  from: string;
  to: string;
  unit: 'day' | 'week' | 'month';
}

const DAY = 86_400_000;
const parse = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Days for up to a month, Monday-to-Sunday weeks for up to 31 weeks, calendar months beyond; clipped to the range. */
export function buckets(from: string, to: string): Bucket[] {
  const start = parse(from);
  const end = parse(to);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return [];
  const days = Math.round((end - start) / DAY) + 1;
  const out: Bucket[] = [];
  if (days <= 31) {
    for (let d = start; d <= end; d += DAY) out.push({ from: iso(d), to: iso(d), unit: 'day' });
    return out;
  }
  if (days <= 31 * 7) {
    for (let d = start; d <= end; ) {
      const weekday = (new Date(d).getUTCDay() + 6) % 7; // Monday 0
      const sunday = Math.min(end, d + (6 - weekday) * DAY);
      out.push({ from: iso(d), to: iso(sunday), unit: 'week' });
      d = sunday + DAY;
    }
    return out;
  }
  for (let d = start; d <= end; ) {
    const date = new Date(d);
    const last = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) - DAY;
    const stop = Math.min(end, last);
    out.push({ from: iso(d), to: iso(stop), unit: 'month' });
    d = stop + DAY;
  }
  return out;
}

/** Runs `tasks` at most `limit` at a time, answers in order. */
export async function inBatches<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** The channel a report row stands for: its channel key, or its kind for the catch-all rows. */
export const channelOf = (row: ReportRow) =>
  row.kind === 'group' ? (row.key.channel ?? '(not set)') : row.kind;

export interface TimeSeries {
  buckets: Bucket[];
  /** channel → one value per bucket */
  calls: Map<string, number[]>;
  revenue: Map<string, number[]>;
}

export function toSeries(periods: Bucket[], reports: Report[]): TimeSeries {
  const calls = new Map<string, number[]>();
  const revenue = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, channel: string, i: number, value: number) => {
    if (value === 0) return;
    let values = map.get(channel);
    if (!values) {
      values = new Array(periods.length).fill(0);
      map.set(channel, values);
    }
    values[i] = (values[i] ?? 0) + value;
  };
  reports.forEach((report, i) => {
    for (const row of report.rows) {
      add(calls, channelOf(row), i, row.calls);
      add(revenue, channelOf(row), i, row.revenue);
    }
  });
  return { buckets: periods, calls, revenue };
}

/** The channel report of every period of the range. */
export async function loadSeries(
  api: Api,
  url: string,
  q: { from: string; to: string; model: string },
): Promise<TimeSeries> {
  const periods = buckets(q.from, q.to);
  const reports = await inBatches(
    periods.map(
      (b) => () => api.get<Report>(url, { groupBy: 'channel', model: q.model, from: b.from, to: b.to }),
    ),
    4,
  );
  return toSeries(periods, reports);
}
