/**
 * Row shapes of every table, as Kysely sees them. Conventions, the same on SQLite and PostgreSQL:
 * ids are UUIDv7 text; times are epoch milliseconds (bigint on PostgreSQL, read back as numbers);
 * flags are 0/1 integers; money is integer minor units (kopecks, cents) with a currency beside it;
 * structured settings are JSON text. Repositories convert rows to domain types.
 */
export interface ProjectTable {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  country: string;
  public_key: string;
  /** E.164 numbers printed on the site that the script replaces (JSON array). */
  site_numbers: string;
  default_destination_id: string | null;
  /** Attribution, target-call and other per-project settings (JSON object). */
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface UserTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: 'admin' | 'analyst';
  all_projects: number;
  created_at: number;
}

export interface UserSessionTable {
  id: string;
  user_id: string;
  /** SHA-256 of the cookie's random token, hex; the token itself is never stored. */
  token_hash: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface UserProjectTable {
  user_id: string;
  project_id: string;
}

export interface ApiKeyTable {
  id: string;
  name: string;
  /** The public part of the token, used to look the key up. */
  prefix: string;
  /** SHA-256 of the whole token, hex. Tokens carry 190 random bits, so a fast hash is enough. */
  token_hash: string;
  role: 'admin' | 'analyst';
  /** 1 = installation-wide (may create projects and keys); 0 = only the projects in api_key_project. */
  all_projects: number;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ApiKeyProjectTable {
  api_key_id: string;
  project_id: string;
}

export interface DestinationTable {
  id: string;
  project_id: string;
  name: string;
  kind: 'phone' | 'sip';
  /** E.164 for phone, `sip:user@host[:port]` for sip. */
  target: string;
  created_at: number;
  updated_at: number;
}

export interface TrackingNumberTable {
  id: string;
  project_id: string;
  e164: string;
  label: string;
  provider: string;
  provider_ref: string | null;
  status: 'active' | 'inactive';
  monthly_cost_minor: number;
  cost_currency: string;
  destination_id: string | null;
  /** A number serves either one dynamic pool or one static channel, never both. */
  pool_id: string | null;
  /** LRU order for allocation: when the number last became free. */
  released_at: number;
  created_at: number;
  updated_at: number;
}

export interface StaticChannelTable {
  id: string;
  project_id: string;
  name: string;
  kind: 'online' | 'offline';
  source: string;
  medium: string;
  /** billboard, radio, tv, flyer, print, car_wrap, business_card, map_listing, other… (offline only) */
  offline_medium: string | null;
  campaign: string | null;
  tracking_number_id: string;
  /** Visitors matching these rules are shown this channel's number (JSON, pool-rule shape; null = never). */
  swap_match: string | null;
  created_at: number;
  updated_at: number;
}

export interface PoolTable {
  id: string;
  project_id: string;
  name: string;
  priority: number;
  /** Which visits this pool serves (JSON `{all?, any?}` of rules; `{}` = every visit). */
  match: string;
  hold_seconds: number;
  exhaustion_policy: 'reuse_oldest' | 'fallback';
  fallback_number_id: string | null;
  destination_id: string | null;
  exhausted_count: number;
  last_exhausted_at: number | null;
  /** When the last `pool.exhausted` alert was sent (at most one an hour). */
  exhaustion_alerted_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface VisitTable {
  id: string;
  project_id: string;
  visitor_id: string;
  started_at: number;
  last_seen_at: number;
  page_views: number;
  landing_url: string;
  referrer: string | null;
  referrer_host: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_content: string | null;
  utm_term: string | null;
  /** JSON object of click ids (gclid, yclid, fbclid, …). */
  click_ids: string;
  channel: string;
  source: string;
  medium: string;
  ad_network: string | null;
  campaign: string | null;
  ad_group: string | null;
  ad: string | null;
  keyword: string | null;
  device_type: string | null;
  browser: string | null;
  os: string | null;
  language: string | null;
  screen: string | null;
  ip_hash: string | null;
  ga_client_id: string | null;
  ym_client_id: string | null;
  /** GA4 session ids by measurement id, JSON (`{"G-XYZ":"1732456789"}`); null when the site runs no GA4. */
  ga_sessions: string | null;
  is_returning: number;
  pool_id: string | null;
}

export interface LeaseTable {
  id: string;
  project_id: string;
  pool_id: string | null;
  tracking_number_id: string;
  visit_id: string;
  visitor_id: string;
  started_at: number;
  last_seen_at: number;
  /** last_seen_at + the pool's hold; the number is this visitor's until then. */
  expires_at: number;
  /** 1 when the pool was exhausted and this number was shown to another visitor at the same time. */
  shared: number;
  /** static = a fixed number shown by a swap rule; fallback = the pool's fallback number. */
  kind: 'dynamic' | 'static' | 'fallback';
}

export interface CallTable {
  id: string;
  project_id: string;
  provider: string;
  provider_call_id: string;
  caller: string;
  tracking_number: string;
  tracking_number_id: string | null;
  destination: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  wait_seconds: number | null;
  talk_seconds: number | null;
  status: 'ringing' | 'in-progress' | 'answered' | 'no-answer' | 'busy' | 'failed' | 'canceled';
  recording_url: string | null;
  /** The provider account that reported the call (its credentials fetch the recording). Optional on insert. */
  provider_account_id?: string | null;
  visit_id: string | null;
  static_channel_id: string | null;
  pool_id: string | null;
  /** Snapshot of the attributed source so reports need no join for it. */
  channel: string | null;
  source: string | null;
  medium: string | null;
  confidence: number | null;
  /** JSON: the rule used and the candidate visits, for the "why" in the UI. */
  attribution: string | null;
  first_time_caller: number;
  is_target: number;
  /**
   * The visit_id the two credits below were computed from; null = not credited yet (analytics/credit.ts). Optional
   * on insert: the crediting step writes them.
   */
  credit_of?: string | null;
  /** The visit credited under last non-direct click / first click. */
  credit_last_id?: string | null;
  credit_first_id?: string | null;
  created_at: number;
  updated_at: number;
}

export interface DealTable {
  id: string;
  project_id: string;
  source: string;
  external_id: string;
  title: string | null;
  status: 'open' | 'won' | 'lost';
  revenue_minor: number;
  currency: string;
  opened_at: number;
  closed_at: number | null;
  call_id: string | null;
  visit_id: string | null;
  visitor_id: string | null;
  client_id: string | null;
  phone: string | null;
  /** The call id as the CRM sent it (call_id is the call it resolved to in this project). */
  call_ref: string | null;
  /** Which key linked the deal: call_id, client_id, visitor_id or phone; null = not linked yet. */
  linked_by: string | null;
  /**
   * The visit_id the two credits below were computed from; null = not credited yet (analytics/credit.ts). Optional
   * on insert: the crediting step writes them.
   */
  credit_of?: string | null;
  /** The visit credited under last non-direct click / first click. */
  credit_last_id?: string | null;
  credit_first_id?: string | null;
  created_at: number;
  updated_at: number;
}

export interface CurrencyRateTable {
  project_id: string;
  currency: string;
  /** Decimal text: one unit of `currency` is worth this many units of the project currency. */
  rate: string;
  updated_at: number;
}

export interface CrmLinkTable {
  id: string;
  project_id: string;
  kind: 'amocrm' | 'bitrix24' | 'generic';
  name: string;
  secret: string;
  /** JSON: application token, REST URL, status ids, custom field names, default currency. */
  settings: string;
  created_at: number;
}

export interface SpendTable {
  id: string;
  project_id: string;
  /** Local calendar date in the project's time zone, YYYY-MM-DD. */
  day: string;
  ad_network: string;
  campaign: string | null;
  ad_group: string | null;
  ad: string | null;
  keyword: string | null;
  impressions: number;
  clicks: number;
  cost_minor: number;
  currency: string;
  import_id: string | null;
  created_at: number;
}

export interface OutboxEventTable {
  id: string;
  project_id: string;
  type: string;
  payload: string;
  created_at: number;
  available_at: number;
  attempts: number;
  delivered_at: number | null;
  last_error: string | null;
  /** The integration this event is delivered to (null only for rows written before integrations existed). */
  integration_id: string | null;
  /** When delivery was given up (a 4xx, too many attempts, a deleted or disabled integration); see last_error. */
  failed_at: number | null;
  /** Why a delivered event was not actually sent, e.g. `skipped: no GA client id`. */
  note: string | null;
}

/** An outbound integration of a project: a signed webhook, GA4, Yandex Metrica, amoCRM, Bitrix24 or Google Ads. */
export interface IntegrationTable {
  id: string;
  project_id: string;
  kind: 'webhook' | 'ga4' | 'metrica' | 'amocrm' | 'bitrix24' | 'google_ads';
  name: string;
  /** JSON object of the settings that are not secret. */
  settings: string;
  /** JSON object of the secrets, sealed (sealed.ts). */
  secrets: string;
  /** JSON array of the event types it takes: call.started, call.ended. */
  events: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface ProviderAccountTable {
  id: string;
  project_id: string;
  provider: 'twilio' | 'mango' | 'zadarma' | 'generic';
  name: string;
  credentials: string;
  /** JSON array of the IPs and CIDR ranges its webhooks may come from; null: any address. */
  allowed_sources: string | null;
  created_at: number;
  updated_at: number;
}

/** Visits of one closed local day (epoch day in the project's time zone) per grouping key; see visit-rollup.ts. */
export interface VisitRollupTable {
  project_id: string;
  /** Which key columns k0..k2 hold, e.g. `ad_network,campaign,keyword`; '' = the day's total. */
  dims: string;
  day: number;
  k0: string | null;
  k1: string | null;
  k2: string | null;
  visits: number;
}

/** A day of a grouping that is complete in visit_rollup. */
/** Dropped page views per project, UTC day (YYYY-MM-DD) and reason (bot, rate_limited, invalid_url). */
export interface TrackerDropTable {
  project_id: string;
  day: string;
  reason: string;
  count: number;
}

export interface VisitRollupDayTable {
  project_id: string;
  dims: string;
  day: number;
}

export interface VisitRollupStateTable {
  project_id: string;
  /** The zone the rollup's days are in; a project that changes zone starts over. */
  timezone: string;
  /** The highest visit id already checked for late arrivals into rolled-up days. */
  watermark: string | null;
}

/** The report key columns of a visit some call or deal is credited to (a narrow copy; visits never change). */
export interface CreditedVisitTable {
  id: string;
  project_id: string;
  channel: string;
  source: string;
  medium: string;
  ad_network: string | null;
  campaign: string | null;
  ad_group: string | null;
  ad: string | null;
  keyword: string | null;
  landing_url: string;
  device_type: string | null;
}

/** A recording reported before its call, kept until the call arrives (CallService.holdRecording). */
export interface EarlyRecordingTable {
  provider: string;
  provider_call_id: string;
  provider_account_id: string;
  recording_url: string;
  received_at: number;
}

/** Ringtrace's own copy of a call's recording (modules/calls/recording-archive.ts). */
export interface RecordingArchiveTable {
  call_id: string;
  project_id: string;
  /** The call's recording URL this row is (or was) copying: a newer one starts the copy over. */
  recording_url: string;
  /** `expired`: the copy was deleted after RECORDINGS_KEEP_DAYS. */
  state: 'pending' | 'stored' | 'failed' | 'expired';
  attempts: number;
  /**
   * Pending: when the copy is tried next (or, while one is being made, when that attempt is given up). Stored:
   * when it was stored (the expiry reads it through the same index).
   */
  due_at: number;
  /** Path of the copy under RECORDINGS_DIR, with `/` separators. */
  file: string | null;
  content_type: string | null;
  bytes: number | null;
  stored_at: number | null;
  /** Why the last attempt failed. */
  error: string | null;
}

export interface Database {
  project: ProjectTable;
  app_user: UserTable;
  user_project: UserProjectTable;
  user_session: UserSessionTable;
  api_key: ApiKeyTable;
  api_key_project: ApiKeyProjectTable;
  destination: DestinationTable;
  tracking_number: TrackingNumberTable;
  static_channel: StaticChannelTable;
  pool: PoolTable;
  visit: VisitTable;
  lease: LeaseTable;
  call: CallTable;
  deal: DealTable;
  spend: SpendTable;
  currency_rate: CurrencyRateTable;
  crm_link: CrmLinkTable;
  outbox_event: OutboxEventTable;
  integration: IntegrationTable;
  provider_account: ProviderAccountTable;
  visit_rollup: VisitRollupTable;
  visit_rollup_day: VisitRollupDayTable;
  tracker_drop: TrackerDropTable;
  visit_rollup_state: VisitRollupStateTable;
  credited_visit: CreditedVisitTable;
  early_recording: EarlyRecordingTable;
  recording_archive: RecordingArchiveTable;
}
