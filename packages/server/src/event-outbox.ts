import type { Db } from './db/connect.js';

/** One event for the outbox: its type and data, for the integrations that subscribed to that type. */
export interface OutboxEvent<Type extends string, Data> {
  projectId: string;
  type: Type;
  integrationIds: readonly string[];
  occurredAt: number;
  data: Data;
}

/**
 * Where a module's events go (the integrations module implements it for each kind of event). The writer asks first
 * which integrations of the project take the event (cached, usually none: then it does nothing more), and writes
 * the events in the transaction `db` of the change they report, so an event is owed exactly when that commits.
 */
export interface EventOutbox<Type extends string, Data> {
  subscribers(db: Db, projectId: string, type: Type): Promise<readonly string[]>;
  enqueue(db: Db, event: OutboxEvent<Type, Data>): Promise<void>;
}
