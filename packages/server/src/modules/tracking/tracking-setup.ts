import {
  type CompiledPools,
  type CompiledSwaps,
  compilePoolRules,
  compileStaticSwaps,
} from '../ingest/pool-rules.js';
import { callingCode } from '../numbers/phone.js';
import type { ExhaustionPolicy } from './lease.js';
import type { loadTrackingSetup } from './tracking.repository.js';

export interface TrackedPool {
  id: string;
  priority: number;
  match: unknown;
  holdSeconds: number;
  policy: ExhaustionPolicy;
  fallback: { id: string; e164: string } | undefined;
}

/** What the tracker needs to answer a page view of one project, compiled once and cached. */
export interface TrackingSetup {
  projectId: string;
  /** The business's own numbers printed on the site, with their country calling codes. */
  siteNumbers: { e164: string; cc: string | undefined }[];
  pools: CompiledPools<TrackedPool>;
  swaps: CompiledSwaps;
  /** Numbers outside pools (static channels' and fallbacks'), by id. */
  fixedNumbers: Map<string, string>;
}

export function compileSetup(
  project: { id: string; site_numbers: string },
  rows: Awaited<ReturnType<typeof loadTrackingSetup>>,
): TrackingSetup {
  const fixedNumbers = new Map(
    rows.unpooledNumbers.filter((n) => n.status === 'active').map((n) => [n.id, n.e164]),
  );
  const pools: TrackedPool[] = rows.pools.map((p) => {
    const fallbackE164 = p.fallback_number_id ? fixedNumbers.get(p.fallback_number_id) : undefined;
    return {
      id: p.id,
      priority: p.priority,
      match: JSON.parse(p.match),
      holdSeconds: p.hold_seconds,
      policy: p.exhaustion_policy,
      fallback:
        p.fallback_number_id && fallbackE164 ? { id: p.fallback_number_id, e164: fallbackE164 } : undefined,
    };
  });
  const swaps = rows.channels
    .filter((c) => c.swap_match !== null && fixedNumbers.has(c.tracking_number_id))
    .map((c) => ({ match: JSON.parse(c.swap_match as string), numberId: c.tracking_number_id }));
  return {
    projectId: project.id,
    siteNumbers: (JSON.parse(project.site_numbers) as string[]).map((e164) => ({
      e164,
      cc: callingCode(e164),
    })),
    pools: compilePoolRules(pools),
    swaps: compileStaticSwaps(swaps),
    fixedNumbers,
  };
}

/** The `swap` list of the tracker protocol: every site number → the number shown to this visitor. */
export function swapList(setup: TrackingSetup, shown: string): { from: string; to: string; cc?: string }[] {
  return setup.siteNumbers
    .filter((s) => s.e164 !== shown)
    .map((s) =>
      s.cc
        ? { from: s.e164.slice(1), to: shown.slice(1), cc: s.cc }
        : { from: s.e164.slice(1), to: shown.slice(1) },
    );
}
