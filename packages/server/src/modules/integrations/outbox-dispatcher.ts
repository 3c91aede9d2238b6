import type { Clock } from '../../clock.js';
import type { Db, DialectName } from '../../db/connect.js';
import type { OutboxEventTable } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import { amocrmDelivery } from './amocrm.js';
import { bitrix24Delivery } from './bitrix24.js';
import {
  type AttemptResult,
  backoffMs,
  capped,
  type Delivery,
  type OutboundRequest,
  type Sender,
  type Verdict,
  verdictOf,
} from './delivery.js';
import { ga4Delivery } from './ga4.js';
import { googleAdsDelivery } from './google-ads.js';
import { GoogleTokens } from './google-oauth.js';
import { type SendOptions, sendRequest } from './http-send.js';
import type { IntegrationTarget } from './integration.js';
import type { IntegrationService } from './integration.service.js';
import { METRICA_MAX_ROWS, type MetricaRow, metricaRow, metricaUpload } from './metrica.js';
import * as outbox from './outbox.repository.js';
import {
  type AnyOutboxMessage,
  isCallOutcome,
  type OutboxMessage,
  type OutboxPayload,
} from './outbox-message.js';
import { webhookDelivery } from './webhook.js';

const BATCH = 20;

export interface DispatcherDeps {
  db: Db;
  dialect: DialectName;
  clock: Clock;
  log: Logger;
  integrations: IntegrationService;
  timeoutMs: number;
  /** Whether integrations may call private addresses (config: INTEGRATION_ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks: boolean;
  /** The analytics and ad APIs (config: GA4_BASE_URL, METRICA_API_URL, GOOGLE_ADS_API_URL, GOOGLE_OAUTH_TOKEN_URL). */
  apis: { ga4: string; metrica: string; googleAds: string; googleOAuthToken: string };
  /** For the backoff's jitter; tests may fix it. */
  random?: () => number;
  /** Makes one request; tests may stand in for the network. */
  send?: (request: OutboundRequest, options: SendOptions) => Promise<AttemptResult>;
}

/** Events that go out in one request: one event, or the due calls of one Metrica integration. */
interface Send {
  target: IntegrationTarget;
  events: OutboxEventTable[];
  delivery: Delivery;
}

/**
 * Delivers the outbox: each round claims a few due events (oldest first), sends each through its integration, and
 * records the outcome: delivered, due again after a backoff, or failed. Nothing is ever deleted here.
 */
export class OutboxDispatcher {
  /** Google Ads integrations' OAuth access tokens, each kept until a minute before it expires. */
  private readonly googleTokens: GoogleTokens;

  constructor(private readonly deps: DispatcherDeps) {
    this.googleTokens = new GoogleTokens({ tokenUrl: deps.apis.googleOAuthToken, clock: deps.clock });
  }

  /** One round; resolves with the number of events handled. Tests call it directly with a manual clock. */
  async dispatchOnce(): Promise<number> {
    const now = this.deps.clock.now();
    // Claimed events are not due again until every send of the round must have ended (a crash mid-send: then); a
    // send with a prepare step (Google Ads' token) may make two requests.
    const leaseUntil = now + 2 * this.deps.timeoutMs + 60_000;
    const events = await outbox.claimDue(this.deps.db, this.deps.dialect, now, BATCH, leaseUntil);
    if (events.length === 0) return 0;
    const targets = new Map<string, IntegrationTarget | undefined>();
    const unreadable = new Set<string>();
    for (const id of new Set(events.map((e) => e.integration_id as string))) {
      try {
        targets.set(id, await this.deps.integrations.target(id));
      } catch (error) {
        // E.g. its secrets were sealed under another SECRET_KEY: its events wait out the claim and come back.
        unreadable.add(id);
        this.deps.log.error({ err: error, integrationId: id }, 'integration could not be read');
      }
    }

    const sends: Send[] = [];
    const uploads: { target: IntegrationTarget; events: OutboxEventTable[]; rows: MetricaRow[] }[] = [];
    const settled: Promise<void>[] = [];
    for (const event of events) {
      if (unreadable.has(event.integration_id as string)) continue;
      const target = targets.get(event.integration_id as string);
      if (!target?.enabled) {
        const reason = target ? 'integration disabled' : 'integration deleted';
        settled.push(this.guard(event, () => this.fail(event, event.attempts, reason)));
        continue;
      }
      let message: AnyOutboxMessage;
      try {
        message = messageOf(event);
      } catch {
        settled.push(
          this.guard(event, () => this.fail(event, event.attempts, 'the stored event is not JSON')),
        );
        continue;
      }
      if (target.kind === 'webhook') {
        sends.push({
          target,
          events: [event],
          delivery: webhookDelivery(message, target.settings, target.secrets, now),
        });
        continue;
      }
      // The other kinds take a call's start and end only (integration.ts): anything else never reaches them but
      // through the database.
      if (!isCallOutcome(message)) {
        const reason = `a ${target.kind} integration takes only calls' starts and ends`;
        settled.push(this.guard(event, () => this.fail(event, event.attempts, reason)));
        continue;
      }
      if (target.kind !== 'metrica') {
        sends.push({ target, events: [event], delivery: this.build(message, target, now) });
        continue;
      }
      // Metrica takes many calls in one file: an integration's calls that are due together go in one upload.
      const row = metricaRow(message);
      if (row.kind === 'skip') {
        settled.push(this.guard(event, () => this.delivered(event, event.attempts, row.note)));
        continue;
      }
      let upload = uploads.find((u) => u.target.id === target.id && u.rows.length < METRICA_MAX_ROWS);
      if (!upload) {
        upload = { target, events: [], rows: [] };
        uploads.push(upload);
      }
      upload.events.push(event);
      upload.rows.push(row.row);
    }
    for (const { target, events: batch, rows } of uploads)
      sends.push({
        target,
        events: batch,
        delivery: metricaUpload(rows, target.settings, target.secrets, this.deps.apis.metrica),
      });
    await Promise.all([...settled, ...sends.map((s) => this.deliver(s))]);
    return events.length;
  }

  /** The request for one call of the analytics, ad and CRM kinds but Metrica (whose calls are batched above). */
  private build(message: OutboxMessage, target: IntegrationTarget, now: number): Delivery {
    switch (target.kind) {
      case 'ga4':
        return ga4Delivery(message, target.settings, target.secrets, now, this.deps.apis.ga4);
      case 'amocrm':
        return amocrmDelivery(message, target.settings, target.secrets);
      case 'bitrix24':
        return bitrix24Delivery(message, target.settings, target.secrets);
      case 'google_ads':
        return googleAdsDelivery(message, target, this.deps.apis.googleAds, this.googleTokens);
      default:
        return { kind: 'invalid', reason: `no sender for ${target.kind} integrations` };
    }
  }

  private async deliver({ target, events, delivery }: Send): Promise<void> {
    const first = events[0] as OutboxEventTable;
    await this.guard(first, async () => {
      if (delivery.kind === 'skip') {
        for (const event of events) await this.delivered(event, event.attempts, delivery.note);
        return;
      }
      if (delivery.kind === 'invalid') {
        for (const event of events) await this.fail(event, event.attempts, delivery.reason);
        return;
      }
      const send: Sender = (request) =>
        (this.deps.send ?? sendRequest)(request, {
          timeoutMs: this.deps.timeoutMs,
          allowPrivateNetworks: this.deps.allowPrivateNetworks,
        });
      const ready = delivery.kind === 'prepare' ? await delivery.prepare(send) : delivery;
      let verdictAt: (attempts: number) => Verdict;
      if (ready.kind === 'send') {
        const result = await send(ready.request);
        verdictAt = (attempts) => verdictOf(result, attempts, ready.read);
      } else verdictAt = (attempts) => capped(ready, attempts);
      for (const event of events) {
        const attempts = event.attempts + 1;
        const verdict = verdictAt(attempts);
        if (verdict.kind === 'delivered') await this.delivered(event, attempts, verdict.note ?? null);
        else if (verdict.kind === 'fail') await this.fail(event, attempts, verdict.reason);
        else {
          const wait = backoffMs(attempts, this.deps.random ?? Math.random);
          await outbox.markRetry(
            this.deps.db,
            event.id,
            this.deps.clock.now() + wait,
            attempts,
            verdict.reason,
          );
        }
        if (verdict.kind !== 'delivered')
          this.deps.log.warn(
            {
              eventId: event.id,
              integrationId: target.id,
              kind: target.kind,
              attempts,
              verdict: verdict.kind,
            },
            'integration delivery failed',
          );
      }
    });
  }

  private delivered(event: OutboxEventTable, attempts: number, note: string | null): Promise<void> {
    return outbox.markDelivered(this.deps.db, event.id, this.deps.clock.now(), attempts, note);
  }

  private fail(event: OutboxEventTable, attempts: number, reason: string): Promise<void> {
    return outbox.markFailed(this.deps.db, event.id, this.deps.clock.now(), attempts, reason);
  }

  /** A database hiccup mid-delivery: the claim runs out and the events come due again; logged, never thrown. */
  private async guard(event: OutboxEventTable, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.deps.log.error({ err: error, eventId: event.id }, 'outbox delivery crashed');
    }
  }
}

function messageOf(event: OutboxEventTable): AnyOutboxMessage {
  return {
    id: event.id,
    type: event.type as AnyOutboxMessage['type'],
    raw: event.payload,
    payload: JSON.parse(event.payload) as OutboxPayload,
  };
}
