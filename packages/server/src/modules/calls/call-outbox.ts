import type { CallTable, VisitTable } from '../../db/database.js';
import type { EventOutbox } from '../../event-outbox.js';
import { type Call, toCall } from './call.js';

/**
 * What the integrations are told about a call: it started, it ended, and its recording is there (a provider often
 * reports the recording after the end: `call.recorded` carries its `recordingLink`).
 */
export type CallEventType = 'call.started' | 'call.ended' | 'call.recorded';
export const CALL_EVENT_TYPES: readonly CallEventType[] = ['call.started', 'call.ended', 'call.recorded'];
/** A call's start and end: what analytics, ad platforms and CRMs turn into conversions and leads. */
export const CALL_OUTCOME_EVENTS: readonly CallEventType[] = ['call.started', 'call.ended'];

/** The attribution essentials an analytics or CRM receiver needs, flattened from the call and its visit. */
export interface CallEventAttribution {
  visitId: string | null;
  channel: string | null;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  keyword: string | null;
  confidence: number | null;
  landingUrl: string | null;
  /** Google Analytics client id (`<random>.<timestamp>`) of the visit, if the site runs GA. */
  gaClientId: string | null;
  /**
   * The visit's GA4 session id per measurement id (`{"G-XYZ": "1732456789"}`, from the `_ga_<stream>` cookies):
   * GA4 credits an event to that session's source and campaign only when it carries the id.
   */
  gaSessions: Record<string, string> | null;
  /** Yandex Metrica ClientID (`_ym_uid`) of the visit, if the site runs Metrica. */
  ymClientId: string | null;
  /**
   * The ad networks' click ids of the visit's landing URL (`{"gclid": "Cj0K…"}`; keys as in the tracker's
   * CLICK_ID_KEYS: gclid, wbraid, gbraid, yclid, msclkid…), or null when it had none: an ad platform matches an
   * uploaded conversion to its click by them (Google Ads: gclid, else wbraid or gbraid).
   */
  clickIds: Record<string, string> | null;
}

export interface CallEventData {
  call: Call;
  attribution: CallEventAttribution;
  /**
   * A link that plays the recording without credentials (recording-link.ts) for a provider whose own URL needs them,
   * else the provider's URL; null without a recording. Absent from events written before it existed.
   */
  recordingLink?: string | null;
}

/** Where call events go (event-outbox.ts): written in the transaction of the call they report. */
export type CallOutbox = EventOutbox<CallEventType, CallEventData>;

/** `_ga` cookies are `GA1.1.<random>.<timestamp>`; the tracker stores the part after the second dot. */
export function gaClientIdOf(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const trimmed = raw.trim();
  const cookie = /^GA\d+\.\d+\.(.+)$/.exec(trimmed);
  const id = cookie ? (cookie[1] as string) : trimmed;
  return id === '' ? null : id;
}

/**
 * A visit's JSON object of strings (its GA4 sessions, its click ids); anything else (a hand-edited row) or an empty
 * object counts as none.
 */
function stringsOf(json: string | null | undefined): Record<string, string> | null {
  if (!json) return null;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const entries = Object.entries(value).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
    );
    return entries.length > 0 ? Object.fromEntries(entries) : null;
  } catch {
    return null;
  }
}

export function callEventData(
  row: CallTable,
  visit: VisitTable | undefined,
  recordingLink: string | null = row.recording_url,
): CallEventData {
  return {
    recordingLink,
    call: toCall(row),
    attribution: {
      visitId: row.visit_id,
      channel: row.channel,
      source: row.source,
      medium: row.medium,
      campaign: visit?.campaign ?? visit?.utm_campaign ?? null,
      keyword: visit?.keyword ?? visit?.utm_term ?? null,
      confidence: row.confidence,
      landingUrl: visit?.landing_url ?? null,
      gaClientId: gaClientIdOf(visit?.ga_client_id),
      gaSessions: stringsOf(visit?.ga_sessions),
      ymClientId: visit?.ym_client_id?.trim() || null,
      clickIds: stringsOf(visit?.click_ids),
    },
  };
}
