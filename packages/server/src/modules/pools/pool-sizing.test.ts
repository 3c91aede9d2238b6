import { describe, expect, it } from 'vitest';
import {
  checkSizingInput,
  DEFAULT_BUSIEST_HOUR_SHARE,
  observedTraffic,
  PoissonTail,
  ruleOfTwenty,
  sizePool,
} from './pool-sizing.js';

/** P(X ≥ n) summed term by term: fine for small means, where e^-mean does not underflow. */
function directTail(mean: number, n: number): number {
  let p = Math.exp(-mean);
  let below = 0;
  for (let k = 0; k < n; k++) {
    below += p;
    p = (p * mean) / (k + 1);
  }
  return 1 - below;
}

const HOUR = 3_600_000;

describe('PoissonTail', () => {
  it('agrees with the direct sum for small and middling means', () => {
    for (const mean of [0.2, 3, 36, 40, 150]) {
      const tail = PoissonTail.of(mean);
      for (const n of [0, 1, 2, 5, Math.floor(mean), Math.ceil(mean * 1.3) + 2]) {
        expect(tail.atLeast(n)).toBeCloseTo(directTail(mean, n), 12);
      }
    }
  });

  it('picks the smallest N whose tail is within 1 − accuracy', () => {
    const tail = PoissonTail.of(40);
    const n = tail.numbersFor(0.95);
    expect(n).toBe(52);
    expect(directTail(40, n)).toBeLessThanOrEqual(0.05);
    expect(directTail(40, n - 1)).toBeGreaterThan(0.05);
    expect(PoissonTail.of(0).numbersFor(0.99)).toBe(1);
    expect(PoissonTail.of(0.01).numbersFor(0.5)).toBe(1);
  });

  it('stays finite and close to the normal approximation for means in the thousands and beyond', () => {
    for (const mean of [5_000, 250_000, 1_000_000]) {
      const tail = PoissonTail.of(mean);
      // The median of a Poisson is within a unit of its mean.
      expect(tail.atLeast(Math.floor(mean))).toBeGreaterThan(0.49);
      expect(tail.atLeast(Math.floor(mean))).toBeLessThan(0.52);
      // mean + z·√mean, plus a little for the skew.
      const sd = Math.sqrt(mean);
      expect(tail.numbersFor(0.95)).toBeGreaterThanOrEqual(mean + 1.6449 * sd);
      expect(tail.numbersFor(0.95)).toBeLessThanOrEqual(mean + 1.6449 * sd + 3);
      expect(tail.numbersFor(0.99)).toBeGreaterThanOrEqual(mean + 2.3263 * sd);
      expect(tail.numbersFor(0.99)).toBeLessThanOrEqual(mean + 2.3263 * sd + 3);
    }
  });
});

describe('sizePool', () => {
  it("answers the product's example: 1,000 visitors a day, 3-minute visits, a 15-minute hold", () => {
    const sizing = sizePool({
      dailyVisitors: 1000,
      visitSeconds: 180,
      holdSeconds: 900,
      accuracy: 0.95,
      currentSize: 50,
    });
    expect(sizing).toMatchObject({
      busiestHourShare: DEFAULT_BUSIEST_HOUR_SHARE,
      peakHourVisitors: 120,
      busySecondsPerVisitor: 1080,
      expectedBusy: 36, // 120 an hour × 0.3 h
      numbersNeeded: 47,
      ruleOfTwenty: 50,
      currentSize: 50,
    });
    expect(sizing.levels).toEqual([
      { accuracy: 0.9, numbersNeeded: 45 },
      { accuracy: 0.95, numbersNeeded: 47 },
      { accuracy: 0.99, numbersNeeded: 52 },
      { accuracy: 0.999, numbersNeeded: 57 },
    ]);
    expect(sizing.exhaustionProbability).toBeCloseTo(directTail(36, 50), 12);
  });

  it('needs far fewer numbers than the rule with a short hold, and more for a busier peak', () => {
    const short = sizePool({ dailyVisitors: 1000, visitSeconds: 120, holdSeconds: 300, accuracy: 0.95 });
    expect(short.numbersNeeded).toBe(21);
    expect(short.exhaustionProbability).toBeNull();
    const peaky = sizePool({
      dailyVisitors: 1000,
      busiestHourShare: 0.25,
      visitSeconds: 120,
      holdSeconds: 300,
      accuracy: 0.95,
    });
    expect(peaky.numbersNeeded).toBeGreaterThan(short.numbersNeeded);
  });

  it('adds an accuracy outside the standard ones to the levels, in order', () => {
    const sizing = sizePool({ dailyVisitors: 500, visitSeconds: 60, holdSeconds: 600, accuracy: 0.98 });
    expect(sizing.levels.map((l) => l.accuracy)).toEqual([0.9, 0.95, 0.98, 0.99, 0.999]);
    expect(sizing.levels.find((l) => l.accuracy === 0.98)?.numbersNeeded).toBe(sizing.numbersNeeded);
  });

  it('says an empty pool always runs out', () => {
    const sizing = sizePool({
      dailyVisitors: 10,
      visitSeconds: 60,
      holdSeconds: 60,
      accuracy: 0.9,
      currentSize: 0,
    });
    expect(sizing.exhaustionProbability).toBe(1);
  });

  it('refuses bad input with every problem named', () => {
    const problems = checkSizingInput({
      dailyVisitors: 0,
      busiestHourShare: 0.01,
      visitSeconds: -1,
      holdSeconds: 5,
      accuracy: 1,
      currentSize: 2.5,
    });
    expect(problems).toEqual([
      expect.stringContaining('dailyVisitors'),
      expect.stringContaining('busiestHourShare'),
      expect.stringContaining('visitSeconds'),
      expect.stringContaining('holdSeconds'),
      expect.stringContaining('accuracy'),
      expect.stringContaining('currentSize'),
    ]);
    expect(
      checkSizingInput({ dailyVisitors: Number.NaN, visitSeconds: 1, holdSeconds: 60, accuracy: 0.9 }),
    ).toEqual([expect.stringContaining('dailyVisitors')]);
    expect(() => sizePool({ dailyVisitors: 1, visitSeconds: 1, holdSeconds: 60, accuracy: 0 })).toThrow(
      RangeError,
    );
  });

  it('refuses inputs that would keep over a million numbers busy', () => {
    const problems = checkSizingInput({
      dailyVisitors: 10_000_000,
      busiestHourShare: 1,
      visitSeconds: 3600,
      holdSeconds: 3600,
      accuracy: 0.9,
    });
    expect(problems).toEqual([expect.stringContaining('busy at once')]);
  });

  it('rounds the rule of 20 up', () => {
    expect(ruleOfTwenty(1000)).toBe(50);
    expect(ruleOfTwenty(1001)).toBe(51);
    expect(ruleOfTwenty(3)).toBe(1);
  });
});

describe('observedTraffic', () => {
  const day0 = Date.UTC(2026, 0, 1) / HOUR;

  it('finds the busiest local hour of the day, the daily visitors and the mean visit length', () => {
    // Two days: 08:00 UTC (11:00 in Moscow) gets 30 visits a day, 15:00 UTC 10.
    const hours = [0, 1].flatMap((d) => [
      { hour: day0 + d * 24 + 8, visits: 30, visitMs: 30 * 120_000 },
      { hour: day0 + d * 24 + 15, visits: 10, visitMs: 10 * 60_000 },
    ]);
    const seen = observedTraffic(hours, 2, 'Europe/Moscow');
    expect(seen).toEqual({
      visits: 80,
      days: 2,
      dailyVisitors: 40,
      busiestHour: 11,
      busiestHourShare: 0.75,
      meanVisitSeconds: 105,
      enough: false,
    });
    expect(observedTraffic(hours, 2, 'UTC').busiestHour).toBe(8);
  });

  it('sums the same hour of the day over the days, so one odd hour weighs little', () => {
    const steady = Array.from({ length: 14 }, (_, d) => ({
      hour: day0 + d * 24 + 10,
      visits: 10,
      visitMs: 0,
    }));
    const odd = { hour: day0 + 3 * 24 + 20, visits: 40, visitMs: 0 };
    const seen = observedTraffic([...steady, odd], 14, 'UTC');
    expect(seen.busiestHour).toBe(10);
    expect(seen.busiestHourShare).toBeCloseTo(140 / 180, 12);
    expect(seen.enough).toBe(true);
  });

  it('says nothing about the busiest hour without visits', () => {
    expect(observedTraffic([], 14, 'UTC')).toEqual({
      visits: 0,
      days: 14,
      dailyVisitors: 0,
      busiestHour: null,
      busiestHourShare: null,
      meanVisitSeconds: null,
      enough: false,
    });
  });
});
