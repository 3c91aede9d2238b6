// What the CRM kinds (amoCRM, Bitrix24) make of a call: the caller's number, the lead's title, the source and
// UTM values, a few lines for people to read. Pure; each CRM's own file puts them in its API's shape.
import type { CallEventData } from '../calls/call-outbox.js';

/** A call without a caller number (hidden, or not a phone number) cannot make a contact: it is not sent. */
export const NO_CALLER_NOTE = 'skipped: no caller number';

/** The caller in E.164 (`+79161234567`), or undefined for a hidden number or anything we could not read as one. */
export function callerNumber(caller: string): string | undefined {
  return /^\+[1-9]\d{5,14}$/.test(caller) ? caller : undefined;
}

export const leadTitle = (caller: string): string => `Call from ${caller}`;

interface Utm {
  source?: string;
  medium?: string;
  campaign?: string;
  content?: string;
  term?: string;
}

/** The UTM fields' codes, the same in amoCRM (tracking_data fields) and Bitrix24 (a lead's UTM_* fields). */
export const UTM_FIELD_CODES: Record<keyof Utm, string> = {
  source: 'UTM_SOURCE',
  medium: 'UTM_MEDIUM',
  campaign: 'UTM_CAMPAIGN',
  content: 'UTM_CONTENT',
  term: 'UTM_TERM',
};

/** The call's UTM values keyed by their field codes (UTM_FIELD_CODES), in that order; empty values left out. */
export function utmFieldsOf(data: CallEventData): [code: string, value: string][] {
  const utm = utmOf(data);
  return (Object.keys(UTM_FIELD_CODES) as (keyof Utm)[]).flatMap((key) => {
    const value = utm[key];
    return value === undefined ? [] : [[UTM_FIELD_CODES[key], value] as [string, string]];
  });
}

/**
 * The call's source as UTM values: source, medium, campaign and term from its attribution (what the visit's tags or
 * referrer said, e.g. google / organic without tags), content from the landing page's `utm_content` (attribution has
 * none of its own). Empty values are left out.
 */
function utmOf({ attribution }: CallEventData): Utm {
  const utm: Utm = {};
  const set = (key: keyof Utm, value: string | null | undefined) => {
    const text = value?.trim();
    if (text) utm[key] = text.slice(0, 255);
  };
  set('source', attribution.source);
  set('medium', attribution.medium);
  set('campaign', attribution.campaign);
  set('term', attribution.keyword);
  if (attribution.landingUrl) {
    try {
      set('content', new URL(attribution.landingUrl).searchParams.get('utm_content'));
    } catch {
      // A landing URL we cannot parse has no content to give.
    }
  }
  return utm;
}

/** "google / cpc, campaign implants", or undefined for a call without any source (a static number's). */
export function sourceLine(data: CallEventData): string | undefined {
  const { attribution } = data;
  const parts: string[] = [];
  const from = [attribution.source, attribution.medium].filter(Boolean).join(' / ');
  if (from) parts.push(from);
  else if (attribution.channel) parts.push(attribution.channel);
  if (attribution.campaign) parts.push(`campaign ${attribution.campaign}`);
  if (attribution.keyword) parts.push(`keyword ${attribution.keyword}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** The call for a person reading the lead: one fact a line, only the facts the call has. */
export function callSummary(data: CallEventData): string[] {
  const { call, attribution } = data;
  const lines = [`Ringtrace call ${call.id}`, `Tracking number: ${call.trackingNumber}`];
  const talk = call.talkSeconds ?? 0;
  lines.push(
    `Status: ${call.status}, talked ${talk} s${call.waitSeconds !== null ? `, waited ${call.waitSeconds} s` : ''}`,
  );
  const recording = data.recordingLink ?? call.recordingUrl;
  if (recording) lines.push(`Recording: ${recording}`);
  const source = sourceLine(data);
  if (source) lines.push(`Source: ${source}`);
  if (attribution.confidence !== null) lines.push(`Attribution confidence: ${attribution.confidence}%`);
  if (attribution.landingUrl) lines.push(`Landing page: ${attribution.landingUrl}`);
  if (call.firstTimeCaller) lines.push('First-time caller');
  return lines;
}

/**
 * Whether a CRM's base URL may be plain http: only on this machine's loopback, where a local stand-in (the tests'
 * fake, a debugging proxy) listens; anywhere else a token in the request would cross the network in the clear.
 */
export function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}
