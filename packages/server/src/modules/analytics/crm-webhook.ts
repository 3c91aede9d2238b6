import type { DealInput } from './deal.js';

/**
 * The outgoing webhooks of amoCRM and Bitrix24 as those CRMs send them: `application/x-www-form-urlencoded`
 * with PHP-style nested keys (`leads[status][0][id]=…`, `data[FIELDS][ID]=…`). Pure parsing; the service
 * decides what to store.
 */
export type Nested = { [key: string]: Nested | string };

/** `a[b][0][c]=v` pairs → `{a:{b:{0:{c:v}}}}`. Arrays stay objects keyed "0", "1", … */
export function parseNestedForm(body: string): Nested {
  const root: Nested = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Nested = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next === 'object') node = next;
      else {
        const created: Nested = {};
        node[part] = created;
        node = created;
      }
    });
  }
  return root;
}

const str = (n: Nested | string | undefined): string | undefined => (typeof n === 'string' ? n : undefined);
const obj = (n: Nested | string | undefined): Nested => (typeof n === 'object' ? n : {});
const items = (n: Nested | string | undefined): Nested[] => Object.values(obj(n)).map(obj);

export interface CrmFieldNames {
  /** Names (or ids) of the CRM's custom fields that carry our identifiers. */
  clientId?: string;
  callId?: string;
  visitorId?: string;
  phone?: string;
}

export interface AmoSettings {
  wonStatusIds: number[];
  lostStatusIds: number[];
  currency?: string;
  fields: CrmFieldNames;
}

/** amoCRM's fixed pipeline statuses: 142 "won" (Успешно реализовано), 143 "lost" (Закрыто и не реализовано). */
export const AMO_DEFAULTS: AmoSettings = {
  wonStatusIds: [142],
  lostStatusIds: [143],
  fields: { clientId: 'ClientID', callId: 'call_id', visitorId: 'visitor_id', phone: 'phone' },
};

/** A custom field's first value, found by the configured name or id (case-insensitive). */
function customField(lead: Nested, wanted: string | undefined): string | undefined {
  if (!wanted) return undefined;
  const w = wanted.toLowerCase();
  for (const field of items(lead.custom_fields)) {
    if (
      str(field.name)?.toLowerCase() === w ||
      str(field.id) === wanted ||
      str(field.code)?.toLowerCase() === w
    ) {
      const first = items(field.values)[0];
      return first ? str(first.value) : str(field.values);
    }
  }
  return undefined;
}

/** Deals in an amoCRM lead webhook (leads[add], leads[update], leads[status]); deletions are ignored. */
export function amoDeals(form: Nested, settings: AmoSettings): DealInput[] {
  const leads = obj(form.leads);
  const byId = new Map<string, DealInput>();
  for (const action of ['add', 'update', 'status']) {
    for (const lead of items(leads[action])) {
      const id = str(lead.id);
      if (!id) continue;
      const statusId = Number(str(lead.status_id));
      const status = settings.wonStatusIds.includes(statusId)
        ? 'won'
        : settings.lostStatusIds.includes(statusId)
          ? 'lost'
          : 'open';
      const createdAt = str(lead.created_at) ?? str(lead.date_create);
      const closedAt =
        str(lead.closed_at) ?? str(lead.date_close) ?? str(lead.updated_at) ?? str(lead.last_modified);
      const price = str(lead.price);
      byId.set(id, {
        source: 'amocrm',
        externalId: id,
        title: str(lead.name) ?? null,
        status,
        revenue: price === undefined || price === '' ? 0 : price,
        currency: settings.currency,
        ...(createdAt && createdAt !== '0' && { createdAt }),
        closedAt: status === 'open' || !closedAt || closedAt === '0' ? null : closedAt,
        clientId: customField(lead, settings.fields.clientId) ?? null,
        callId: customField(lead, settings.fields.callId) ?? null,
        visitorId: customField(lead, settings.fields.visitorId) ?? null,
        phone: customField(lead, settings.fields.phone) ?? null,
      });
    }
  }
  return [...byId.values()];
}

export interface BitrixEvent {
  event: string;
  dealId: string | undefined;
  applicationToken: string | undefined;
}

export function bitrixEvent(form: Nested): BitrixEvent {
  return {
    event: (str(form.event) ?? '').toUpperCase(),
    dealId: str(obj(obj(form.data).FIELDS).ID),
    applicationToken: str(obj(form.auth).application_token),
  };
}

/** A deal as Bitrix24's `crm.deal.get` returns it (the event itself carries only the id). */
export function bitrixDeal(fields: Record<string, unknown>, names: CrmFieldNames): DealInput {
  const s = (key: string | undefined) => {
    const v = key === undefined ? undefined : fields[key];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  const semantic = s('STAGE_SEMANTIC_ID');
  const stage = s('STAGE_ID') ?? '';
  const status =
    semantic === 'S' || /(^|:)WON$/.test(stage)
      ? 'won'
      : semantic === 'F' || /(^|:)LOSE$/.test(stage)
        ? 'lost'
        : 'open';
  return {
    source: 'bitrix24',
    externalId: s('ID') ?? '',
    title: s('TITLE') ?? null,
    status,
    revenue: s('OPPORTUNITY') ?? 0,
    currency: s('CURRENCY_ID'),
    ...(s('DATE_CREATE') && { createdAt: s('DATE_CREATE') }),
    closedAt: status === 'open' ? null : (s('CLOSEDATE') ?? s('DATE_MODIFY') ?? null),
    clientId: s(names.clientId) ?? null,
    callId: s(names.callId) ?? null,
    visitorId: s(names.visitorId) ?? null,
    phone: s(names.phone) ?? null,
  };
}

/** The first phone of a Bitrix24 contact as `crm.contact.get` returns it (`PHONE: [{VALUE, VALUE_TYPE}, …]`). */
export function bitrixContactPhone(contact: Record<string, unknown>): string | null {
  const phones = Array.isArray(contact.PHONE) ? (contact.PHONE as unknown[]) : [];
  for (const entry of phones) {
    const value = (entry as { VALUE?: unknown } | null)?.VALUE;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}
