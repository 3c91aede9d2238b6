import type { Delivery } from './delivery.js';
import type { OutboxMessage } from './outbox-message.js';

// GA4 Measurement Protocol limits (docs/integrations.md, GA4). The collector answers 2xx even to a payload it
// drops, so these checks, made before sending, are all that keeps a bad event from vanishing silently.
const MAX_EVENTS = 25;
const MAX_PARAMS = 25;
const MAX_NAME = 40;
const MAX_STRING_VALUE = 100;
const MAX_BODY_BYTES = 130_000;
const BACKDATE_LIMIT_MS = 72 * 3_600_000;
const SESSION_ATTRIBUTION_MS = 24 * 3_600_000;
const RESERVED_EVENTS = new Set([
  'ad_activeview',
  'ad_click',
  'ad_exposure',
  'ad_impression',
  'ad_query',
  'ad_reward',
  'adunit_exposure',
  'app_background',
  'app_clear_data',
  'app_exception',
  'app_remove',
  'app_store_refund',
  'app_store_subscription_cancel',
  'app_store_subscription_convert',
  'app_store_subscription_renew',
  'app_update',
  'app_upgrade',
  'dynamic_link_app_open',
  'dynamic_link_app_update',
  'dynamic_link_first_open',
  'error',
  'first_open',
  'first_visit',
  'in_app_purchase',
  'notification_dismiss',
  'notification_foreground',
  'notification_open',
  'notification_receive',
  'os_update',
  'session_start',
  'session_start_with_rollout',
  'user_engagement',
]);
const RESERVED_PREFIXES = ['_', 'firebase_', 'ga_', 'google_', 'gtag.'];

export interface Ga4Event {
  name: string;
  params: Record<string, string | number>;
}

export interface Ga4Body {
  client_id: string;
  timestamp_micros?: number;
  events: Ga4Event[];
}

/** Why a name cannot be an event (or parameter) name in GA4, or undefined when it can. */
export function ga4NameProblem(name: string, what: 'event' | 'param'): string | undefined {
  if (name.length === 0 || name.length > MAX_NAME) return `${what} name must be 1 to ${MAX_NAME} characters`;
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `${what} name must not start with the reserved prefix "${prefix}"`;
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name))
    return `${what} name must start with a letter and hold only letters, digits and underscores`;
  if (what === 'event' && (RESERVED_EVENTS.has(name) || /^(app|ad)_/.test(name)))
    return `event name "${name}" is reserved by Google Analytics`;
  return undefined;
}

/** Every problem GA4 would silently drop the body for; empty when it is valid. */
export function ga4Problems(body: Ga4Body): string[] {
  const problems: string[] = [];
  if (typeof body.client_id !== 'string' || body.client_id.trim() === '')
    problems.push('client_id is required');
  if (body.events.length === 0 || body.events.length > MAX_EVENTS)
    problems.push(`a request carries 1 to ${MAX_EVENTS} events`);
  body.events.forEach((event, i) => {
    const nameProblem = ga4NameProblem(event.name, 'event');
    if (nameProblem) problems.push(`events[${i}]: ${nameProblem}`);
    const params = Object.entries(event.params);
    if (params.length > MAX_PARAMS) problems.push(`events[${i}] has more than ${MAX_PARAMS} parameters`);
    for (const [key, value] of params) {
      const paramProblem = ga4NameProblem(key, 'param');
      if (paramProblem) problems.push(`events[${i}].params.${key}: ${paramProblem}`);
      if (typeof value === 'string' && value.length > MAX_STRING_VALUE)
        problems.push(`events[${i}].params.${key} is longer than ${MAX_STRING_VALUE} characters`);
      if (typeof value === 'number' && !Number.isFinite(value))
        problems.push(`events[${i}].params.${key} is not a finite number`);
    }
  });
  if (Buffer.byteLength(JSON.stringify(body)) > MAX_BODY_BYTES)
    problems.push(`the body is larger than ${MAX_BODY_BYTES} bytes`);
  return problems;
}

/**
 * A call as one GA4 event for the visit's GA client id. Calls whose visit had no GA client id (static numbers,
 * visitors without GA) cannot be tied to a GA user and are skipped.
 */
export function ga4Delivery(
  message: OutboxMessage,
  settings: Record<string, unknown>,
  secrets: Record<string, string>,
  nowMs: number,
  baseUrl: string,
): Delivery {
  const { call, attribution } = message.payload.data;
  const clientId = attribution.gaClientId;
  if (!clientId) return { kind: 'skip', note: 'skipped: no GA client id' };
  const measurementId = settings.measurementId;
  const apiSecret = secrets.apiSecret;
  if (typeof measurementId !== 'string' || !apiSecret)
    return { kind: 'invalid', reason: 'GA4 integration without measurement id or api secret' };
  const params: Record<string, string | number> = {
    method: 'phone_call',
    call_id: call.id,
    call_duration: call.talkSeconds ?? 0,
    first_time_caller: call.firstTimeCaller ? 1 : 0,
    engagement_time_msec: 100,
  };
  if (typeof settings.value === 'number' && typeof settings.currency === 'string') {
    params.value = settings.value;
    params.currency = settings.currency;
  }
  // GA4 credits the event to the visit's session (its source and campaign) only with that session's id, and only
  // within 24 hours of the session's start (the id is that moment, in seconds); later it would be ignored.
  const sessionId = attribution.gaSessions?.[measurementId];
  if (sessionId && nowMs - Number(sessionId) * 1000 < SESSION_ATTRIBUTION_MS) params.session_id = sessionId;
  const body: Ga4Body = {
    client_id: clientId,
    events: [{ name: typeof settings.eventName === 'string' ? settings.eventName : 'generate_lead', params }],
  };
  // GA4 takes events backdated up to 72 hours; an older one is sent as of now rather than dropped.
  const age = nowMs - call.startedAt;
  if (age >= 0 && age < BACKDATE_LIMIT_MS) body.timestamp_micros = call.startedAt * 1000;
  const problems = ga4Problems(body);
  if (problems.length > 0) return { kind: 'invalid', reason: `GA4 would drop it: ${problems.join('; ')}` };
  const query = new URLSearchParams({ measurement_id: measurementId, api_secret: apiSecret });
  return {
    kind: 'send',
    request: {
      url: `${baseUrl}/mp/collect?${query}`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
  };
}
