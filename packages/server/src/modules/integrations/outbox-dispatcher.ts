import type { Clock } from '../../clock.js';
import type { Db, DialectName } from '../../db/connect.js';
import type { OutboxEventTable } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import { type AttemptResult, backoffMs, type Delivery, type OutboundRequest, verdictOf } from './delivery.js';
import { ga4Delivery } from './ga4.js';
import { sendRequest } from './http-send.js';
import type { IntegrationTarget } from './integration.js';
import type { IntegrationService } from './integration.service.js';
import { metricaDelivery } from './metrica.js';
import * as outbox from './outbox.repository.js';
import type { OutboxMessage, OutboxPayload } from './outbox-message.js';
import { webhookDelivery } from './webhook.js';

const BATCH = 20;

export interface DispatcherDeps {
  db: Db;
  dialect: DialectName;
  clock: Clock;
  log: Logger;
  integrations: IntegrationService;
  timeoutMs: number;
  /** Origins of the analytics APIs (config: GA4_BASE_URL, METRICA_API_URL). */
  apis: { ga4: string; metrica: string };
  /** For the backoff's jitter; tests may fix it. */
  random?: () => number;
  /** Makes one request; tests may stand in for the network. */
  send?: (request: OutboundRequest, timeoutMs: number) => Promise<AttemptResult>;
}

/**
 * Delivers the outbox: each round claims a few due events (oldest first), sends each through its integration, and
 * records the outcome: delivered, due again after a backoff, or failed. Nothing is ever deleted here.
 */
export class OutboxDispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  /** One round; resolves with the number of events handled. Tests call it directly with a manual clock. */
  async dispatchOnce(): Promise<number> {
    const now = this.deps.clock.now();
    // Claimed events are not due again until every send of the round must have ended (a crash mid-send: then).
    const leaseUntil = now + this.deps.timeoutMs + 60_000;
    const events = await outbox.claimDue(this.deps.db, this.deps.dialect, now, BATCH, leaseUntil);
    if (events.length === 0) return 0;
    const targets = new Map<string, Promise<IntegrationTarget | undefined>>();
    await Promise.all(
      events.map((event) => {
        const id = event.integration_id as string;
        let target = targets.get(id);
        if (!target) {
          target = this.deps.integrations.target(id);
          targets.set(id, target);
        }
        return target.then((t) => this.deliver(event, t));
      }),
    );
    return events.length;
  }

  private async deliver(event: OutboxEventTable, target: IntegrationTarget | undefined): Promise<void> {
    const { db, clock } = this.deps;
    try {
      if (!target?.enabled) {
        const reason = target ? 'integration disabled' : 'integration deleted';
        await outbox.markFailed(db, event.id, clock.now(), event.attempts, reason);
        return;
      }
      const delivery = this.build(event, target);
      if (delivery.kind === 'skip') {
        await outbox.markDelivered(db, event.id, clock.now(), event.attempts, delivery.note);
        return;
      }
      if (delivery.kind === 'invalid') {
        await outbox.markFailed(db, event.id, clock.now(), event.attempts, delivery.reason);
        return;
      }
      const result = await (this.deps.send ?? sendRequest)(delivery.request, this.deps.timeoutMs);
      const attempts = event.attempts + 1;
      const verdict = verdictOf(result, attempts);
      const at = clock.now();
      if (verdict.kind === 'delivered') await outbox.markDelivered(db, event.id, at, attempts, null);
      else if (verdict.kind === 'fail') await outbox.markFailed(db, event.id, at, attempts, verdict.reason);
      else {
        const wait = backoffMs(attempts, this.deps.random ?? Math.random);
        await outbox.markRetry(db, event.id, at + wait, attempts, verdict.reason);
      }
      if (verdict.kind !== 'delivered')
        this.deps.log.warn(
          { eventId: event.id, integrationId: target.id, kind: target.kind, attempts, verdict: verdict.kind },
          'integration delivery failed',
        );
    } catch (error) {
      // A broken row or a database hiccup: the claim runs out and the event comes due again; logged, not thrown.
      this.deps.log.error({ err: error, eventId: event.id }, 'outbox delivery crashed');
    }
  }

  private build(event: OutboxEventTable, target: IntegrationTarget): Delivery {
    const message: OutboxMessage = {
      id: event.id,
      type: event.type as OutboxMessage['type'],
      raw: event.payload,
      payload: JSON.parse(event.payload) as OutboxPayload,
    };
    const now = this.deps.clock.now();
    switch (target.kind) {
      case 'webhook':
        return webhookDelivery(message, target.settings, target.secrets, now);
      case 'ga4':
        return ga4Delivery(message, target.settings, target.secrets, now, this.deps.apis.ga4);
      case 'metrica':
        return metricaDelivery(message, target.settings, target.secrets, this.deps.apis.metrica);
    }
  }
}
