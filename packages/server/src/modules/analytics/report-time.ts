/**
 * Calendar arithmetic in a project's time zone. Storage keeps UTC epoch milliseconds; reports ask for local
 * dates. SQL cannot convert time zones the same way on SQLite and PostgreSQL, so the report computes here the
 * UTC offsets that apply within its range (one, or a few around daylight-saving changes) and hands SQL plain
 * integer arithmetic.
 */
import { zoneOffset } from '../../time-zone.js';

export const DAY_MS = 86_400_000;

export function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** Days since 1970-01-01 of a YYYY-MM-DD date. */
export const epochDay = (isoDate: string): number => Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS;
export const isoOfEpochDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The UTC instant at which a local date begins in the zone. */
export function localMidnight(isoDate: string, timeZone: string): number {
  const guess = epochDay(isoDate) * DAY_MS;
  let at = guess - zoneOffset(guess, timeZone);
  at = guess - zoneOffset(at, timeZone);
  return at;
}

/** Constant-offset stretches of [from, to): each starts at `start` (UTC ms) and applies `offset`. */
export interface OffsetSegment {
  start: number;
  offset: number;
}

export function offsetSegments(from: number, to: number, timeZone: string): OffsetSegment[] {
  const segments: OffsetSegment[] = [{ start: from, offset: zoneOffset(from, timeZone) }];
  const step = 6 * 3_600_000;
  for (let t = from + step; t < to + step; t += step) {
    const at = Math.min(t, to);
    const offset = zoneOffset(at, timeZone);
    const last = segments[segments.length - 1] as OffsetSegment;
    if (offset === last.offset) continue;
    // Find the change to the second: offsets change on whole minutes.
    let lo = at - step;
    let hi = at;
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2000) * 1000;
      if (zoneOffset(mid, timeZone) === last.offset) lo = mid;
      else hi = mid;
    }
    segments.push({ start: hi, offset });
  }
  return segments;
}

/** Local calendar months overlapping [fromDay, toDay] (epoch days), each with its UTC start instant. */
export function monthStarts(
  fromIso: string,
  toIso: string,
  timeZone: string,
): { label: string; start: number }[] {
  const months: { label: string; start: number }[] = [];
  let [y, m] = fromIso.split('-').map(Number) as [number, number];
  const last = toIso.slice(0, 7);
  for (;;) {
    const label = `${y}-${String(m).padStart(2, '0')}`;
    months.push({ label, start: localMidnight(`${label}-01`, timeZone) });
    if (label >= last) break;
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return months;
}

/** Monday-based week number of an epoch day (1970-01-01 was a Thursday), and the Monday it starts. */
export const weekOfEpochDay = (day: number): number => Math.floor((day + 3) / 7);
export const mondayOfWeek = (week: number): string => isoOfEpochDay(week * 7 - 3);
