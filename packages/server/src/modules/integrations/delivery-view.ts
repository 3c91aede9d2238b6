import type { OutboxEventTable } from '../../db/database.js';

/** One event owed to an integration, as the API shows it. */
export interface Delivery {
  id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  /** On a delivered event that was not actually sent: why (e.g. `skipped: no GA client id`). */
  note: string | null;
  callId: string | null;
  createdAt: number;
  /** When it is next tried (pending events). */
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  failedAt: number | null;
}

export function deliveryOf(r: OutboxEventTable): Delivery {
  const status = r.delivered_at !== null ? 'delivered' : r.failed_at !== null ? 'failed' : 'pending';
  let callId: string | null = null;
  try {
    callId = (JSON.parse(r.payload) as { data?: { call?: { id?: string } } }).data?.call?.id ?? null;
  } catch {
    callId = null;
  }
  return {
    id: r.id,
    type: r.type,
    status,
    attempts: r.attempts,
    lastError: r.last_error,
    note: r.note,
    callId,
    createdAt: r.created_at,
    nextAttemptAt: status === 'pending' ? r.available_at : null,
    deliveredAt: r.delivered_at,
    failedAt: r.failed_at,
  };
}
