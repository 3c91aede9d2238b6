// The live state of pool numbers, computed from lease rows (the one source of truth; `released_at` on the
// number may trail a fresh lease for a moment, so it is not read here).

/** The site script beats every 30 s; two missed beats mean the visitor's page was closed or hidden. */
export const PAGE_OPEN_MS = 60_000;
/** Peak usage is measured over this much history. */
export const PEAK_WINDOW_MS = 24 * 3_600_000;

export type NumberState = 'free' | 'leased' | 'held';

export interface LeaseSpan {
  numberId: string;
  startedAt: number;
  lastSeenAt: number;
  expiresAt: number;
  shared: boolean;
}

export interface NumberUsage {
  numberId: string;
  poolId: string;
  state: NumberState;
  /** Leases alive now: more than one when an exhausted pool shares the number. */
  liveLeases: number;
  lastSeenAt: number | null;
  expiresAt: number | null;
  shared: boolean;
}

export interface PoolUsage {
  poolId: string;
  size: number;
  leased: number;
  held: number;
  free: number;
  /** Numbers busy at once (leased or held) at the busiest moment of the peak window. */
  peakBusy: number;
  peakAt: number | null;
}

/** free: no live lease; leased: a live lease whose page beat within PAGE_OPEN_MS; held: alive, page closed. */
export function numberState(leases: readonly LeaseSpan[], now: number): Omit<NumberUsage, 'poolId'> | null {
  const live = leases.filter((l) => l.startedAt <= now && l.expiresAt > now);
  const numberId = leases[0]?.numberId;
  if (numberId === undefined) return null;
  if (live.length === 0)
    return { numberId, state: 'free', liveLeases: 0, lastSeenAt: null, expiresAt: null, shared: false };
  const lastSeenAt = Math.max(...live.map((l) => l.lastSeenAt));
  return {
    numberId,
    state: now - lastSeenAt <= PAGE_OPEN_MS ? 'leased' : 'held',
    liveLeases: live.length,
    lastSeenAt,
    expiresAt: Math.max(...live.map((l) => l.expiresAt)),
    shared: live.some((l) => l.shared),
  };
}

/** The most numbers of one pool busy at once between `since` and `now` (a sweep over lease starts and ends). */
export function peakBusy(
  leases: readonly LeaseSpan[],
  since: number,
  now: number,
): { peak: number; at: number | null } {
  const events: { at: number; numberId: string; delta: 1 | -1 }[] = [];
  for (const l of leases) {
    const start = Math.max(l.startedAt, since);
    const end = Math.min(l.expiresAt, now + 1);
    if (end <= start) continue;
    events.push({ at: start, numberId: l.numberId, delta: 1 }, { at: end, numberId: l.numberId, delta: -1 });
  }
  // Ends before starts at the same moment: a number handed straight on is not busy twice.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const open = new Map<string, number>();
  let busy = 0;
  let peak = 0;
  let at: number | null = null;
  for (const e of events) {
    const before = open.get(e.numberId) ?? 0;
    const after = before + e.delta;
    open.set(e.numberId, after);
    if (before === 0 && after > 0) busy += 1;
    else if (before > 0 && after === 0) busy -= 1;
    if (busy > peak) {
      peak = busy;
      at = e.at;
    }
  }
  return { peak, at };
}

/** Usage of each pool and the state of each of its numbers. */
export function poolUsage(
  pools: readonly { id: string; numberIds: readonly string[] }[],
  leases: readonly LeaseSpan[],
  now: number,
): { pools: PoolUsage[]; numbers: NumberUsage[] } {
  const byNumber = new Map<string, LeaseSpan[]>();
  for (const l of leases) {
    const list = byNumber.get(l.numberId);
    if (list) list.push(l);
    else byNumber.set(l.numberId, [l]);
  }
  const numbers: NumberUsage[] = [];
  const usage: PoolUsage[] = [];
  for (const pool of pools) {
    const counts = { leased: 0, held: 0, free: 0 };
    const poolLeases: LeaseSpan[] = [];
    for (const numberId of pool.numberIds) {
      const own = byNumber.get(numberId) ?? [];
      poolLeases.push(...own);
      const state = numberState(own, now) ?? {
        numberId,
        state: 'free' as const,
        liveLeases: 0,
        lastSeenAt: null,
        expiresAt: null,
        shared: false,
      };
      counts[state.state] += 1;
      numbers.push({ ...state, poolId: pool.id });
    }
    const peak = peakBusy(poolLeases, now - PEAK_WINDOW_MS, now);
    usage.push({
      poolId: pool.id,
      size: pool.numberIds.length,
      ...counts,
      peakBusy: peak.peak,
      peakAt: peak.at,
    });
  }
  return { pools: usage, numbers };
}
