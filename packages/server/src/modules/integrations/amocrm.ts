// amoCRM (Kommo): a call becomes an incoming-call lead in the account's "Unsorted" (API v4,
// POST /api/v4/leads/unsorted/sip), with its contact, as amo's own telephony widgets add them. docs/integrations.md.
import { callerNumber, isLoopback, leadTitle, NO_CALLER_NOTE, utmFieldsOf } from './crm-call.js';
import { type Delivery, jsonOf, type Verdict } from './delivery.js';
import type { OutboxMessage } from './outbox-message.js';

/** Account hosts: `<subdomain>.amocrm.ru` (Russia), `.amocrm.com` (international, old), `.kommo.com` (its new name). */
const AMO_HOST = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.(?:amocrm\.ru|amocrm\.com|kommo\.com)$/;

/** The calling service, as amo shows it on the call; also the `source_name` unless the settings name another. */
export const AMO_SERVICE_CODE = 'ringtrace';
export const AMO_DEFAULT_SOURCE = 'Ringtrace';

interface AmoField {
  field_code: string;
  values: { value: string; enum_code?: string }[];
}

export interface AmoUnsortedSip {
  source_name: string;
  source_uid: string;
  pipeline_id?: number;
  created_at: number;
  metadata: {
    is_call_event_needed: boolean;
    uniq: string;
    duration: number;
    service_code: string;
    link?: string;
    phone: string;
    called_at: number;
    from: string;
  };
  _embedded: {
    leads: { name: string; custom_fields_values?: AmoField[] }[];
    contacts: { name: string; custom_fields_values: AmoField[] }[];
  };
}

/**
 * The account's origin from what a person pasted: `clinic.amocrm.ru`, `https://clinic.kommo.com`, or any page of the
 * account (its path is dropped). Plain http only on the loopback (crm-call.ts, isLoopback).
 */
export function amocrmBaseUrl(text: string): { url: string } | { problem: string } {
  const problem = {
    problem: 'settings.baseUrl must be the account address, https://<subdomain>.amocrm.ru (or .kommo.com)',
  };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return problem;
  }
  if (url.username || url.password) return problem;
  if (isLoopback(url))
    return url.protocol === 'http:' || url.protocol === 'https:' ? { url: url.origin } : problem;
  if (url.protocol !== 'https:' || url.port !== '' || !AMO_HOST.test(url.hostname)) return problem;
  return { url: url.origin };
}

/** The unsorted lead of one ended call; the call's id is its `source_uid`, so amo refuses it a second time. */
export function amocrmUnsorted(
  message: OutboxMessage,
  settings: Record<string, unknown>,
): AmoUnsortedSip | undefined {
  const { call } = message.payload.data;
  const caller = callerNumber(call.caller);
  if (!caller) return undefined;
  const startedAt = Math.floor(call.startedAt / 1000);
  // amo's built-in tracking fields of a lead (type tracking_data), set by their codes.
  const utmFields = utmFieldsOf(message.payload.data).map(
    ([code, value]): AmoField => ({ field_code: code, values: [{ value }] }),
  );
  const lead: AmoUnsortedSip['_embedded']['leads'][number] = { name: leadTitle(caller) };
  if (utmFields.length > 0) lead.custom_fields_values = utmFields;
  const unsorted: AmoUnsortedSip = {
    source_name: typeof settings.sourceName === 'string' ? settings.sourceName : AMO_DEFAULT_SOURCE,
    source_uid: call.id,
    created_at: startedAt,
    metadata: {
      is_call_event_needed: true,
      uniq: call.id,
      duration: call.talkSeconds ?? 0,
      service_code: AMO_SERVICE_CODE,
      phone: caller.slice(1),
      called_at: startedAt,
      from: caller,
    },
    _embedded: {
      leads: [lead],
      contacts: [
        {
          name: caller,
          custom_fields_values: [{ field_code: 'PHONE', values: [{ value: caller, enum_code: 'WORK' }] }],
        },
      ],
    },
  };
  if (typeof settings.pipelineId === 'number') unsorted.pipeline_id = settings.pipelineId;
  // A link amo's player can open: Ringtrace's for recordings whose provider URL needs credentials.
  const link = message.payload.data.recordingLink ?? call.recordingUrl;
  if (link) unsorted.metadata.link = link;
  return unsorted;
}

/** `POST {baseUrl}/api/v4/leads/unsorted/sip` with a one-item array, the long-lived token as a Bearer token. */
export function amocrmDelivery(
  message: OutboxMessage,
  settings: Record<string, unknown>,
  secrets: Record<string, string>,
): Delivery {
  const baseUrl = settings.baseUrl;
  const token = secrets.accessToken;
  if (typeof baseUrl !== 'string' || !token)
    return { kind: 'invalid', reason: 'amoCRM integration without base URL or access token' };
  const unsorted = amocrmUnsorted(message, settings);
  if (!unsorted) return { kind: 'skip', note: NO_CALLER_NOTE };
  return {
    kind: 'send',
    request: {
      url: `${baseUrl}/api/v4/leads/unsorted/sip`,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'user-agent': 'Ringtrace-Integrations/1',
      },
      body: JSON.stringify([unsorted]),
    },
    read: amocrmAnswer,
  };
}

// amo's answer to a source_uid it already has is not published (research notes, appendix B): a validation error
// whose code or text says duplicate / not unique / already exists is taken for it.
const DUPLICATE = /duplicate|not.?unique|already (?:exists?|added|used)/i;

interface AmoError {
  code: string;
  path: string;
  detail: string;
}

/** The `validation-errors` of an `application/problem+json` answer, flattened. */
function validationErrors(json: unknown): AmoError[] {
  const groups = (json as { 'validation-errors'?: unknown } | undefined)?.['validation-errors'];
  if (!Array.isArray(groups)) return [];
  return groups.flatMap((group: { errors?: unknown }) =>
    Array.isArray(group?.errors)
      ? group.errors.map((e: Partial<AmoError>) => ({
          code: String(e?.code ?? ''),
          path: String(e?.path ?? ''),
          detail: String(e?.detail ?? ''),
        }))
      : [],
  );
}

/**
 * 2xx: delivered, noting the lead amo made. A refused duplicate means an earlier attempt got through (its answer
 * was lost): delivered too, so a retry never makes a second lead. Other validation errors fail with amo's words.
 * The rest (401 a bad token, 429 and 5xx passing trouble) follows the status codes.
 */
export function amocrmAnswer(status: number, body: string): Verdict | undefined {
  const json = jsonOf(body);
  if (status >= 200 && status < 300) {
    const unsorted = (json as { _embedded?: { unsorted?: unknown[] } } | undefined)?._embedded
      ?.unsorted?.[0] as { _embedded?: { leads?: { id?: unknown }[] } } | undefined;
    const id = unsorted?._embedded?.leads?.[0]?.id;
    return typeof id === 'number' || typeof id === 'string'
      ? { kind: 'delivered', note: `amoCRM lead ${id}` }
      : { kind: 'delivered' };
  }
  if (status !== 400 && status !== 422) return undefined;
  const errors = validationErrors(json);
  if (errors.some((e) => DUPLICATE.test(`${e.code} ${e.detail}`)))
    return { kind: 'delivered', note: 'amoCRM already had this call (sent before): not added again' };
  if (errors.length === 0) return undefined;
  const text = errors.map((e) => `${e.path || 'body'}: ${e.detail || e.code}`).join('; ');
  return { kind: 'fail', reason: `HTTP ${status}: ${text}`.slice(0, 300) };
}
