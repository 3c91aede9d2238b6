import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import type { IntegrationTable, OutboxEventTable } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import type { OutboxEvent } from '../../event-outbox.js';
import { newId } from '../../ids.js';
import { seal, unseal } from '../../sealed.js';
import type { CallEventData, CallEventType, CallOutbox } from '../calls/call-outbox.js';
import type { PoolAlerts, PoolEventType, PoolExhaustedData } from '../tracking/pool-alerts.js';
import { privateAddressIn } from './address-guard.js';
import { type Delivery as DeliveryView, deliveryOf } from './delivery-view.js';
import {
  type EventType,
  type Integration,
  type IntegrationKind,
  type IntegrationTarget,
  parseEvents,
  parseSettings,
  SECRET_KEYS,
} from './integration.js';
import * as repo from './integration.repository.js';
import * as outbox from './outbox.repository.js';
import type { OutboxPayload } from './outbox-message.js';

/** How long the call path trusts its list of a project's integrations (other instances see a change this late). */
const SUBSCRIPTIONS_TTL_MS = 5_000;

export interface IntegrationInput {
  kind: IntegrationKind;
  name: string;
  enabled?: boolean;
  events?: string[];
  settings: Record<string, unknown>;
}

export interface IntegrationPatch {
  name?: string;
  enabled?: boolean;
  events?: string[];
  settings?: Record<string, unknown>;
}

/**
 * A project's outbound integrations (signed webhooks, GA4, Yandex Metrica, amoCRM, Bitrix24, Google Ads), their deliveries, and the outbox the
 * call path writes to. Secrets are sealed at rest (sealed.ts) and never shown after they are set, except a
 * generated webhook secret, once, in the answer that created it.
 */
export class IntegrationService implements CallOutbox, PoolAlerts {
  private readonly subscriptions = new Map<
    string,
    { loadedAt: number; list: { id: string; events: EventType[] }[] }
  >();

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      secretKey: string;
      /** Config INTEGRATION_ALLOW_PRIVATE_NETWORKS: otherwise a URL typed with a private address is refused here. */
      allowPrivateNetworks?: boolean;
    },
  ) {}

  /**
   * Parses the settings, and refuses a URL someone typed with a private IP address unless private networks are
   * allowed: such a delivery could only fail (address-guard.ts). Names are checked when they are resolved, at send.
   */
  private settingsOf(kind: IntegrationKind, input: Record<string, unknown>) {
    const parsed = parseSettings(kind, input);
    if (this.deps.allowPrivateNetworks) return parsed;
    // The URLs typed in: a webhook's, amoCRM's account, Bitrix24's inbound webhook (kept as a secret).
    const settings: Partial<Record<string, unknown>> = { ...parsed.settings };
    const typed = { url: settings.url, baseUrl: settings.baseUrl, webhookUrl: parsed.secrets.webhookUrl };
    for (const [key, value] of Object.entries(typed)) {
      const address = typeof value === 'string' ? privateAddressIn(value) : undefined;
      if (address)
        throw new AppError(
          'validation_failed',
          `settings.${key} points at ${address}, a private address; set INTEGRATION_ALLOW_PRIVATE_NETWORKS=true to allow private networks`,
          [{ path: `/settings/${key}`, message: 'a private address' }],
        );
    }
    return parsed;
  }

  async list(projectId: string): Promise<Integration[]> {
    return (await repo.listIntegrations(this.deps.db, projectId)).map((r) => this.view(r));
  }

  async get(projectId: string, id: string): Promise<Integration> {
    return this.view(await this.row(projectId, id));
  }

  async create(projectId: string, input: IntegrationInput): Promise<Integration & { secret?: string }> {
    const { settings, secrets } = this.settingsOf(input.kind, input.settings);
    const now = this.deps.clock.now();
    const row: IntegrationTable = {
      id: newId(),
      project_id: projectId,
      kind: input.kind,
      name: input.name,
      settings: JSON.stringify(settings),
      secrets: seal(JSON.stringify(secrets), this.deps.secretKey),
      events: JSON.stringify(parseEvents(input.kind, input.events)),
      enabled: input.enabled === false ? 0 : 1,
      created_at: now,
      updated_at: now,
    };
    await repo.insertIntegration(this.deps.db, row);
    this.invalidate();
    const view = this.view(row);
    // A webhook secret we generated is shown this once, so that the receiver can be set up with it.
    return input.kind === 'webhook' && input.settings.secret === undefined
      ? { ...view, secret: secrets.secret as string }
      : view;
  }

  /** Changes what is given; settings are merged into the current ones (secrets only replaced when given). */
  async update(projectId: string, id: string, patch: IntegrationPatch): Promise<Integration> {
    const row = await this.row(projectId, id);
    const changed: IntegrationTable = { ...row, updated_at: this.deps.clock.now() };
    if (patch.name !== undefined) changed.name = patch.name;
    if (patch.enabled !== undefined) changed.enabled = patch.enabled ? 1 : 0;
    if (patch.events !== undefined) changed.events = JSON.stringify(parseEvents(row.kind, patch.events));
    if (patch.settings !== undefined) {
      const merged = { ...this.secretsOf(row), ...JSON.parse(row.settings), ...patch.settings };
      const { settings, secrets } = this.settingsOf(row.kind, merged);
      changed.settings = JSON.stringify(settings);
      changed.secrets = seal(JSON.stringify(secrets), this.deps.secretKey);
    }
    await repo.updateIntegration(this.deps.db, changed);
    this.invalidate();
    return this.view(changed);
  }

  /** Its events already owed stay in the outbox; the dispatcher marks them failed (integration deleted). */
  async remove(projectId: string, id: string): Promise<void> {
    if ((await repo.deleteIntegration(this.deps.db, projectId, id)) === 0)
      throw notFound(`integration ${id}`);
    this.invalidate();
  }

  async deliveries(projectId: string, id: string, limit: number): Promise<DeliveryView[]> {
    await this.row(projectId, id);
    return (await outbox.listDeliveries(this.deps.db, projectId, id, limit)).map(deliveryOf);
  }

  /** Makes a failed delivery due again (after the receiver or the settings were fixed). */
  async retry(projectId: string, id: string, eventId: string): Promise<DeliveryView> {
    await this.row(projectId, id);
    const event = await outbox.findDelivery(this.deps.db, projectId, id, eventId);
    if (!event) throw notFound(`delivery ${eventId}`);
    if (event.failed_at === null)
      throw new AppError(
        'conflict',
        `delivery ${eventId} has not failed: only failed deliveries are retried`,
      );
    const now = this.deps.clock.now();
    await outbox.requeue(this.deps.db, eventId, now);
    return deliveryOf({ ...event, failed_at: null, available_at: now, attempts: 0 });
  }

  /** For the dispatcher: the integration with its secrets, or undefined when it was deleted. */
  async target(id: string): Promise<IntegrationTarget | undefined> {
    const row = await repo.findIntegrationById(this.deps.db, id);
    if (!row) return undefined;
    return {
      id: row.id,
      projectId: row.project_id,
      kind: row.kind,
      enabled: row.enabled === 1,
      settings: JSON.parse(row.settings) as Record<string, unknown>,
      secrets: this.secretsOf(row),
    };
  }

  async subscribers(db: Db, projectId: string, type: EventType): Promise<readonly string[]> {
    const now = this.deps.clock.now();
    let cached = this.subscriptions.get(projectId);
    if (!cached || now - cached.loadedAt >= SUBSCRIPTIONS_TTL_MS || now < cached.loadedAt) {
      const rows = await repo.listSubscriptions(db, projectId);
      cached = {
        loadedAt: now,
        list: rows.map((r) => ({ id: r.id, events: JSON.parse(r.events) as EventType[] })),
      };
      this.subscriptions.set(projectId, cached);
    }
    return cached.list.filter((s) => s.events.includes(type)).map((s) => s.id);
  }

  async enqueue(
    db: Db,
    event: OutboxEvent<CallEventType, CallEventData> | OutboxEvent<PoolEventType, PoolExhaustedData>,
  ): Promise<void> {
    const now = this.deps.clock.now();
    const rows = event.integrationIds.map((integrationId): OutboxEventTable => {
      const id = newId();
      // The type and its data come as a pair (the parameter's union), which the literal cannot show TypeScript.
      const payload = {
        id,
        type: event.type,
        projectId: event.projectId,
        occurredAt: event.occurredAt,
        data: event.data,
      } as OutboxPayload;
      return {
        id,
        project_id: event.projectId,
        integration_id: integrationId,
        type: event.type,
        payload: JSON.stringify(payload),
        created_at: now,
        available_at: now,
        attempts: 0,
        delivered_at: null,
        failed_at: null,
        last_error: null,
        note: null,
      };
    });
    await outbox.insertEvents(db, rows);
  }

  /** Forgets the cached subscriptions (API writes on this instance are seen at once). */
  invalidate(): void {
    this.subscriptions.clear();
  }

  private async row(projectId: string, id: string): Promise<IntegrationTable> {
    const row = await repo.findIntegration(this.deps.db, projectId, id);
    if (!row) throw notFound(`integration ${id}`);
    return row;
  }

  private secretsOf(r: IntegrationTable): Record<string, string> {
    return JSON.parse(unseal(r.secrets, this.deps.secretKey)) as Record<string, string>;
  }

  private view(r: IntegrationTable): Integration {
    const secrets = this.secretsOf(r);
    return {
      id: r.id,
      projectId: r.project_id,
      kind: r.kind,
      name: r.name,
      enabled: r.enabled === 1,
      events: JSON.parse(r.events) as EventType[],
      settings: JSON.parse(r.settings) as Record<string, unknown>,
      secretKeys: SECRET_KEYS[r.kind].filter((k) => secrets[k] !== undefined),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}
