import { describe, expect, it } from 'vitest';
import { epochDay } from './report-time.js';
import { consecutiveRuns, lastClosedDay, localDay, rollupDims, SETTLE_MS } from './visit-rollup.js';

describe('visit rollup days', () => {
  it('finds the local day of an instant in the zone', () => {
    // 22:30 UTC on March 1 is 01:30 on March 2 in Moscow.
    expect(localDay(Date.UTC(2026, 2, 1, 22, 30), 'Europe/Moscow')).toBe(epochDay('2026-03-02'));
    expect(localDay(Date.UTC(2026, 2, 1, 22, 30), 'UTC')).toBe(epochDay('2026-03-01'));
  });

  it('closes a day only once it ended SETTLE_MS ago', () => {
    const midnight = Date.UTC(2026, 2, 10);
    expect(lastClosedDay(midnight + SETTLE_MS - 1, 'UTC')).toBe(epochDay('2026-03-08'));
    expect(lastClosedDay(midnight + SETTLE_MS, 'UTC')).toBe(epochDay('2026-03-09'));
  });

  it('stores the visit key columns of a grouping, not periods or static channels', () => {
    expect(rollupDims(['ad_network', 'campaign', 'keyword'])).toEqual(['ad_network', 'campaign', 'keyword']);
    expect(rollupDims(['period'])).toEqual([]);
    expect(rollupDims(['static_channel'])).toEqual([]);
  });

  it('builds consecutive days with one query each', () => {
    expect(consecutiveRuns([5, 3, 4, 9, 10, 12])).toEqual([
      [3, 5],
      [9, 10],
      [12, 12],
    ]);
    expect(consecutiveRuns([])).toEqual([]);
  });
});
