import type { EventOutbox } from '../../event-outbox.js';
import type { ExhaustionPolicy } from '../pools/pool.js';

/**
 * The alert a full pool raises: a visitor found every number of the pool taken, so they were shown a shared number
 * or the fallback one, and calls from them will be attributed with less confidence, or not at all. Owners hear of it
 * through their webhooks (the integrations module implements PoolAlerts), at most once an hour per pool.
 */
export type PoolEventType = 'pool.exhausted';
export const POOL_EVENT_TYPES: readonly PoolEventType[] = ['pool.exhausted'];

export const POOL_ALERT_INTERVAL_MS = 3_600_000;

export interface PoolExhaustedData {
  pool: {
    id: string;
    name: string;
    /** The pool's active numbers. */
    numbers: number;
    holdSeconds: number;
    exhaustionPolicy: ExhaustionPolicy;
    /** Visitors who have found the pool full since it was created. */
    exhaustedCount: number;
  };
}

/** Where pool alerts go (event-outbox.ts): written in the transaction `db` that claimed the alert for this hour. */
export type PoolAlerts = EventOutbox<PoolEventType, PoolExhaustedData>;
