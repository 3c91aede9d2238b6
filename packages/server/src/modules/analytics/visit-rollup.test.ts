import { describe, expect, it } from 'vitest';
import { epochDay } from './report-time.js';
import {
  consecutiveRuns,
  lastClosedDay,
  localDay,
  rollupDims,
  SETTLE_MS,
  splitMonths,
} from './visit-rollup.js';

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

describe('whole months of a range', () => {
  const d = epochDay;
  it('takes the months that lie wholly inside, and the days around them', () => {
    expect(splitMonths(d('2026-02-20'), d('2026-04-05'))).toEqual({
      months: [d('2026-03-01')],
      days: [
        [d('2026-02-20'), d('2026-02-28')],
        [d('2026-04-01'), d('2026-04-05')],
      ],
    });
    expect(splitMonths(d('2026-01-01'), d('2026-02-28'))).toEqual({
      months: [d('2026-01-01'), d('2026-02-01')],
      days: [],
    });
    expect(splitMonths(d('2026-03-02'), d('2026-03-31'))).toEqual({
      months: [],
      days: [[d('2026-03-02'), d('2026-03-31')]],
    });
    expect(splitMonths(d('2025-12-31'), d('2026-01-31')).months).toEqual([d('2026-01-01')]);
  });
});
