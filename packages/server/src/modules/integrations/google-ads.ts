// Google Ads: a call from a visitor who came by a Google ad is uploaded as a click conversion for the visit's click
// id (ConversionUploadService.UploadClickConversions over REST). Calls to our own tracking numbers are not Google's
// "call conversions", which match only calls to Google forwarding numbers. docs/integrations.md, Google Ads.
import { type Delivery, isPassingStatus, jsonOf, type ReadyRequest, type Verdict } from './delivery.js';
import type { GoogleCredentials, GoogleTokens } from './google-oauth.js';
import type { IntegrationTarget } from './integration.js';
import type { OutboxMessage } from './outbox-message.js';

export const NO_CLICK_ID_NOTE = 'skipped: no Google click id';

/** A Google Ads customer id as typed (`123-456-7890`) without its dashes, or undefined when it is not 10 digits. */
export function customerIdOf(text: string): string | undefined {
  const digits = text.trim().replace(/-/g, '');
  return /^\d{10}$/.test(digits) ? digits : undefined;
}

const ACTION_NAME = /^customers\/(\d{10})\/conversionActions\/(\d{1,19})$/;

/**
 * The conversion action's resource name from its resource name or its id alone (`customers/<customer id>/
 * conversionActions/<id>`, or the `ctId` that Google Ads shows in the action's URL). The action must belong to the
 * account conversions are uploaded to (for cross-account conversion tracking, the manager account that owns it).
 */
export function conversionActionOf(
  text: string,
  customerId: string,
): { resourceName: string } | { problem: string } {
  const given = text.trim();
  if (/^\d{1,19}$/.test(given)) return { resourceName: `customers/${customerId}/conversionActions/${given}` };
  const match = ACTION_NAME.exec(given);
  if (!match)
    return {
      problem:
        'settings.conversionAction must be a conversion action id or its resource name, customers/<customer id>/conversionActions/<id>',
    };
  if (match[1] !== customerId)
    return {
      problem: `settings.conversionAction belongs to customer ${match[1]}, not to settings.customerId ${customerId}: conversions are uploaded to the account that owns the action`,
    };
  return { resourceName: given };
}

/** `yyyy-mm-dd hh:mm:ss+00:00`, the moment in UTC as Google Ads takes it (seconds, with the zone). */
export function googleAdsDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
}

export interface ClickConversion {
  gclid?: string;
  wbraid?: string;
  gbraid?: string;
  conversionAction: string;
  conversionDateTime: string;
  conversionValue?: number;
  currencyCode?: string;
  orderId: string;
}

/**
 * The click conversion of one call, or undefined for a call whose visit carried no Google click id. One id is sent:
 * the gclid; without one (iOS clicks), the wbraid (web) or else the gbraid (app), since Google refuses two. The time
 * is the call's start: always after the click (the click led to the visit, which showed the number the call came
 * to), and the same on every retry. The call's id is the order id, by which Google refuses a second upload.
 */
export function clickConversion(
  message: OutboxMessage,
  settings: Record<string, unknown>,
): ClickConversion | undefined {
  const { call, attribution } = message.payload.data;
  // Events written before click ids were in the payload have none.
  const ids = attribution.clickIds ?? {};
  const id = ids.gclid
    ? { gclid: ids.gclid }
    : ids.wbraid
      ? { wbraid: ids.wbraid }
      : ids.gbraid
        ? { gbraid: ids.gbraid }
        : undefined;
  if (!id) return undefined;
  const conversion: ClickConversion = {
    ...id,
    conversionAction: String(settings.conversionAction),
    conversionDateTime: googleAdsDateTime(call.startedAt),
    orderId: call.id,
  };
  if (typeof settings.value === 'number' && typeof settings.currency === 'string') {
    conversion.conversionValue = settings.value;
    conversion.currencyCode = settings.currency;
  }
  return conversion;
}

/**
 * `POST {api}/customers/{customerId}:uploadClickConversions` with one conversion and `partialFailure: true` (which
 * Google requires), after an OAuth access token for the integration (google-oauth.ts). A 401 drops the token.
 */
export function googleAdsDelivery(
  message: OutboxMessage,
  target: IntegrationTarget,
  apiUrl: string,
  tokens: GoogleTokens,
): Delivery {
  const { settings, secrets } = target;
  const { developerToken, clientId, clientSecret, refreshToken } = secrets;
  if (
    typeof settings.customerId !== 'string' ||
    typeof settings.conversionAction !== 'string' ||
    !developerToken ||
    !clientId ||
    !clientSecret ||
    !refreshToken
  )
    return { kind: 'invalid', reason: 'Google Ads integration without its account, action or credentials' };
  const conversion = clickConversion(message, settings);
  if (!conversion) return { kind: 'skip', note: NO_CLICK_ID_NOTE };
  const credentials: GoogleCredentials = { clientId, clientSecret, refreshToken };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'developer-token': developerToken,
  };
  if (typeof settings.loginCustomerId === 'string') headers['login-customer-id'] = settings.loginCustomerId;
  const body = JSON.stringify({ conversions: [conversion], partialFailure: true });
  return {
    kind: 'prepare',
    prepare: async (send): Promise<ReadyRequest | Verdict> => {
      const token = await tokens.accessToken(target.id, credentials, send);
      if ('kind' in token) return token;
      return {
        kind: 'send',
        request: {
          url: `${apiUrl}/customers/${settings.customerId}:uploadClickConversions`,
          method: 'POST',
          headers: { ...headers, authorization: `Bearer ${token.token}` },
          body,
        },
        read: (status, answer) => {
          if (status === 401) tokens.forget(target.id);
          return googleAdsAnswer(status, answer);
        },
      };
    },
  };
}

/** One error of a GoogleAdsFailure: `{errorCode: {conversionUploadError: "UNPARSEABLE_GCLID"}, message}`. */
interface AdsError {
  code: string;
  message: string;
}

/** The errors of a google.rpc.Status (a partial failure, or the `error` of a refused request), flattened. */
function adsErrors(status: unknown): AdsError[] {
  const details = (status as { details?: unknown } | undefined)?.details;
  if (!Array.isArray(details)) return [];
  return details.flatMap((detail: { errors?: unknown }) =>
    Array.isArray(detail?.errors)
      ? detail.errors.map((e: { errorCode?: unknown; message?: unknown }) => ({
          code: Object.values((e?.errorCode as Record<string, unknown> | undefined) ?? {})
            .map(String)
            .join(' '),
          message: typeof e?.message === 'string' ? e.message : '',
        }))
      : [],
  );
}

const errorText = (errors: AdsError[], fallback: string): string =>
  errors.length > 0 ? errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ') : fallback;

/** The conversion was uploaded before (an attempt whose answer was lost): Google keeps it once, by order id. */
const DUPLICATE = new Set(['ORDER_ID_ALREADY_IN_USE', 'CLICK_CONVERSION_ALREADY_EXISTS']);
/** Google takes the conversion later (a click or an action less than 6 hours old): the backoff gets there. */
const TOO_RECENT = new Set(['TOO_RECENT_EVENT', 'TOO_RECENT_CONVERSION_ACTION']);

/**
 * 200 without a partial failure: delivered, noting the click and the upload's job. A partial failure is about our
 * conversion: an upload made before (the duplicate order id) counts as delivered; a click or action too recent is
 * tried again; anything else (an unparseable gclid, an action that does not exist, a click from another account)
 * fails with Google's words, for a person to fix. A refused request (400, 401, 403) fails and 429/5xx are tried
 * again, with the reason Google gave.
 */
export function googleAdsAnswer(status: number, body: string): Verdict | undefined {
  const json = jsonOf(body) as
    | { partialFailureError?: unknown; results?: unknown; jobId?: unknown; error?: unknown }
    | undefined;
  if (status >= 200 && status < 300) {
    const failure = json?.partialFailureError as { code?: unknown; message?: unknown } | null | undefined;
    const errors = adsErrors(failure);
    if (failure && (errors.length > 0 || failure.message || failure.code)) {
      const codes = errors.flatMap((e) => e.code.split(' '));
      if (codes.length > 0 && codes.every((c) => DUPLICATE.has(c)))
        return {
          kind: 'delivered',
          note: 'Google Ads already had this call (its order id was uploaded before): not uploaded again',
        };
      const reason = `Google Ads: ${errorText(errors, String(failure.message ?? 'partial failure'))}`.slice(
        0,
        300,
      );
      return { kind: codes.some((c) => TOO_RECENT.has(c)) ? 'retry' : 'fail', reason };
    }
    const result = (Array.isArray(json?.results) ? json.results[0] : undefined) as
      | Record<string, unknown>
      | undefined;
    const click = ['gclid', 'wbraid', 'gbraid'].find((k) => typeof result?.[k] === 'string');
    const parts = [];
    if (click) parts.push(`${click} ${short(String(result?.[click]))}`);
    if (typeof result?.conversionDateTime === 'string') parts.push(result.conversionDateTime);
    if (typeof json?.jobId === 'string' || typeof json?.jobId === 'number') parts.push(`job ${json.jobId}`);
    return {
      kind: 'delivered',
      note: `Google Ads click conversion uploaded${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`,
    };
  }
  const error = json?.error as { status?: unknown; message?: unknown } | undefined;
  if (typeof error?.message !== 'string') return undefined;
  const head = typeof error.status === 'string' ? `${error.status}: ` : '';
  const reason = `HTTP ${status}: ${head}${errorText(adsErrors(error), error.message)}`.slice(0, 300);
  return { kind: isPassingStatus(status) ? 'retry' : 'fail', reason };
}

/** A click id is 100 characters or so: its start is enough to recognise it in a note. */
const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 16)}…` : id);
