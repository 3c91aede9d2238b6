/**
 * The number-lease rules, as pure functions over plain values (no SQL, no clock: `now` is passed in).
 *
 * Every number keeps one moment, `releasedAt`: when its latest lease ends. A number is free when that moment has
 * passed, and among free numbers the one released longest ago is lent first (least-recently-released), so a late
 * call still finds the previous holder in the lease history rather than a fresh visitor.
 */

export interface PoolNumber {
  id: string;
  e164: string;
  releasedAt: number;
}

export type ExhaustionPolicy = 'reuse_oldest' | 'fallback';

export type Allocation =
  | { kind: 'free'; number: PoolNumber }
  /** The pool ran out: this number is also shown to someone else; attribution must know. */
  | { kind: 'shared'; number: PoolNumber }
  | { kind: 'fallback' }
  | { kind: 'empty_pool' };

/** Least-recently-released free number; ties broken by id so that the choice is deterministic. */
export function pickFreeNumber(numbers: readonly PoolNumber[], now: number): PoolNumber | undefined {
  let best: PoolNumber | undefined;
  for (const n of numbers) {
    if (n.releasedAt > now) continue;
    if (!best || n.releasedAt < best.releasedAt || (n.releasedAt === best.releasedAt && n.id < best.id))
      best = n;
  }
  return best;
}

/** When every number is taken: the one whose holder has been silent longest, or the pool's fallback. */
export function allocate(numbers: readonly PoolNumber[], now: number, policy: ExhaustionPolicy): Allocation {
  if (numbers.length === 0) return policy === 'fallback' ? { kind: 'fallback' } : { kind: 'empty_pool' };
  const free = pickFreeNumber(numbers, now);
  if (free) return { kind: 'free', number: free };
  if (policy === 'fallback') return { kind: 'fallback' };
  let oldest = numbers[0] as PoolNumber;
  for (const n of numbers)
    if (n.releasedAt < oldest.releasedAt || (n.releasedAt === oldest.releasedAt && n.id < oldest.id))
      oldest = n;
  return { kind: 'shared', number: oldest };
}

/** A lease lives while heartbeats arrive, and for the pool's hold time after the last one. */
export const leaseExpiry = (lastSeenAt: number, holdSeconds: number): number =>
  lastSeenAt + holdSeconds * 1000;

/** A visit ends after this much silence, as in web analytics. */
export const VISIT_IDLE_MS = 30 * 60 * 1000;

export interface CurrentVisit {
  lastSeenAt: number;
  channel: string;
  source: string;
  campaign: string | null;
}

/**
 * Whether a page view continues the visitor's current visit. A new ad click or campaign starts a new visit even
 * inside the idle window, so that the call is credited to the click that brought the visitor back.
 */
export function continuesVisit(
  current: CurrentVisit | undefined,
  hit: { at: number; tagged: boolean; channel: string; source: string; campaign: string | null },
): boolean {
  if (!current || hit.at - current.lastSeenAt > VISIT_IDLE_MS) return false;
  if (!hit.tagged) return true;
  return (
    current.channel === hit.channel && current.source === hit.source && current.campaign === hit.campaign
  );
}
