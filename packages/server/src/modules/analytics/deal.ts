import type { DealTable } from '../../db/database.js';
import { fromMinorUnits, toMinorUnits } from '../../money.js';
import { normalizePhone } from '../numbers/phone.js';
import { isValidCurrency } from '../projects/project.js';
import { normalizeAmount } from './spend-import.js';

export type DealStatus = 'open' | 'won' | 'lost';
export const DEAL_STATUSES: readonly DealStatus[] = ['open', 'won', 'lost'];

/** A deal as a CRM (or the generic API) describes it; identifiers link it back to a call or a visit. */
export interface DealInput {
  source?: string;
  externalId: string;
  title?: string | null;
  status: string;
  revenue?: number | string;
  currency?: string;
  /** Epoch ms, epoch seconds (amoCRM) or an ISO 8601 string (Bitrix24). */
  createdAt?: number | string;
  closedAt?: number | string | null;
  callId?: string | null;
  /** Google Analytics client id (`_ga`, with or without its `GA1.1.` prefix) or Yandex Metrica ClientID. */
  clientId?: string | null;
  visitorId?: string | null;
  phone?: string | null;
}

export interface DealFields {
  source: string;
  externalId: string;
  title: string | null;
  status: DealStatus;
  revenueMinor: number;
  currency: string;
  openedAt: number;
  closedAt: number | null;
  callRef: string | null;
  clientId: string | null;
  visitorId: string | null;
  phone: string | null;
}

export class DealInputError extends Error {}

/** 1.7e9 is 2023 in seconds and 1970 in milliseconds: CRMs send seconds, our API milliseconds. */
export function parseTime(value: number | string, field: string): number {
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0) throw new DealInputError(`${field} is not a time`);
    return n < 100_000_000_000 ? n * 1000 : n;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new DealInputError(`${field} "${value}" is not a time`);
  return ms;
}

/** `GA1.1.123.456` → `123.456`, the form the site script stores. */
export const normalizeClientId = (id: string): string =>
  id
    .trim()
    .replace(/^GA\d+\.\d+\./i, '')
    .slice(0, 100);

const text = (value: string | null | undefined, max: number) => {
  const t = value?.trim();
  return t ? t.slice(0, max) : null;
};

/** Validates and normalises a deal; throws DealInputError with the reason (the API answers 400 with it). */
export function normalizeDeal(
  input: DealInput,
  ctx: { projectCurrency: string; country: string; now: number },
): DealFields {
  const externalId = text(String(input.externalId ?? ''), 200);
  if (!externalId) throw new DealInputError('externalId is required');
  const status = input.status?.toLowerCase();
  if (!DEAL_STATUSES.includes(status as DealStatus))
    throw new DealInputError(`status must be open, won or lost, got "${input.status}"`);
  const currency = (input.currency ?? ctx.projectCurrency).trim().toUpperCase();
  if (!isValidCurrency(currency)) throw new DealInputError(`"${input.currency}" is not a known currency`);
  const revenueMinor =
    input.revenue === undefined || input.revenue === ''
      ? 0
      : toMinorUnits(normalizeAmount(input.revenue), currency);
  if (revenueMinor === undefined || revenueMinor < 0)
    throw new DealInputError(`revenue "${input.revenue}" is not a non-negative amount in ${currency}`);
  const openedAt = input.createdAt === undefined ? ctx.now : parseTime(input.createdAt, 'createdAt');
  let closedAt =
    input.closedAt === undefined || input.closedAt === null || input.closedAt === ''
      ? null
      : parseTime(input.closedAt, 'closedAt');
  if (status !== 'open' && closedAt === null) closedAt = ctx.now;
  if (status === 'open') closedAt = null;
  let phone: string | null = null;
  if (input.phone) {
    const parsed = normalizePhone(input.phone, ctx.country);
    if (!parsed.ok) throw new DealInputError(`phone "${input.phone}": ${parsed.reason}`);
    phone = parsed.e164;
  }
  return {
    source: text(input.source, 50) ?? 'api',
    externalId,
    title: text(input.title, 300),
    status: status as DealStatus,
    revenueMinor,
    currency,
    openedAt,
    closedAt,
    callRef: text(input.callId, 64),
    clientId: input.clientId ? normalizeClientId(input.clientId) || null : null,
    visitorId: text(input.visitorId, 100),
    phone,
  };
}

export interface Deal {
  id: string;
  source: string;
  externalId: string;
  title: string | null;
  status: DealStatus;
  revenue: number;
  currency: string;
  createdAt: number;
  closedAt: number | null;
  callId: string | null;
  visitId: string | null;
  clientId: string | null;
  visitorId: string | null;
  phone: string | null;
  /** What linked the deal to a call or a visit; null while it cannot be linked yet. */
  linkedBy: string | null;
  updatedAt: number;
}

export const toDeal = (r: DealTable): Deal => ({
  id: r.id,
  source: r.source,
  externalId: r.external_id,
  title: r.title,
  status: r.status,
  revenue: fromMinorUnits(Number(r.revenue_minor), r.currency),
  currency: r.currency,
  createdAt: Number(r.opened_at),
  closedAt: r.closed_at === null ? null : Number(r.closed_at),
  callId: r.call_id,
  visitId: r.visit_id,
  clientId: r.client_id,
  visitorId: r.visitor_id,
  phone: r.phone,
  linkedBy: r.linked_by,
  updatedAt: Number(r.updated_at),
});
