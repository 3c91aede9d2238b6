// Outbound integrations (signed webhooks, GA4, Yandex Metrica, amoCRM, Bitrix24, Google Ads) as the API shows them, and what the dashboard
// needs to know of each kind. The settings mirror the server's rules (modules/integrations/integration.ts):
// a kind added there needs an entry here.
import type { MessageKey } from './i18n.js';

export type IntegrationKind = 'webhook' | 'ga4' | 'metrica' | 'amocrm' | 'bitrix24' | 'google_ads';
export type EventType = 'call.started' | 'call.ended' | 'call.recorded' | 'pool.exhausted';
export const EVENT_TYPES: readonly EventType[] = [
  'call.started',
  'call.ended',
  'call.recorded',
  'pool.exhausted',
];
const CALL_EVENTS: readonly EventType[] = ['call.started', 'call.ended'];

/** What a kind can be sent (the server's rule): a recording's and a pool's news go to webhooks only. */
export const eventsOf = (kind: IntegrationKind): readonly EventType[] =>
  kind === 'webhook' ? EVENT_TYPES : CALL_EVENTS;

/** GET /integrations: never a secret, only which secrets are set (`secretKeys`). */
export interface Integration {
  id: string;
  projectId: string;
  kind: IntegrationKind;
  name: string;
  enabled: boolean;
  events: EventType[];
  settings: Record<string, unknown>;
  secretKeys: string[];
  /** A webhook signing secret generated on create: in that answer only. */
  secret?: string;
  createdAt: number;
  updatedAt: number;
}

/** GET /integrations/:id/deliveries: one event sent (or owed) to an integration. */
export interface Delivery {
  id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  /** On a delivered event that was not sent: why (`skipped: no GA client id`). */
  note: string | null;
  callId: string | null;
  createdAt: number;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  failedAt: number | null;
}

export interface SettingField {
  key: string;
  label: MessageKey;
  hint?: MessageKey;
  secret?: boolean;
  optional?: boolean;
  /** A number input (GA4's value, a CRM's pipeline or user id); sent as a number. */
  numeric?: boolean;
  maxLength: number;
  placeholder?: string;
}

export interface KindInfo {
  kind: IntegrationKind;
  label: MessageKey;
  /** What this kind does with a call, shown with its settings and on its card. */
  about?: MessageKey;
  /** Settings the server derives (Bitrix24's portal, from the sealed webhook URL): shown, never typed. */
  derived?: readonly { key: string; label: MessageKey }[];
  /** What the API creates without `events` (docs/integrations.md). */
  defaultEvents: readonly EventType[];
  fields: readonly SettingField[];
}

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'webhook',
    label: 'kindWebhook',
    defaultEvents: ['call.started', 'call.ended', 'call.recorded'],
    fields: [
      {
        key: 'url',
        label: 'setWebhookUrl',
        hint: 'setWebhookUrlHint',
        maxLength: 2000,
        placeholder: 'https://',
      },
      {
        key: 'secret',
        label: 'setWebhookSecret',
        hint: 'setWebhookSecretHint',
        secret: true,
        optional: true,
        maxLength: 200,
      },
    ],
  },
  {
    kind: 'ga4',
    label: 'kindGa4',
    defaultEvents: ['call.ended'],
    fields: [
      {
        key: 'measurementId',
        label: 'setGa4MeasurementId',
        hint: 'setGa4MeasurementIdHint',
        maxLength: 32,
        placeholder: 'G-XXXXXXXXXX',
      },
      {
        key: 'apiSecret',
        label: 'setGa4ApiSecret',
        hint: 'setGa4ApiSecretHint',
        secret: true,
        maxLength: 200,
      },
      {
        key: 'eventName',
        label: 'setGa4EventName',
        hint: 'setGa4EventNameHint',
        optional: true,
        maxLength: 40,
        placeholder: 'generate_lead',
      },
      {
        key: 'value',
        label: 'setGa4Value',
        hint: 'setGa4ValueHint',
        optional: true,
        numeric: true,
        maxLength: 20,
      },
      { key: 'currency', label: 'setGa4Currency', optional: true, maxLength: 3, placeholder: 'RUB' },
    ],
  },
  {
    kind: 'metrica',
    label: 'kindMetrica',
    defaultEvents: ['call.ended'],
    fields: [
      { key: 'counterId', label: 'setMetricaCounterId', hint: 'setMetricaCounterIdHint', maxLength: 12 },
      {
        key: 'oauthToken',
        label: 'setMetricaOauthToken',
        hint: 'setMetricaOauthTokenHint',
        secret: true,
        maxLength: 500,
      },
    ],
  },
  {
    kind: 'amocrm',
    label: 'kindAmocrm',
    about: 'amocrmAbout',
    defaultEvents: ['call.ended'],
    fields: [
      {
        key: 'baseUrl',
        label: 'setAmocrmBaseUrl',
        hint: 'setAmocrmBaseUrlHint',
        maxLength: 300,
        placeholder: 'https://clinic.amocrm.ru',
      },
      {
        key: 'accessToken',
        label: 'setAmocrmAccessToken',
        hint: 'setAmocrmAccessTokenHint',
        secret: true,
        maxLength: 4000,
      },
      {
        key: 'pipelineId',
        label: 'setAmocrmPipelineId',
        hint: 'setAmocrmPipelineIdHint',
        optional: true,
        numeric: true,
        maxLength: 15,
      },
      {
        key: 'sourceName',
        label: 'setAmocrmSourceName',
        hint: 'setAmocrmSourceNameHint',
        optional: true,
        maxLength: 100,
        placeholder: 'Ringtrace',
      },
    ],
  },
  {
    kind: 'bitrix24',
    label: 'kindBitrix24',
    about: 'bitrix24About',
    defaultEvents: ['call.ended'],
    derived: [{ key: 'portal', label: 'setBitrix24Portal' }],
    fields: [
      {
        key: 'webhookUrl',
        label: 'setBitrix24WebhookUrl',
        hint: 'setBitrix24WebhookUrlHint',
        secret: true,
        maxLength: 500,
        placeholder: 'https://clinic.bitrix24.ru/rest/1/…/',
      },
      {
        key: 'sourceId',
        label: 'setBitrix24SourceId',
        hint: 'setBitrix24SourceIdHint',
        optional: true,
        maxLength: 50,
        placeholder: 'CALL',
      },
      {
        key: 'assignedById',
        label: 'setBitrix24AssignedById',
        hint: 'setBitrix24AssignedByIdHint',
        optional: true,
        numeric: true,
        maxLength: 15,
      },
    ],
  },
  {
    kind: 'google_ads',
    label: 'kindGoogleAds',
    about: 'googleAdsAbout',
    defaultEvents: ['call.ended'],
    fields: [
      {
        key: 'customerId',
        label: 'setGoogleAdsCustomerId',
        hint: 'setGoogleAdsCustomerIdHint',
        maxLength: 20,
        placeholder: '123-456-7890',
      },
      {
        key: 'conversionAction',
        label: 'setGoogleAdsConversionAction',
        hint: 'setGoogleAdsConversionActionHint',
        maxLength: 100,
      },
      {
        key: 'loginCustomerId',
        label: 'setGoogleAdsLoginCustomerId',
        hint: 'setGoogleAdsLoginCustomerIdHint',
        optional: true,
        maxLength: 20,
        placeholder: '123-456-7890',
      },
      {
        key: 'value',
        label: 'setGa4Value',
        hint: 'setGoogleAdsValueHint',
        optional: true,
        numeric: true,
        maxLength: 20,
      },
      { key: 'currency', label: 'setGa4Currency', optional: true, maxLength: 3, placeholder: 'RUB' },
      {
        key: 'developerToken',
        label: 'setGoogleAdsDeveloperToken',
        hint: 'setGoogleAdsDeveloperTokenHint',
        secret: true,
        maxLength: 100,
      },
      {
        key: 'clientId',
        label: 'setGoogleAdsClientId',
        hint: 'setGoogleAdsClientIdHint',
        secret: true,
        maxLength: 200,
        placeholder: '….apps.googleusercontent.com',
      },
      {
        key: 'clientSecret',
        label: 'setGoogleAdsClientSecret',
        hint: 'setGoogleAdsClientSecretHint',
        secret: true,
        maxLength: 200,
      },
      {
        key: 'refreshToken',
        label: 'setGoogleAdsRefreshToken',
        hint: 'setGoogleAdsRefreshTokenHint',
        secret: true,
        maxLength: 1000,
      },
    ],
  },
];

export const kindInfo = (kind: IntegrationKind): KindInfo =>
  KINDS.find((k) => k.kind === kind) ?? (KINDS[0] as KindInfo);

const EVENT_LABELS: Record<EventType, MessageKey> = {
  'call.started': 'eventCallStarted',
  'call.ended': 'eventCallEnded',
  'call.recorded': 'eventCallRecorded',
  'pool.exhausted': 'eventPoolExhausted',
};
export const eventLabel = (type: string): MessageKey | undefined => EVENT_LABELS[type as EventType];

/** A typed setting as the API takes it: trimmed text, a number for a numeric field; undefined when empty. */
export function settingValue(field: SettingField, typed: string): string | number | undefined {
  const value = typed.trim();
  if (value === '') return undefined;
  if (field.numeric) {
    const n = Number(value.replace(',', '.'));
    return Number.isFinite(n) ? n : value;
  }
  return value;
}

/** A stored (non-secret) setting shown in a text field. */
export const shownSetting = (value: unknown): string =>
  value === undefined || value === null ? '' : String(value);
