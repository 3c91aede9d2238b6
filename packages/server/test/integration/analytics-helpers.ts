import type { Db } from '../../src/db/connect.js';
import type { CallTable, VisitTable } from '../../src/db/database.js';
import { newId } from '../../src/ids.js';

/** Moscow (UTC+3) noon of a March 2026 day, as epoch ms. */
export const march = (day: number, hour = 12) => Date.UTC(2026, 2, day, hour - 3);

let seq = 0;

/** A visit row as the tracker writes it for a direct page view on a desktop, `fields` laid over it. */
export function visitRow(projectId: string, fields: Partial<VisitTable> = {}): VisitTable {
  const at = fields.started_at ?? march(10);
  return {
    id: newId(),
    project_id: projectId,
    visitor_id: `vis-${++seq}`,
    started_at: at,
    last_seen_at: at,
    page_views: 1,
    landing_url: 'https://okna.example.ru/',
    referrer: null,
    referrer_host: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_content: null,
    utm_term: null,
    click_ids: '{}',
    channel: 'direct',
    source: '(direct)',
    medium: '(none)',
    ad_network: null,
    campaign: null,
    ad_group: null,
    ad: null,
    keyword: null,
    device_type: 'desktop',
    browser: null,
    os: null,
    language: null,
    screen: null,
    ip_hash: null,
    ga_client_id: null,
    ym_client_id: null,
    ga_sessions: null,
    is_returning: 0,
    pool_id: null,
    ...fields,
  };
}

/** Visits and calls straight into the tables: the report is under test here, not ingestion (tested elsewhere). */
export async function insertVisit(
  db: Db,
  projectId: string,
  fields: Partial<VisitTable> = {},
): Promise<VisitTable> {
  const row = visitRow(projectId, fields);
  await db.insertInto('visit').values(row).execute();
  return row;
}

export async function insertCall(
  db: Db,
  projectId: string,
  fields: Partial<CallTable> = {},
): Promise<CallTable> {
  const at = fields.started_at ?? march(10);
  const row: CallTable = {
    id: newId(),
    project_id: projectId,
    provider: 'test',
    provider_call_id: `call-${++seq}`,
    caller: `+7916${String(1_000_000 + seq).slice(-7)}`,
    tracking_number: '+74950000000',
    tracking_number_id: null,
    destination: null,
    started_at: at,
    answered_at: at + 5000,
    ended_at: at + 125_000,
    wait_seconds: 5,
    talk_seconds: 120,
    status: 'answered',
    recording_url: null,
    visit_id: null,
    static_channel_id: null,
    pool_id: null,
    channel: null,
    source: null,
    medium: null,
    confidence: null,
    attribution: null,
    first_time_caller: 1,
    is_target: 1,
    created_at: at,
    updated_at: at,
    ...fields,
  };
  await db.insertInto('call').values(row).execute();
  return row;
}

export const paidVisit = (network: 'yandex_direct' | 'google_ads', extra: Partial<VisitTable> = {}) => ({
  channel: 'paid',
  source: network === 'yandex_direct' ? 'yandex' : 'google',
  medium: 'cpc',
  ad_network: network,
  ...extra,
});
