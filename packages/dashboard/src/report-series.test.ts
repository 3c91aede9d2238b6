import { describe, expect, it } from 'vitest';
import { buckets, inBatches, type Report, toSeries } from './report-series.js';

describe('buckets', () => {
  it('cuts up to a month into days', () => {
    const days = buckets('2026-01-01', '2026-01-31');
    expect(days).toHaveLength(31);
    expect(days[0]).toEqual({ from: '2026-01-01', to: '2026-01-01', unit: 'day' });
    expect(days[30]).toEqual({ from: '2026-01-31', to: '2026-01-31', unit: 'day' });
  });
  it('cuts a quarter into Monday-to-Sunday weeks, the ends clipped to the range', () => {
    const weeks = buckets('2026-01-01', '2026-03-31'); // a Thursday to a Tuesday
    expect(weeks[0]).toEqual({ from: '2026-01-01', to: '2026-01-04', unit: 'week' });
    expect(weeks[1]).toEqual({ from: '2026-01-05', to: '2026-01-11', unit: 'week' });
    expect(weeks[weeks.length - 1]).toEqual({ from: '2026-03-30', to: '2026-03-31', unit: 'week' });
    expect(weeks).toHaveLength(14);
  });
  it('cuts a year into calendar months', () => {
    const months = buckets('2025-03-15', '2026-03-14');
    expect(months).toHaveLength(13);
    expect(months[0]).toEqual({ from: '2025-03-15', to: '2025-03-31', unit: 'month' });
    expect(months[11]).toEqual({ from: '2026-02-01', to: '2026-02-28', unit: 'month' });
    expect(months[12]).toEqual({ from: '2026-03-01', to: '2026-03-14', unit: 'month' });
  });
  it('gives nothing for a reversed or broken range', () => {
    expect(buckets('2026-02-01', '2026-01-01')).toEqual([]);
    expect(buckets('', '2026-01-01')).toEqual([]);
  });
});

describe('inBatches', () => {
  it('keeps the order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const tasks = Array.from({ length: 10 }, (_, i) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10 - i));
      running -= 1;
      return i;
    });
    expect(await inBatches(tasks, 3)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
  });
});

describe('toSeries', () => {
  const row = (channel: string | null, calls: number, revenue: number, kind = 'group') =>
    ({ kind, key: { channel }, label: String(channel), calls, revenue }) as unknown as Report['rows'][number];
  it('puts each channel’s figures side by side, one value per period', () => {
    const periods = buckets('2026-01-01', '2026-01-03');
    const series = toSeries(periods, [
      { currency: 'RUB', rows: [row('paid', 2, 1000), row('organic', 1, 0)] } as Report,
      { currency: 'RUB', rows: [] } as unknown as Report,
      { currency: 'RUB', rows: [row('paid', 1, 0), row(null, 1, 0, 'unattributed')] } as Report,
    ]);
    expect(Object.fromEntries(series.calls)).toEqual({
      paid: [2, 0, 1],
      organic: [1, 0, 0],
      unattributed: [0, 0, 1],
    });
    expect(Object.fromEntries(series.revenue)).toEqual({ paid: [1000, 0, 0] });
  });
});
