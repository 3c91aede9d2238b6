import { describe, expect, it } from 'vitest';
import { type LeaseSpan, numberState, PAGE_OPEN_MS, peakBusy, poolUsage } from './pool-usage.js';

const NOW = 1_800_000_000_000;
const MIN = 60_000;
const lease = (numberId: string, o: Partial<LeaseSpan> = {}): LeaseSpan => ({
  numberId,
  startedAt: NOW - 10 * MIN,
  lastSeenAt: NOW - 10_000,
  expiresAt: NOW + 15 * MIN,
  shared: false,
  ...o,
});

describe('numberState', () => {
  it('is leased while the page beat within two heartbeat intervals', () => {
    expect(numberState([lease('n1', { lastSeenAt: NOW - PAGE_OPEN_MS })], NOW)?.state).toBe('leased');
  });
  it('is held once the page went quiet but the hold lasts', () => {
    expect(numberState([lease('n1', { lastSeenAt: NOW - PAGE_OPEN_MS - 1 })], NOW)).toMatchObject({
      state: 'held',
      liveLeases: 1,
      expiresAt: NOW + 15 * MIN,
    });
  });
  it('is free when every lease has expired, even a moment ago', () => {
    expect(numberState([lease('n1', { expiresAt: NOW })], NOW)).toMatchObject({
      state: 'free',
      liveLeases: 0,
      lastSeenAt: null,
    });
  });
  it('counts the leases of a shared number; one open page makes it leased', () => {
    const state = numberState(
      [
        lease('n1', { lastSeenAt: NOW - 5 * MIN, shared: false }),
        lease('n1', { lastSeenAt: NOW - 1000, shared: true }),
      ],
      NOW,
    );
    expect(state).toMatchObject({ state: 'leased', liveLeases: 2, shared: true, lastSeenAt: NOW - 1000 });
  });
});

describe('peakBusy', () => {
  it('finds the most numbers busy at once, a number shared twice counting once', () => {
    const leases = [
      lease('a', { startedAt: NOW - 60 * MIN, expiresAt: NOW - 30 * MIN }),
      lease('b', { startedAt: NOW - 50 * MIN, expiresAt: NOW - 20 * MIN }),
      lease('b', { startedAt: NOW - 45 * MIN, expiresAt: NOW - 25 * MIN, shared: true }),
      lease('c', { startedAt: NOW - 40 * MIN, expiresAt: NOW - 35 * MIN }),
      lease('a', { startedAt: NOW - 10 * MIN, expiresAt: NOW + MIN }),
    ];
    expect(peakBusy(leases, NOW - 24 * 60 * MIN, NOW)).toEqual({ peak: 3, at: NOW - 40 * MIN });
  });
  it('does not count a number handed straight on as busy twice', () => {
    const leases = [
      lease('a', { startedAt: NOW - 20 * MIN, expiresAt: NOW - 10 * MIN }),
      lease('b', { startedAt: NOW - 10 * MIN, expiresAt: NOW - 5 * MIN }),
    ];
    expect(peakBusy(leases, NOW - 60 * MIN, NOW).peak).toBe(1);
  });
  it('ignores what ended before the window', () => {
    expect(
      peakBusy([lease('a', { startedAt: NOW - 90 * MIN, expiresAt: NOW - 70 * MIN })], NOW - 60 * MIN, NOW),
    ).toEqual({ peak: 0, at: null });
  });
});

describe('poolUsage', () => {
  it('sums each pool and lists every member, free ones included', () => {
    const result = poolUsage(
      [
        { id: 'p1', numberIds: ['a', 'b', 'c'] },
        { id: 'p2', numberIds: ['d'] },
      ],
      [lease('a'), lease('b', { lastSeenAt: NOW - 5 * MIN }), lease('d', { expiresAt: NOW - MIN })],
      NOW,
    );
    expect(result.pools).toEqual([
      { poolId: 'p1', size: 3, leased: 1, held: 1, free: 1, peakBusy: 2, peakAt: NOW - 10 * MIN },
      { poolId: 'p2', size: 1, leased: 0, held: 0, free: 1, peakBusy: 1, peakAt: NOW - 10 * MIN },
    ]);
    expect(result.numbers.map((n) => [n.numberId, n.poolId, n.state])).toEqual([
      ['a', 'p1', 'leased'],
      ['b', 'p1', 'held'],
      ['c', 'p1', 'free'],
      ['d', 'p2', 'free'],
    ]);
  });
});
