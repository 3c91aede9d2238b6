// Bitrix24: a call becomes a lead (crm.lead.add) through the portal's inbound webhook,
// https://<portal>/rest/<user id>/<secret>/. The telephony.externalCall.* methods would show it as a call, but they
// work only in an application's context (OAuth), not over an inbound webhook. docs/integrations.md.
import {
  callerNumber,
  callSummary,
  isLoopback,
  leadTitle,
  NO_CALLER_NOTE,
  sourceLine,
  utmFieldsOf,
} from './crm-call.js';
import { type Delivery, isPassingStatus, jsonOf, type Verdict } from './delivery.js';
import type { OutboxMessage } from './outbox-message.js';

/** Bitrix24's own source for calls (the CRM's "Call" in the Source list). */
export const BITRIX_DEFAULT_SOURCE = 'CALL';

const WEBHOOK_PATH = /^\/rest\/(\d+)\/([A-Za-z0-9_]+)\/?(?:[a-z][a-z0-9_.]*)?$/i;

/**
 * The inbound webhook's base URL (`https://<portal>/rest/<user id>/<secret>/`) and the portal it belongs to, from
 * what a person pasted: the URL Bitrix24 shows, or its example with a method at the end (dropped). Cloud portals
 * and on-premise ones alike, https only (plain http on the loopback: crm-call.ts, isLoopback).
 */
export function bitrix24Webhook(text: string): { url: string; portal: string } | { problem: string } {
  const problem = {
    problem: 'settings.webhookUrl must be the inbound webhook, https://<portal>/rest/<user id>/<secret>/',
  };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem;
  }
  const path = WEBHOOK_PATH.exec(url.pathname);
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
  if (!path || !secure || url.username || url.password || url.search || url.hash) return problem;
  return { url: `${url.origin}/rest/${path[1]}/${path[2]}/`, portal: url.host };
}

/** The `fields` of crm.lead.add for one ended call, or undefined for a call without a caller number. */
export function bitrix24LeadFields(
  message: OutboxMessage,
  settings: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const data = message.payload.data;
  const caller = callerNumber(data.call.caller);
  if (!caller) return undefined;
  const source = sourceLine(data);
  const fields: Record<string, unknown> = {
    TITLE: leadTitle(caller),
    PHONE: [{ VALUE: caller, VALUE_TYPE: 'WORK' }],
    SOURCE_ID: typeof settings.sourceId === 'string' ? settings.sourceId : BITRIX_DEFAULT_SOURCE,
    SOURCE_DESCRIPTION: source ? `Ringtrace: ${source}` : `Ringtrace: a call to ${data.call.trackingNumber}`,
    // The lead's origin, as Bitrix24's own synchronisations mark theirs: finds a call's lead from its id.
    ORIGINATOR_ID: 'ringtrace',
    ORIGIN_ID: data.call.id,
    COMMENTS: callSummary(data).join('\n'),
  };
  for (const [code, value] of utmFieldsOf(data)) fields[code] = value;
  if (typeof settings.assignedById === 'number') fields.ASSIGNED_BY_ID = settings.assignedById;
  return fields;
}

/** `POST <webhook>crm.lead.add.json` with `{fields, params}` as JSON. */
export function bitrix24Delivery(
  message: OutboxMessage,
  settings: Record<string, unknown>,
  secrets: Record<string, string>,
): Delivery {
  const webhook = secrets.webhookUrl;
  if (!webhook) return { kind: 'invalid', reason: 'Bitrix24 integration without its webhook URL' };
  const fields = bitrix24LeadFields(message, settings);
  if (!fields) return { kind: 'skip', note: NO_CALLER_NOTE };
  return {
    kind: 'send',
    request: {
      url: `${webhook}crm.lead.add.json`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Ringtrace-Integrations/1' },
      body: JSON.stringify({ fields, params: { REGISTER_SONET_EVENT: 'Y' } }),
    },
    read: bitrix24Answer,
  };
}

/**
 * Bitrix24 answers `{result, time}` or `{error, error_description}`. A result is the new lead's id: delivered. The
 * rate limit (QUERY_LIMIT_EXCEEDED, HTTP 503), 408, 429 and 5xx are passing, as for every receiver: try again.
 * 401/403 (a deleted or expired webhook, a missing scope) and other errors will not change by themselves: failed,
 * with Bitrix24's own words.
 */
export function bitrix24Answer(status: number, body: string): Verdict | undefined {
  const json = jsonOf(body) as { result?: unknown; error?: unknown; error_description?: unknown } | undefined;
  if (typeof json !== 'object' || json === null) return undefined;
  if (json.error !== undefined) {
    const description = typeof json.error_description === 'string' ? json.error_description : '';
    const reason = `HTTP ${status}: ${String(json.error)}${description ? `: ${description}` : ''}`.slice(
      0,
      300,
    );
    const passing = json.error === 'QUERY_LIMIT_EXCEEDED' || isPassingStatus(status);
    return { kind: passing ? 'retry' : 'fail', reason };
  }
  if (status >= 200 && status < 300) {
    const id = json.result;
    if (typeof id === 'number' || (typeof id === 'string' && id !== ''))
      return { kind: 'delivered', note: `Bitrix24 lead ${id}` };
    return { kind: 'fail', reason: `HTTP ${status}: no lead id in the answer: ${body.slice(0, 120)}` };
  }
  return undefined;
}
