import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors.js';
import { CALL_EVENT_TYPES, CALL_OUTCOME_EVENTS, type CallEventType } from '../calls/call-outbox.js';
import { POOL_EVENT_TYPES, type PoolEventType } from '../tracking/pool-alerts.js';
import { amocrmBaseUrl } from './amocrm.js';
import { bitrix24Webhook } from './bitrix24.js';
import { ga4NameProblem } from './ga4.js';
import { conversionActionOf, customerIdOf } from './google-ads.js';
import { WEBHOOK_SECRET } from './webhook.js';

export type IntegrationKind = 'webhook' | 'ga4' | 'metrica' | 'amocrm' | 'bitrix24' | 'google_ads';

export type EventType = CallEventType | PoolEventType;
export const EVENT_TYPES: readonly EventType[] = [...CALL_EVENT_TYPES, ...POOL_EVENT_TYPES];
/** What each kind can be sent: the analytics, ad and CRM kinds turn calls into conversions and leads, nothing else. */
const KIND_EVENTS: Record<IntegrationKind, readonly EventType[]> = {
  webhook: EVENT_TYPES,
  ga4: CALL_OUTCOME_EVENTS,
  metrica: CALL_OUTCOME_EVENTS,
  amocrm: CALL_OUTCOME_EVENTS,
  bitrix24: CALL_OUTCOME_EVENTS,
  google_ads: CALL_OUTCOME_EVENTS,
};

export interface WebhookSettings {
  url: string;
}
export interface Ga4Settings {
  measurementId: string;
  eventName: string;
  value?: number;
  currency?: string;
}
export interface MetricaSettings {
  counterId: string;
}
export interface AmocrmSettings {
  /** The account's origin, e.g. `https://clinic.amocrm.ru`. */
  baseUrl: string;
  pipelineId?: number;
  sourceName?: string;
}
export interface Bitrix24Settings {
  /** The portal's host, shown in place of the webhook URL (which holds the webhook's secret and is kept sealed). */
  portal: string;
  sourceId?: string;
  assignedById?: number;
}
export interface GoogleAdsSettings {
  /** The account conversions are uploaded to: 10 digits, without dashes. */
  customerId: string;
  /** `customers/<customerId>/conversionActions/<id>`. */
  conversionAction: string;
  /** The manager account the OAuth user reaches the customer through (the login-customer-id header). */
  loginCustomerId?: string;
  value?: number;
  currency?: string;
}
export type IntegrationSettings =
  | WebhookSettings
  | Ga4Settings
  | MetricaSettings
  | AmocrmSettings
  | Bitrix24Settings
  | GoogleAdsSettings;

/** What the API shows of an integration: never a secret, only which secrets are set. */
export interface Integration {
  id: string;
  projectId: string;
  kind: IntegrationKind;
  name: string;
  enabled: boolean;
  events: EventType[];
  settings: Record<string, unknown>;
  secretKeys: string[];
  createdAt: number;
  updatedAt: number;
}

/** An integration as the dispatcher needs it: with its secrets opened. */
export interface IntegrationTarget {
  id: string;
  projectId: string;
  kind: IntegrationKind;
  enabled: boolean;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

/** The keys of the settings input that are secrets: kept sealed, never shown again. */
export const SECRET_KEYS: Record<IntegrationKind, readonly string[]> = {
  webhook: ['secret'],
  ga4: ['apiSecret'],
  metrica: ['oauthToken'],
  amocrm: ['accessToken'],
  // The inbound webhook's URL carries its secret: the whole URL is kept sealed.
  bitrix24: ['webhookUrl'],
  // The developer token and an OAuth client's id, secret and refresh token (google-oauth.ts).
  google_ads: ['developerToken', 'clientId', 'clientSecret', 'refreshToken'],
};

/** Analytics conversions are sent when the call has ended (its duration and outcome known). */
export const DEFAULT_EVENTS: Record<IntegrationKind, EventType[]> = {
  webhook: ['call.started', 'call.ended', 'call.recorded'],
  ga4: ['call.ended'],
  metrica: ['call.ended'],
  amocrm: ['call.ended'],
  bitrix24: ['call.ended'],
  google_ads: ['call.ended'],
};

/** A webhook signing secret as Standard Webhooks has it: `whsec_` and 32 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** A 400 `validation_failed`; with the setting's key, `details` names it as a path, like schema errors do. */
const invalid = (message: string, key?: string) =>
  new AppError('validation_failed', message, key ? [{ path: `/settings/${key}`, message }] : undefined);

function text(input: Record<string, unknown>, key: string, max: number): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    throw invalid(`settings.${key} must be a non-empty string of at most ${max} characters`, key);
  return value.trim();
}

function required(input: Record<string, unknown>, key: string, max: number): string {
  const value = text(input, key, max);
  if (value === undefined) throw invalid(`settings.${key} is required`, key);
  return value;
}

/** A positive whole number: a CRM's pipeline or user id. */
function id(input: Record<string, unknown>, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw invalid(`settings.${key} must be a positive whole number`, key);
  return value;
}

/**
 * Splits the settings given to the API into what is stored in the clear and the secrets, checking each kind's
 * rules; a 400 `validation_failed` names the first problem. A webhook without a secret gets a generated one.
 */
export function parseSettings(
  kind: IntegrationKind,
  input: Record<string, unknown>,
): { settings: IntegrationSettings; secrets: Record<string, string> } {
  const known = new Set([...settingKeys(kind), ...SECRET_KEYS[kind]]);
  // Bitrix24's portal is derived from the webhook URL; it comes back only in the stored settings a PATCH merges.
  const unknown = Object.keys(input).filter((k) => !known.has(k) && !(kind === 'bitrix24' && k === 'portal'));
  if (unknown.length > 0)
    throw invalid(`settings of a ${kind} integration do not take: ${unknown.join(', ')}`, unknown[0]);
  switch (kind) {
    case 'webhook': {
      const url = required(input, 'url', 2000);
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw invalid('settings.url must be an http or https URL', 'url');
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
        throw invalid('settings.url must be an http or https URL', 'url');
      if (parsed.username || parsed.password)
        throw invalid(
          'settings.url must not carry credentials; the signature authenticates the requests',
          'url',
        );
      const secret = text(input, 'secret', 200) ?? newWebhookSecret();
      // Standard Webhooks' verifiers take the key from the secret's base64 part; 24–64 bytes, as it advises.
      const key = WEBHOOK_SECRET.exec(secret)?.[1];
      const bytes = key ? Buffer.from(key, 'base64').length : 0;
      if (!key || bytes < 24 || bytes > 64)
        throw invalid(
          'settings.secret must be whsec_ and 24 to 64 bytes in base64 (or left out to get one)',
          'secret',
        );
      return { settings: { url: parsed.toString() }, secrets: { secret } };
    }
    case 'ga4': {
      const measurementId = required(input, 'measurementId', 32);
      if (!/^G-[A-Z0-9]{4,20}$/.test(measurementId))
        throw invalid(
          'settings.measurementId must be a GA4 measurement id like G-XXXXXXXXXX',
          'measurementId',
        );
      const apiSecret = required(input, 'apiSecret', 200);
      const eventName = text(input, 'eventName', 40) ?? 'generate_lead';
      const problem = ga4NameProblem(eventName, 'event');
      if (problem) throw invalid(`settings.eventName: ${problem}`, 'eventName');
      const settings: Ga4Settings = { measurementId, eventName, ...conversionValue(input) };
      return { settings, secrets: { apiSecret } };
    }
    case 'metrica': {
      const counterId = String(input.counterId ?? '').trim();
      if (!/^\d{1,12}$/.test(counterId))
        throw invalid('settings.counterId must be a Metrica counter number', 'counterId');
      const oauthToken = required(input, 'oauthToken', 500);
      return { settings: { counterId }, secrets: { oauthToken } };
    }
    case 'amocrm': {
      const base = amocrmBaseUrl(required(input, 'baseUrl', 300));
      if ('problem' in base) throw invalid(base.problem, 'baseUrl');
      // A long-lived token is a JWT of a thousand characters or so.
      const accessToken = required(input, 'accessToken', 4000);
      if (/\s/.test(accessToken))
        throw invalid(
          'settings.accessToken must be the token alone, without "Bearer" or spaces',
          'accessToken',
        );
      const settings: AmocrmSettings = { baseUrl: base.url };
      const pipelineId = id(input, 'pipelineId');
      if (pipelineId !== undefined) settings.pipelineId = pipelineId;
      const sourceName = text(input, 'sourceName', 100);
      if (sourceName !== undefined) settings.sourceName = sourceName;
      return { settings, secrets: { accessToken } };
    }
    case 'bitrix24': {
      const webhook = bitrix24Webhook(required(input, 'webhookUrl', 500));
      if ('problem' in webhook) throw invalid(webhook.problem, 'webhookUrl');
      const settings: Bitrix24Settings = { portal: webhook.portal };
      const sourceId = text(input, 'sourceId', 50);
      if (sourceId !== undefined) {
        if (!/^[A-Za-z0-9_]+$/.test(sourceId))
          throw invalid(
            'settings.sourceId must be a Bitrix24 source code like CALL or UC_A1B2C3',
            'sourceId',
          );
        settings.sourceId = sourceId;
      }
      const assignedById = id(input, 'assignedById');
      if (assignedById !== undefined) settings.assignedById = assignedById;
      return { settings, secrets: { webhookUrl: webhook.url } };
    }
    case 'google_ads': {
      const customerId = customerIdOf(required(input, 'customerId', 20));
      if (!customerId)
        throw invalid(
          'settings.customerId must be a Google Ads customer id, 10 digits like 123-456-7890',
          'customerId',
        );
      const action = conversionActionOf(required(input, 'conversionAction', 100), customerId);
      if ('problem' in action) throw invalid(action.problem, 'conversionAction');
      const settings: GoogleAdsSettings = { customerId, conversionAction: action.resourceName };
      const login = text(input, 'loginCustomerId', 20);
      if (login !== undefined) {
        const loginCustomerId = customerIdOf(login);
        if (!loginCustomerId)
          throw invalid(
            'settings.loginCustomerId must be the manager account’s customer id, 10 digits like 123-456-7890',
            'loginCustomerId',
          );
        settings.loginCustomerId = loginCustomerId;
      }
      Object.assign(settings, conversionValue(input));
      const clientId = token(input, 'clientId', 200);
      if (!/^[\w.-]+\.apps\.googleusercontent\.com$/.test(clientId))
        throw invalid(
          'settings.clientId must be an OAuth client id, <…>.apps.googleusercontent.com',
          'clientId',
        );
      const secrets = {
        developerToken: token(input, 'developerToken', 100),
        clientId,
        clientSecret: token(input, 'clientSecret', 200),
        refreshToken: token(input, 'refreshToken', 1000),
      };
      return { settings, secrets };
    }
  }
}

/** A required credential: one word, no spaces (a pasted "Bearer …" or a line break is a mistake). */
function token(input: Record<string, unknown>, key: string, max: number): string {
  const value = required(input, key, max);
  if (/\s/.test(value)) throw invalid(`settings.${key} must be the ${key} alone, without spaces`, key);
  return value;
}

/**
 * An optional conversion value and its currency (GA4, Google Ads): at least 0, with an ISO 4217 code; a value needs
 * its currency (GA4 drops a value without one from its revenue reports; Google Ads would take the account's own).
 */
function conversionValue(input: Record<string, unknown>): { value?: number; currency?: string } {
  const result: { value?: number; currency?: string } = {};
  if (input.value !== undefined && input.value !== null) {
    if (typeof input.value !== 'number' || !Number.isFinite(input.value) || input.value < 0)
      throw invalid('settings.value must be a number of at least 0', 'value');
    result.value = input.value;
  }
  const currency = text(input, 'currency', 3);
  if (currency !== undefined) {
    if (!/^[A-Z]{3}$/.test(currency))
      throw invalid('settings.currency must be an ISO 4217 code like RUB', 'currency');
    result.currency = currency;
  }
  if (result.value !== undefined && result.currency === undefined)
    throw invalid('settings.currency is required with settings.value', 'currency');
  return result;
}

function settingKeys(kind: IntegrationKind): readonly string[] {
  switch (kind) {
    case 'webhook':
      return ['url'];
    case 'ga4':
      return ['measurementId', 'eventName', 'value', 'currency'];
    case 'metrica':
      return ['counterId'];
    case 'amocrm':
      return ['baseUrl', 'pipelineId', 'sourceName'];
    case 'bitrix24':
      return ['sourceId', 'assignedById'];
    case 'google_ads':
      return ['customerId', 'conversionAction', 'loginCustomerId', 'value', 'currency'];
  }
}

/** The event types, de-duplicated in a fixed order; at least one. */
export function parseEvents(kind: IntegrationKind, events: readonly string[] | undefined): EventType[] {
  if (events === undefined) return DEFAULT_EVENTS[kind];
  const allowed = KIND_EVENTS[kind];
  const unknown = events.filter((e) => !EVENT_TYPES.includes(e as EventType));
  if (unknown.length > 0) throw invalid(`unknown events: ${unknown.join(', ')}`);
  if (events.some((e) => !allowed.includes(e as EventType)))
    throw invalid(`a ${kind} integration takes only ${allowed.join(', ')}`);
  const chosen = allowed.filter((e) => events.includes(e));
  if (chosen.length === 0) throw invalid('events must name at least one event');
  return chosen;
}
