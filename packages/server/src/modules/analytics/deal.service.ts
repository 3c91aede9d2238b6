import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import type { CrmLinkTable, DealTable } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { sameSecret } from '../../secret.js';
import type { CreditService } from './credit.service.js';
import {
  AMO_DEFAULTS,
  type AmoSettings,
  amoDeals,
  bitrixContactPhone,
  bitrixDeal,
  bitrixEvent,
  type CrmFieldNames,
  type Nested,
} from './crm-webhook.js';
import { type Deal, type DealInput, DealInputError, normalizeDeal, toDeal } from './deal.js';
import * as repo from './deal.repository.js';

export interface ProjectRef {
  id: string;
  currency: string;
  country: string;
}

export type CrmKind = 'amocrm' | 'bitrix24' | 'generic';

export interface CrmLinkInput {
  kind: CrmKind;
  name: string;
  /** Bitrix24: the outgoing webhook's application token (required) and an inbound webhook URL for crm.deal.get. */
  applicationToken?: string;
  restUrl?: string;
  /** amoCRM: status ids that mean won / lost (default 142 / 143). */
  wonStatusIds?: number[];
  lostStatusIds?: number[];
  /** Currency of amounts when the CRM does not say (default: the project currency). */
  currency?: string;
  fields?: CrmFieldNames;
}

interface CrmSettings {
  applicationToken?: string;
  restUrl?: string;
  wonStatusIds?: number[];
  lostStatusIds?: number[];
  currency?: string;
  fields?: CrmFieldNames;
}

export interface CrmLink {
  id: string;
  kind: CrmKind;
  name: string;
  webhookUrl: string;
  createdAt: number;
}

export type FetchJson = (url: string) => Promise<unknown>;

const defaultFetch: FetchJson = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
};

/** Deals from CRMs: create-or-update by (source, external id), linked to calls and visits now or later. */
export class DealService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      publicUrl: string;
      credit: CreditService;
      fetchJson?: FetchJson;
    },
  ) {}

  async upsert(project: ProjectRef, input: DealInput): Promise<Deal> {
    let fields: ReturnType<typeof normalizeDeal>;
    try {
      fields = normalizeDeal(input, {
        projectCurrency: project.currency,
        country: project.country,
        now: this.deps.clock.now(),
      });
    } catch (error) {
      if (error instanceof DealInputError) throw new AppError('validation_failed', error.message);
      throw error;
    }
    const db = this.deps.db;
    const now = this.deps.clock.now();
    const existing = await repo.findDealByExternal(db, project.id, fields.source, fields.externalId);
    const row: DealTable = {
      id: existing?.id ?? newId(),
      project_id: project.id,
      source: fields.source,
      external_id: fields.externalId,
      title: fields.title ?? existing?.title ?? null,
      status: fields.status,
      revenue_minor: fields.revenueMinor,
      currency: fields.currency,
      opened_at: input.createdAt === undefined && existing ? Number(existing.opened_at) : fields.openedAt,
      closed_at: fields.closedAt,
      // Identifiers only ever get added: a later update that omits one keeps what an earlier one said.
      call_ref: fields.callRef ?? existing?.call_ref ?? null,
      call_id: existing?.call_id ?? null,
      visit_id: existing?.visit_id ?? null,
      client_id: fields.clientId ?? existing?.client_id ?? null,
      visitor_id: fields.visitorId ?? existing?.visitor_id ?? null,
      phone: fields.phone ?? existing?.phone ?? null,
      linked_by: existing?.linked_by ?? null,
      created_at: existing ? Number(existing.created_at) : now,
      updated_at: now,
    };
    // A new identifier may link better than the old one did: link again from scratch.
    const keysChanged =
      existing &&
      (row.call_ref !== existing.call_ref ||
        row.client_id !== existing.client_id ||
        row.visitor_id !== existing.visitor_id ||
        row.phone !== existing.phone);
    if (keysChanged) Object.assign(row, { call_id: null, visit_id: null, linked_by: null, credit_of: null });
    if (existing) await repo.updateDeal(db, row.id, row);
    else await repo.insertDeal(db, row);
    if (row.linked_by === null) await repo.linkPendingDeals(db, project.id, row.id);
    await this.deps.credit.creditPending(project.id, { deal: row.id });
    return this.get(project.id, row.id);
  }

  async get(projectId: string, id: string): Promise<Deal> {
    const row = await repo.findDeal(this.deps.db, projectId, id);
    if (!row) throw notFound(`deal ${id}`);
    return toDeal(row);
  }

  async list(projectId: string, filter: repo.DealFilter): Promise<Deal[]> {
    return (await repo.listDeals(this.deps.db, projectId, filter)).map(toDeal);
  }

  /** Links the deals that could not be linked when they arrived, now that their call or visit may exist. */
  relinkPending(projectId: string): Promise<number> {
    return repo.linkPendingDeals(this.deps.db, projectId);
  }

  // ---- CRM webhook links ----------------------------------------------------------------------------

  async createLink(project: ProjectRef, input: CrmLinkInput): Promise<CrmLink> {
    if (input.kind === 'bitrix24' && (!input.applicationToken || !input.restUrl))
      throw new AppError(
        'validation_failed',
        "a Bitrix24 link needs the outgoing webhook's applicationToken and an inbound webhook restUrl (crm scope)",
      );
    if (input.restUrl && !/^https?:\/\/\S+\/$/.test(input.restUrl))
      throw new AppError('validation_failed', 'restUrl must be the inbound webhook URL ending in "/"');
    const settings: CrmSettings = {
      applicationToken: input.applicationToken,
      restUrl: input.restUrl,
      wonStatusIds: input.wonStatusIds,
      lostStatusIds: input.lostStatusIds,
      currency: input.currency?.toUpperCase(),
      fields: input.fields,
    };
    const row: CrmLinkTable = {
      id: newId(),
      project_id: project.id,
      kind: input.kind,
      name: input.name,
      secret: randomBytes(24).toString('base64url'),
      settings: JSON.stringify(settings),
      created_at: this.deps.clock.now(),
    };
    await repo.insertCrmLink(this.deps.db, row);
    return this.toLink(row);
  }

  async links(projectId: string): Promise<CrmLink[]> {
    return (await repo.listCrmLinks(this.deps.db, projectId)).map((r) => this.toLink(r));
  }

  async removeLink(projectId: string, id: string): Promise<void> {
    if (!(await repo.deleteCrmLink(this.deps.db, projectId, id))) throw notFound(`CRM link ${id}`);
  }

  /**
   * A CRM's outgoing webhook. The link id and its secret are in the URL; Bitrix24 must also send the
   * application token it was set up with. Answers which deals it stored.
   */
  async receiveWebhook(
    linkId: string,
    secret: string,
    body: { form?: Nested; json?: unknown },
  ): Promise<{ deals: Deal[] }> {
    const link = await repo.findCrmLink(this.deps.db, linkId);
    if (!link) throw notFound('webhook');
    if (!sameSecret(link.secret, secret)) throw new AppError('unauthorized', 'wrong webhook secret');
    const settings = JSON.parse(link.settings) as CrmSettings;
    const target = await repo.findProjectRef(this.deps.db, link.project_id);
    if (!target) throw notFound('webhook');
    const inputs: DealInput[] = [];
    if (link.kind === 'amocrm') {
      const amo: AmoSettings = {
        wonStatusIds: settings.wonStatusIds ?? AMO_DEFAULTS.wonStatusIds,
        lostStatusIds: settings.lostStatusIds ?? AMO_DEFAULTS.lostStatusIds,
        currency: settings.currency,
        fields: { ...AMO_DEFAULTS.fields, ...settings.fields },
      };
      inputs.push(...amoDeals(body.form ?? {}, amo));
    } else if (link.kind === 'bitrix24') {
      const event = bitrixEvent(body.form ?? {});
      if (!event.applicationToken || !sameSecret(settings.applicationToken ?? '', event.applicationToken))
        throw new AppError('unauthorized', 'wrong or missing auth[application_token]');
      if (event.event !== 'ONCRMDEALADD' && event.event !== 'ONCRMDEALUPDATE') return { deals: [] };
      if (!event.dealId || !/^\d+$/.test(event.dealId))
        throw new AppError('validation_failed', 'data[FIELDS][ID] is missing');
      inputs.push(await this.fetchBitrixDeal(settings, event.dealId));
    } else {
      const json = body.json;
      const list = Array.isArray(json) ? json : [json];
      for (const item of list) {
        if (typeof item !== 'object' || item === null)
          throw new AppError('validation_failed', 'send a deal object or an array of them');
        inputs.push({ source: link.name, ...(item as DealInput) });
      }
    }
    const deals: Deal[] = [];
    for (const input of inputs)
      deals.push(await this.upsert(target, { ...input, currency: input.currency ?? settings.currency }));
    return { deals };
  }

  private async fetchBitrixDeal(settings: CrmSettings, id: string): Promise<DealInput> {
    const deal = await this.bitrixRest(settings, 'crm.deal.get', id);
    const input = bitrixDeal(deal, settings.fields ?? {});
    // No phone field on the deal: the deal's contact's first phone links it to that caller's call.
    const contactId = deal.CONTACT_ID;
    if (
      !input.phone &&
      (typeof contactId === 'string' || typeof contactId === 'number') &&
      String(contactId) !== '0'
    )
      input.phone = bitrixContactPhone(await this.bitrixRest(settings, 'crm.contact.get', String(contactId)));
    return input;
  }

  /** One Bitrix24 REST read through the portal's inbound webhook; a failure answers 409 so that Bitrix24 retries. */
  private async bitrixRest(
    settings: CrmSettings,
    method: string,
    id: string,
  ): Promise<Record<string, unknown>> {
    const url = `${settings.restUrl}${method}.json?id=${encodeURIComponent(id)}`;
    let answer: unknown;
    try {
      answer = await (this.deps.fetchJson ?? defaultFetch)(url);
    } catch (error) {
      // The deal is fetched again on Bitrix24's next event either way.
      throw new AppError(
        'conflict',
        `Bitrix24 ${method} failed: ${error instanceof Error ? error.message : ''}`,
      );
    }
    const result = (answer as { result?: unknown } | null)?.result;
    if (typeof result !== 'object' || result === null)
      throw new AppError('conflict', `Bitrix24 ${method} answered without a result`);
    return result as Record<string, unknown>;
  }

  private toLink(r: CrmLinkTable): CrmLink {
    return {
      id: r.id,
      kind: r.kind,
      name: r.name,
      webhookUrl: `${this.deps.publicUrl.replace(/\/$/, '')}/webhooks/crm/${r.id}/${r.secret}`,
      createdAt: Number(r.created_at),
    };
  }
}
