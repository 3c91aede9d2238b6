import type { PoolTable } from '../../db/database.js';

export type ExhaustionPolicy = 'reuse_oldest' | 'fallback';

export const DEFAULT_HOLD_SECONDS = 15 * 60;
export const MIN_HOLD_SECONDS = 30;
export const MAX_HOLD_SECONDS = 7 * 24 * 3600;

/** A set of numbers lent to visitors of one source, one number per visitor for the visit plus the hold. */
export interface Pool {
  id: string;
  projectId: string;
  name: string;
  priority: number;
  match: unknown;
  holdSeconds: number;
  exhaustionPolicy: ExhaustionPolicy;
  fallbackNumberId: string | null;
  destinationId: string | null;
  numberIds: string[];
  exhaustedCount: number;
  lastExhaustedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export const toPool = (r: PoolTable, numberIds: string[]): Pool => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  priority: r.priority,
  match: JSON.parse(r.match),
  holdSeconds: r.hold_seconds,
  exhaustionPolicy: r.exhaustion_policy,
  fallbackNumberId: r.fallback_number_id,
  destinationId: r.destination_id,
  numberIds,
  exhaustedCount: r.exhausted_count,
  lastExhaustedAt: r.last_exhausted_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
