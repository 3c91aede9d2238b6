import { Type } from 'typebox';
import { Name, Timestamp } from '../../http/schemas.js';

const Kind = Type.Union([
  Type.Literal('webhook'),
  Type.Literal('ga4'),
  Type.Literal('metrica'),
  Type.Literal('amocrm'),
  Type.Literal('bitrix24'),
  Type.Literal('google_ads'),
]);
const EventType = Type.Union([
  Type.Literal('call.started'),
  Type.Literal('call.ended'),
  Type.Literal('call.recorded'),
  Type.Literal('pool.exhausted'),
]);
const Events = Type.Array(EventType, {
  minItems: 1,
  maxItems: 4,
  description:
    'what it is sent: call.started, call.ended, and for a webhook call.recorded (the recording is there, with a link that plays it) and pool.exhausted (a pool was found full; at most once an hour per pool). Default: call.started, call.ended and call.recorded for a webhook, call.ended for analytics, Google Ads and CRMs',
});

/**
 * Settings of every kind in one object; the service checks which keys each kind takes (webhook: url, secret;
 * ga4: measurementId, apiSecret, eventName, value, currency; metrica: counterId, oauthToken; amocrm: baseUrl,
 * accessToken, pipelineId, sourceName; bitrix24: webhookUrl, sourceId, assignedById; google_ads: customerId,
 * conversionAction, loginCustomerId, value, currency, developerToken, clientId, clientSecret, refreshToken).
 */
const Settings = Type.Object(
  {
    url: Type.Optional(Type.String({ maxLength: 2000, description: 'webhook: the receiver, http or https' })),
    secret: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'webhook: the Standard Webhooks signing secret, whsec_ and 24–64 bytes in base64 (write-only); generated and shown once when not given',
      }),
    ),
    measurementId: Type.Optional(
      Type.String({ maxLength: 32, description: 'ga4: the stream’s G-XXXXXXXXXX' }),
    ),
    apiSecret: Type.Optional(
      Type.String({ maxLength: 200, description: 'ga4: a Measurement Protocol API secret (write-only)' }),
    ),
    eventName: Type.Optional(Type.String({ maxLength: 40, description: 'ga4: default generate_lead' })),
    value: Type.Optional(
      Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
        description: 'ga4, google_ads: the conversion value (needs currency)',
      }),
    ),
    currency: Type.Optional(
      Type.Union([Type.String({ maxLength: 3 }), Type.Null()], { description: 'ga4, google_ads: ISO 4217' }),
    ),
    counterId: Type.Optional(Type.String({ maxLength: 12, description: 'metrica: the counter number' })),
    oauthToken: Type.Optional(
      Type.String({ maxLength: 500, description: 'metrica: an OAuth token with metrika:write (write-only)' }),
    ),
    baseUrl: Type.Optional(
      Type.String({
        maxLength: 300,
        description: 'amocrm: the account, https://<subdomain>.amocrm.ru or .kommo.com',
      }),
    ),
    accessToken: Type.Optional(
      Type.String({ maxLength: 4000, description: 'amocrm: a long-lived token of the account (write-only)' }),
    ),
    pipelineId: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
        description: 'amocrm: the pipeline whose Unsorted gets the leads (default: the main pipeline)',
      }),
    ),
    sourceName: Type.Optional(
      Type.Union([Type.String({ maxLength: 100 }), Type.Null()], {
        description: 'amocrm: the source the leads show (default Ringtrace)',
      }),
    ),
    webhookUrl: Type.Optional(
      Type.String({
        maxLength: 500,
        description:
          'bitrix24: the inbound webhook, https://<portal>/rest/<user id>/<secret>/ (write-only: it holds the secret; the settings show the portal)',
      }),
    ),
    sourceId: Type.Optional(
      Type.Union([Type.String({ maxLength: 50 }), Type.Null()], {
        description: 'bitrix24: the lead source (STATUS_ID of the Source list; default CALL)',
      }),
    ),
    assignedById: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
        description: 'bitrix24: the user responsible for the leads (default: the webhook’s user)',
      }),
    ),
    customerId: Type.Optional(
      Type.String({
        maxLength: 20,
        description:
          'google_ads: the account conversions are uploaded to, 123-456-7890 (stored without dashes)',
      }),
    ),
    conversionAction: Type.Optional(
      Type.String({
        maxLength: 100,
        description:
          'google_ads: the conversion action, customers/<customerId>/conversionActions/<id> or its id alone',
      }),
    ),
    loginCustomerId: Type.Optional(
      Type.Union([Type.String({ maxLength: 20 }), Type.Null()], {
        description: 'google_ads: the manager account the OAuth user reaches the customer through, if any',
      }),
    ),
    developerToken: Type.Optional(
      Type.String({ maxLength: 100, description: 'google_ads: the API developer token (write-only)' }),
    ),
    clientId: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'google_ads: the OAuth client id, <…>.apps.googleusercontent.com (write-only)',
      }),
    ),
    clientSecret: Type.Optional(
      Type.String({ maxLength: 200, description: 'google_ads: the OAuth client secret (write-only)' }),
    ),
    refreshToken: Type.Optional(
      Type.String({
        maxLength: 1000,
        description: 'google_ads: a refresh token with the adwords scope (write-only)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const IntegrationSchema = Type.Object({
  id: Type.String(),
  projectId: Type.String(),
  kind: Kind,
  name: Type.String(),
  enabled: Type.Boolean(),
  events: Type.Array(EventType),
  settings: Type.Record(Type.String(), Type.Unknown(), { description: 'without the secrets' }),
  secretKeys: Type.Array(Type.String(), { description: 'which secrets are set (never their values)' }),
  secret: Type.Optional(
    Type.String({ description: 'a webhook signing secret generated on create: shown this once only' }),
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CreateIntegrationBody = Type.Object(
  {
    kind: Kind,
    name: Name,
    enabled: Type.Optional(Type.Boolean()),
    events: Type.Optional(Events),
    settings: Settings,
  },
  { additionalProperties: false },
);

export const UpdateIntegrationBody = Type.Object(
  {
    name: Type.Optional(Name),
    enabled: Type.Optional(Type.Boolean()),
    events: Type.Optional(Events),
    settings: Type.Optional(Settings),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const DeliverySchema = Type.Object({
  id: Type.String({ description: 'the event id (the webhook-id header of a webhook)' }),
  type: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()], {
    description: 'on a delivered event that was not sent: why (e.g. "skipped: no GA client id")',
  }),
  callId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  nextAttemptAt: Type.Union([Timestamp, Type.Null()]),
  deliveredAt: Type.Union([Timestamp, Type.Null()]),
  failedAt: Type.Union([Timestamp, Type.Null()]),
});

export const DeliveriesQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
});

export const DeliveryParams = Type.Object({
  projectId: Type.String({ maxLength: 64 }),
  id: Type.String({ maxLength: 64 }),
  eventId: Type.String({ maxLength: 64 }),
});
