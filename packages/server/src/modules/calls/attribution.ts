import { mediumChannel, sourceChannel } from '../ingest/source-rules.js';
/**
 * Which visit (or channel) made a call, and how sure we are: pure functions over the number's lease history.
 *
 * Each lease of the called number near the call time is a candidate with a plausibility weight:
 * - alive at the call (the number was this visitor's): 1.0 while the page was still open (heartbeats within a
 *   minute), falling linearly to 0.4 at the end of the hold, since a late call is more often someone else;
 * - ended before the call, within one hold time: at most 0.3, falling to 0 at the end of that window.
 * The best candidate's share of all weights is the ambiguity; confidence = 100 × weight × share, so one open page
 * gives 100%, two visitors sharing an exhausted pool's number about 50%, and a call long after the visit little.
 */

export interface LeaseCandidate {
  leaseId: string;
  visitId: string;
  startedAt: number;
  lastSeenAt: number;
  expiresAt: number;
  shared: boolean;
}

export type NumberUse =
  | {
      kind: 'static';
      channel: { id: string; name: string; source: string; medium: string; offline: boolean };
    }
  | { kind: 'pool'; pool: { id: string; name: string; holdSeconds: number } }
  | { kind: 'unassigned' };

export type AttributionRule =
  | 'static_number'
  | 'lease_active'
  | 'lease_in_hold'
  | 'lease_recent'
  | 'pool_without_lease'
  | 'unassigned_number'
  | 'repeat_caller_first'
  | 'repeat_caller_last';

export interface Attribution {
  rule: AttributionRule;
  confidence: number;
  visitId: string | null;
  leaseId: string | null;
  staticChannelId: string | null;
  poolId: string | null;
  candidates: {
    leaseId: string;
    visitId: string;
    weight: number;
    shared: boolean;
    lastSeenAt: number;
    expiresAt: number;
  }[];
  explanation: string;
}

/** Heartbeats come every ≤ 30 s; a minute of silence means the page was closed or hidden. */
const PAGE_OPEN_MS = 60_000;

export function candidateWeight(lease: LeaseCandidate, at: number, holdMs: number): number {
  if (lease.startedAt > at) return 0;
  if (lease.expiresAt >= at) {
    const silence = Math.max(0, at - lease.lastSeenAt - PAGE_OPEN_MS);
    return Math.max(0.4, 1 - 0.6 * Math.min(1, silence / holdMs));
  }
  const sinceEnd = at - lease.expiresAt;
  return sinceEnd > holdMs ? 0 : 0.3 * (1 - sinceEnd / holdMs);
}

const clampConfidence = (value: number) => Math.min(100, Math.max(1, Math.round(value)));

export function attributeCall(at: number, use: NumberUse, leases: readonly LeaseCandidate[]): Attribution {
  const none = { visitId: null, leaseId: null, staticChannelId: null, poolId: null, candidates: [] };
  if (use.kind === 'static') {
    return {
      ...none,
      rule: 'static_number',
      confidence: 100,
      staticChannelId: use.channel.id,
      explanation: `static number of channel "${use.channel.name}"`,
    };
  }
  if (use.kind === 'unassigned') {
    return {
      ...none,
      rule: 'unassigned_number',
      confidence: 1,
      explanation: 'the number serves no pool or channel',
    };
  }
  const holdMs = use.pool.holdSeconds * 1000;
  const candidates = leases
    .map((lease) => ({ lease, weight: candidateWeight(lease, at, holdMs) }))
    .filter((c) => c.weight > 0)
    // Highest weight first; among equals, the visitor seen most recently.
    .sort((a, b) => b.weight - a.weight || b.lease.lastSeenAt - a.lease.lastSeenAt);
  const best = candidates[0];
  if (!best) {
    return {
      ...none,
      rule: 'pool_without_lease',
      confidence: 5,
      poolId: use.pool.id,
      explanation: `no visitor held the number of pool "${use.pool.name}" around the call: credited to the pool's source`,
    };
  }
  const total = candidates.reduce((sum, c) => sum + c.weight, 0);
  const share = best.weight / total;
  const alive = best.lease.expiresAt >= at;
  const open = alive && at - best.lease.lastSeenAt <= PAGE_OPEN_MS;
  const rule: AttributionRule = open ? 'lease_active' : alive ? 'lease_in_hold' : 'lease_recent';
  const others = candidates.length - 1;
  return {
    rule,
    confidence: clampConfidence(100 * best.weight * share),
    visitId: best.lease.visitId,
    leaseId: best.lease.leaseId,
    staticChannelId: null,
    poolId: use.pool.id,
    candidates: candidates.map(({ lease, weight }) => ({
      leaseId: lease.leaseId,
      visitId: lease.visitId,
      weight: Math.round(weight * 1000) / 1000,
      shared: lease.shared,
      lastSeenAt: lease.lastSeenAt,
      expiresAt: lease.expiresAt,
    })),
    explanation:
      (open
        ? 'the visitor had the page open when the call came'
        : alive
          ? 'the visitor had left but the number was still held for them'
          : 'the call came after the visitor’s hold had ended') +
      (others > 0 ? `; ${others} other visit(s) held the number near that time` : '') +
      (best.lease.shared ? '; the pool was exhausted and the number was shared' : ''),
  };
}

/** Target-call rules of a project: which calls count as leads. */
export function isTargetCall(
  call: { status: string; talkSeconds: number | null; firstTimeCaller: boolean },
  rules: { answeredOnly: boolean; minTalkSeconds: number; firstCallOnly: boolean },
): boolean {
  if (rules.answeredOnly && call.status !== 'answered') return false;
  if ((call.talkSeconds ?? 0) < rules.minTalkSeconds) return false;
  return !rules.firstCallOnly || call.firstTimeCaller;
}

/**
 * The report channel of a static number's calls: offline channels are `offline`; an online one is read from its
 * medium and source like a visit's UTM tags (a Yandex Direct ad with medium `cpc` is paid search, a VK page social),
 * and is a referral only when neither says more.
 */
export function staticChannelOf(channel: { source: string; medium: string; offline: boolean }): string {
  if (channel.offline) return 'offline';
  const medium = channel.medium.trim().toLowerCase();
  const source = channel.source.trim().toLowerCase();
  return (medium && mediumChannel(medium)) || (source && sourceChannel(source)) || 'referral';
}
