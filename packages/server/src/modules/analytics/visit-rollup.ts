import { zoneOffset } from '../../time-zone.js';
import { KEY_PARTS, type KeyPart } from './report.js';
import { DAY_MS } from './report-time.js';

/**
 * Per-day visit counts for long report ranges. A year of visits is ~365 × groups rows instead of every visit. The
 * rollup is built from the visit table after the fact (by the report, for the days it needs), never by the
 * tracker: a page view writes nothing more than it did.
 *
 * A day is rolled up only once it is closed: it ended SETTLE_MS ago, so that no visit still in flight can start
 * in it. Visits are written when they start, so a closed day gets no new visits; one that does anyway (a late
 * write, an import) has a new, larger id, and the report finds it by the highest id it has already checked (the
 * watermark) and drops that day's rollup, which is then built again.
 */
export const SETTLE_MS = 3_600_000;

/** The local day (days since 1970-01-01 in the zone) of an instant. */
export const localDay = (at: number, timeZone: string): number =>
  Math.floor((at + zoneOffset(at, timeZone)) / DAY_MS);

/** The last local day that is closed at `now`: the one before the day SETTLE_MS ago. */
export const lastClosedDay = (now: number, timeZone: string): number =>
  localDay(now - SETTLE_MS, timeZone) - 1;

/**
 * The visit key columns a grouping's rows need, as stored in `dims`. Periods come from the day itself, and a
 * visit has no static channel, so neither is stored: a period grouping reads the days' totals (dims '').
 */
export const rollupDims = (parts: readonly KeyPart[]): KeyPart[] =>
  parts.filter((p) => p !== 'period' && p !== 'static_channel');

/**
 * Whole calendar months are summed once more from their days (dims prefixed `m:`, `day` = the month's first day):
 * a year of keyword rows is then ~12 × keywords instead of ~365 × keywords.
 */
export const MONTH_PREFIX = 'm:';

/** The first day (epoch day) of the calendar month of a day, and of the month after it. */
export function monthOf(day: number): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
}
export function nextMonth(day: number): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / DAY_MS;
}

/** The whole months inside the days [from, to] (their first days), and the runs of days outside them. */
export function splitMonths(from: number, to: number): { months: number[]; days: [number, number][] } {
  const months: number[] = [];
  let m = monthOf(from) === from ? from : nextMonth(from);
  while (nextMonth(m) - 1 <= to) {
    months.push(m);
    m = nextMonth(m);
  }
  const first = months[0];
  if (first === undefined) return { months, days: [[from, to]] };
  const end = nextMonth(months[months.length - 1] as number);
  const days: [number, number][] = [];
  if (from < first) days.push([from, first - 1]);
  if (end <= to) days.push([end, to]);
  return { months, days };
}

/** Every key set some grouping reads, once each (periods and static channels share ''). */
export const ROLLUP_KEY_SETS: KeyPart[][] = [
  ...new Map(
    Object.values(KEY_PARTS).map((parts) => [rollupDims(parts).join(','), rollupDims(parts)]),
  ).values(),
];

/** Runs of consecutive days, for building them with one range query each. */
export function consecutiveRuns(days: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const day of [...days].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && day === last[1] + 1) last[1] = day;
    else runs.push([day, day]);
  }
  return runs;
}
