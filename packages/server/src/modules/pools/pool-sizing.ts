import { zoneOffset } from '../../time-zone.js';

/**
 * How many numbers a dynamic pool needs: a pure model, no HTTP, no SQL.
 *
 * A number is busy from a visitor's first page view until the pool's hold time after their last heartbeat, and
 * the least-recently-released free number is lent first, so a number serves a new visitor only once its hold has
 * run out. Visitors arriving as a Poisson process at rate λ, each keeping a number for a mean time T, is an
 * M/G/∞ system: the count of busy numbers is Poisson(λT) whatever the distribution of visit lengths. An arriving
 * visitor sees that same distribution (PASTA), so with N numbers the chance that they find the pool exhausted
 * (and share a number, which lowers the attribution's confidence) is P(busy ≥ N).
 *
 * Assumptions: visitors arrive independently of each other (no bursts from one mailing or TV spot), and the
 * rate that matters is the busiest hour's, not the daily average: a pool sized for the average runs out every
 * afternoon.
 */

/** The industry rule the articles quote: one number per 20 daily visitors of the source. */
export const VISITORS_PER_NUMBER = 20;
/**
 * Share of a day's visitors that arrive in its busiest hour, when there is no data. Flat traffic would put 1/24
 * (4%) in every hour; sites whose visitors come in working hours see roughly 8–12% in the busiest one, so 12% is
 * the cautious end of that range.
 */
export const DEFAULT_BUSIEST_HOUR_SHARE = 0.12;
/** The accuracy asked for when none is given: 1 visitor in 20 at the peak may find the pool exhausted. */
export const DEFAULT_ACCURACY = 0.95;
/** The accuracies every answer reports besides the one asked for. */
export const STANDARD_ACCURACIES = [0.9, 0.95, 0.99, 0.999] as const;

export const LIMITS = {
  maxDailyVisitors: 10_000_000,
  /** The busiest hour holds at least an average hour's share of the day. */
  minBusiestHourShare: 1 / 24,
  maxVisitSeconds: 24 * 3600,
  minHoldSeconds: 30,
  maxHoldSeconds: 7 * 24 * 3600,
  maxAccuracy: 0.9999,
  maxCurrentSize: 100_000,
  /** Beyond a million numbers busy at once the inputs are surely wrong (and the sums would grow large). */
  maxExpectedBusy: 1_000_000,
} as const;

export interface SizingInput {
  dailyVisitors: number;
  /** Defaults to DEFAULT_BUSIEST_HOUR_SHARE. */
  busiestHourShare?: number | undefined;
  /** Mean visit length: first page view to last heartbeat. */
  visitSeconds: number;
  holdSeconds: number;
  /** Target chance that a visitor finds a free number, e.g. 0.95. */
  accuracy: number;
  /** The pool's size now, to say how often it would run out. */
  currentSize?: number | undefined;
}

export interface Sizing {
  accuracy: number;
  /** The fewest numbers that keep the chance of an exhausted pool at the peak within 1 − accuracy. */
  numbersNeeded: number;
  levels: { accuracy: number; numbersNeeded: number }[];
  busiestHourShare: number;
  peakHourVisitors: number;
  /** How long one visitor keeps a number: the visit plus the hold. */
  busySecondsPerVisitor: number;
  /** Mean count of busy numbers in the busiest hour (λT). */
  expectedBusy: number;
  /** ceil(daily visitors / 20). */
  ruleOfTwenty: number;
  currentSize: number | null;
  /** Chance that a visitor in the busiest hour finds the current pool exhausted; null without a size. */
  exhaustionProbability: number | null;
}

const inRange = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/** Every problem with the input, in words a user can act on; empty when the input is usable. */
export function checkSizingInput(input: SizingInput): string[] {
  const problems: string[] = [];
  const { dailyVisitors: daily, busiestHourShare: share, visitSeconds, holdSeconds, accuracy } = input;
  if (!inRange(daily, 0, LIMITS.maxDailyVisitors) || daily === 0)
    problems.push(`dailyVisitors must be above 0 and at most ${LIMITS.maxDailyVisitors}`);
  if (share !== undefined && !inRange(share, LIMITS.minBusiestHourShare, 1))
    problems.push('busiestHourShare must be between 1/24 (≈0.042, traffic spread evenly) and 1');
  if (!inRange(visitSeconds, 0, LIMITS.maxVisitSeconds))
    problems.push(`visitSeconds must be between 0 and ${LIMITS.maxVisitSeconds}`);
  if (!inRange(holdSeconds, LIMITS.minHoldSeconds, LIMITS.maxHoldSeconds))
    problems.push(`holdSeconds must be between ${LIMITS.minHoldSeconds} and ${LIMITS.maxHoldSeconds}`);
  if (!inRange(accuracy, 0, LIMITS.maxAccuracy) || accuracy === 0)
    problems.push(`accuracy must be above 0 and at most ${LIMITS.maxAccuracy}`);
  const size = input.currentSize;
  if (size !== undefined && (!Number.isInteger(size) || !inRange(size, 0, LIMITS.maxCurrentSize)))
    problems.push(`currentSize must be a whole number from 0 to ${LIMITS.maxCurrentSize}`);
  if (problems.length === 0) {
    const busy = expectedBusyOf(input);
    if (busy > LIMITS.maxExpectedBusy)
      problems.push(
        `these inputs keep ${Math.round(busy)} numbers busy at once, more than ${LIMITS.maxExpectedBusy}: check them`,
      );
  }
  return problems;
}

const expectedBusyOf = (input: SizingInput): number =>
  (input.dailyVisitors * (input.busiestHourShare ?? DEFAULT_BUSIEST_HOUR_SHARE) * busySeconds(input)) / 3600;
const busySeconds = (input: SizingInput): number => input.visitSeconds + input.holdSeconds;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** The recommendation for these inputs; throws a RangeError on input that checkSizingInput refuses. */
export function sizePool(input: SizingInput): Sizing {
  const problems = checkSizingInput(input);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const share = input.busiestHourShare ?? DEFAULT_BUSIEST_HOUR_SHARE;
  const busy = PoissonTail.of(expectedBusyOf(input));
  const accuracies = [...new Set([...STANDARD_ACCURACIES, input.accuracy])].sort((a, b) => a - b);
  return {
    accuracy: input.accuracy,
    numbersNeeded: busy.numbersFor(input.accuracy),
    levels: accuracies.map((accuracy) => ({ accuracy, numbersNeeded: busy.numbersFor(accuracy) })),
    busiestHourShare: share,
    peakHourVisitors: round2(input.dailyVisitors * share),
    busySecondsPerVisitor: busySeconds(input),
    expectedBusy: round2(busy.mean),
    ruleOfTwenty: ruleOfTwenty(input.dailyVisitors),
    currentSize: input.currentSize ?? null,
    exhaustionProbability: input.currentSize === undefined ? null : busy.atLeast(input.currentSize),
  };
}

export const ruleOfTwenty = (dailyVisitors: number): number => Math.ceil(dailyVisitors / VISITORS_PER_NUMBER);

/**
 * P(X ≥ n) for X ~ Poisson(mean). The probabilities are built outward from the mode by the ratio of neighbours
 * (p(k+1) = p(k)·mean/(k+1)), relative to the mode's, so nothing overflows or underflows for means in the
 * millions; terms more than 12 standard deviations away are below 1e-30 of the mode's and are left out.
 */
export class PoissonTail {
  private constructor(
    readonly mean: number,
    private readonly from: number,
    /** tail[i] = P(X ≥ from + i). */
    private readonly tail: Float64Array,
  ) {}

  static of(mean: number): PoissonTail {
    if (!(mean >= 0) || !Number.isFinite(mean)) throw new RangeError('mean must be a finite number ≥ 0');
    if (mean === 0) return new PoissonTail(0, 0, Float64Array.of(1));
    const mode = Math.floor(mean);
    const span = Math.ceil(12 * Math.sqrt(mean)) + 12;
    const from = Math.max(0, mode - span);
    const to = mode + span;
    const mass = new Float64Array(to - from + 1);
    mass[mode - from] = 1;
    for (let k = mode; k > from; k--) mass[k - 1 - from] = ((mass[k - from] ?? 0) * k) / mean;
    for (let k = mode; k < to; k++) mass[k + 1 - from] = ((mass[k - from] ?? 0) * mean) / (k + 1);
    // Summed from the small end of the upper tail, so the smallest probabilities keep their precision.
    const tail = new Float64Array(mass.length);
    let sum = 0;
    for (let i = mass.length - 1; i >= 0; i--) {
      sum += mass[i] ?? 0;
      tail[i] = sum;
    }
    for (let i = 0; i < tail.length; i++) tail[i] = (tail[i] ?? 0) / sum;
    return new PoissonTail(mean, from, tail);
  }

  /** P(X ≥ n). */
  atLeast(n: number): number {
    if (n <= this.from) return 1;
    return this.tail[n - this.from] ?? 0;
  }

  /** The smallest N ≥ 1 with P(X ≥ N) ≤ 1 − accuracy. */
  numbersFor(accuracy: number): number {
    const allowed = 1 - accuracy;
    // The tail falls as n grows: walk down from the top while it stays within what is allowed.
    let n = this.from + this.tail.length;
    while (n - 1 > this.from && this.atLeast(n - 1) <= allowed) n -= 1;
    return Math.max(1, n);
  }
}

/** Fewer visits than this (or less than a day of history) say too little about the busiest hour. */
export const MIN_OBSERVED_VISITS = 100;
export const MIN_OBSERVED_DAYS = 1;

/** Visits of a pool that started in one clock hour (UTC hour number: epoch ms / 3,600,000). */
export interface HourCount {
  hour: number;
  visits: number;
  /** Sum over these visits of last_seen_at − started_at. */
  visitMs: number;
}

export interface ObservedTraffic {
  visits: number;
  /** Days of history the counts cover (fewer than asked when the pool is younger). */
  days: number;
  dailyVisitors: number;
  /** The local hour of the day (0–23, in `timeZone`) with the most visits over the days, or null without visits. */
  busiestHour: number | null;
  busiestHourShare: number | null;
  meanVisitSeconds: number | null;
  enough: boolean;
}

/**
 * What a pool's traffic looked like: visits per day, the hour of the day that gathers most of them (summed over
 * the days, so one odd hour weighs little) and the mean visit length. UTC hours are put into local hours of the
 * day by the zone's offset at their start; in zones whose offset is not whole hours a UTC hour counts for the
 * local hour in which it starts.
 */
export function observedTraffic(
  hours: readonly HourCount[],
  days: number,
  timeZone: string,
): ObservedTraffic {
  const byHourOfDay = new Array<number>(24).fill(0);
  let visits = 0;
  let visitMs = 0;
  for (const h of hours) {
    const start = h.hour * 3_600_000;
    const local = Math.floor((start + zoneOffset(start, timeZone)) / 3_600_000);
    const hourOfDay = ((local % 24) + 24) % 24;
    byHourOfDay[hourOfDay] = (byHourOfDay[hourOfDay] ?? 0) + h.visits;
    visits += h.visits;
    visitMs += h.visitMs;
  }
  const top = Math.max(...byHourOfDay);
  return {
    visits,
    days,
    dailyVisitors: days > 0 ? round2(visits / days) : 0,
    busiestHour: visits > 0 ? byHourOfDay.indexOf(top) : null,
    busiestHourShare: visits > 0 ? top / visits : null,
    meanVisitSeconds: visits > 0 ? Math.round(visitMs / visits / 1000) : null,
    enough: visits >= MIN_OBSERVED_VISITS && days >= MIN_OBSERVED_DAYS,
  };
}
