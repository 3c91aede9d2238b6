import type { Migration } from 'kysely';
import * as init from './2026_11_24_0900_init.js';
import * as providerAccounts from './2026_11_24_1200_provider_accounts.js';
import * as analytics from './2026_11_24_1500_analytics.js';
import * as userSessions from './2026_11_24_1600_user_sessions.js';
import * as reportSpeed from './2026_11_24_1700_report_speed.js';
import * as reportSpeedKeys from './2026_11_24_1700_report_speed_keys.js';
import * as trackerIndexes from './2026_11_24_1800_tracker_indexes.js';
import * as trackerDrops from './2026_11_24_2000_tracker_drops.js';
import * as numberClaimIndex from './2026_11_24_2100_number_claim_index.js';
import * as attributionIndex from './2026_11_24_2200_attribution_index.js';
import * as callProviderAccount from './2026_11_24_2300_call_provider_account.js';
import * as providerAllowedSources from './2026_11_24_2310_provider_allowed_sources.js';
import * as integrations from './2026_11_24_2320_integrations.js';
import * as visitGaSessions from './2026_11_24_2330_visit_ga_sessions.js';
import * as poolExhaustionAlert from './2026_11_24_2340_pool_exhaustion_alert.js';
import * as earlyRecordings from './2026_11_25_0100_early_recordings.js';
import * as recordingArchive from './2026_11_25_1000_recording_archive.js';

/** Registered statically so that a bundled build finds them. Names sort by date; never rename one. */
export const migrations: Record<string, Migration> = {
  '2026_11_24_0900_init': init,
  '2026_11_24_1200_provider_accounts': providerAccounts,
  '2026_11_24_1500_analytics': analytics,
  '2026_11_24_1600_user_sessions': userSessions,
  '2026_11_24_1700_report_speed': reportSpeed,
  '2026_11_24_1700_report_speed_keys': reportSpeedKeys,
  '2026_11_24_1800_tracker_indexes': trackerIndexes,
  '2026_11_24_2000_tracker_drops': trackerDrops,
  '2026_11_24_2100_number_claim_index': numberClaimIndex,
  '2026_11_24_2200_attribution_index': attributionIndex,
  '2026_11_24_2300_call_provider_account': callProviderAccount,
  '2026_11_24_2310_provider_allowed_sources': providerAllowedSources,
  '2026_11_24_2320_integrations': integrations,
  '2026_11_24_2330_visit_ga_sessions': visitGaSessions,
  '2026_11_24_2340_pool_exhaustion_alert': poolExhaustionAlert,
  '2026_11_25_0100_early_recordings': earlyRecordings,
  '2026_11_25_1000_recording_archive': recordingArchive,
};
