import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { Db, DbHandle } from './db/connect.js';
import type { Logger } from './logger.js';
import { ApiKeyService } from './modules/access/api-key.service.js';
import { CreditService } from './modules/analytics/credit.service.js';
import { DealService } from './modules/analytics/deal.service.js';
import { ReportService } from './modules/analytics/report.service.js';
import { SpendService } from './modules/analytics/spend.service.js';
import { VisitRollupService } from './modules/analytics/visit-rollup.service.js';
import { CallService } from './modules/calls/call.service.js';
import { COPIED_PROVIDERS, RecordingService } from './modules/calls/recording.service.js';
import { RecordingArchive } from './modules/calls/recording-archive.js';
import { RecordingLinks } from './modules/calls/recording-link.js';
import { StaticChannelService } from './modules/channels/static-channel.service.js';
import { DestinationService } from './modules/destinations/destination.service.js';
import { IntegrationService } from './modules/integrations/integration.service.js';
import { OutboxDispatcher } from './modules/integrations/outbox-dispatcher.js';
import { NumberService } from './modules/numbers/number.service.js';
import { PoolService } from './modules/pools/pool.service.js';
import { ProjectService } from './modules/projects/project.service.js';
import { ProviderAccountService } from './modules/telephony/provider-account.service.js';
import { TrackingService } from './modules/tracking/tracking.service.js';
import { UserService } from './modules/users/user.service.js';

export interface Services {
  apiKeys: ApiKeyService;
  projects: ProjectService;
  destinations: DestinationService;
  numbers: NumberService;
  channels: StaticChannelService;
  pools: PoolService;
  tracking: TrackingService;
  calls: CallService;
  recordings: RecordingService;
  /** Copies the providers' recordings; `serve` runs it in the background, tests call copyDue(). */
  recordingArchive: RecordingArchive;
  providerAccounts: ProviderAccountService;
  users: UserService;
  spend: SpendService;
  deals: DealService;
  reports: ReportService;
  integrations: IntegrationService;
  /** Delivers the integrations' outbox; `serve` runs it every second, tests call dispatchOnce(). */
  outboxDispatcher: OutboxDispatcher;
}

export interface Deps {
  config: Config;
  log: Logger;
  database: DbHandle;
  clock: Clock;
  secretKey: string;
  services: Services;
}

/** The composition root: the one place where services are built and wired together. */
export function createDeps(input: {
  config: Config;
  log: Logger;
  database: DbHandle;
  secretKey: string;
  clock?: Clock;
}): Deps {
  const clock = input.clock ?? systemClock;
  const db: Db = input.database.db;
  const destinations = new DestinationService({ db, clock });
  const integrations = new IntegrationService({
    db,
    clock,
    secretKey: input.secretKey,
    allowPrivateNetworks: input.config.integrationAllowPrivateNetworks,
  });
  const tracking = new TrackingService({
    db,
    dialect: input.database.dialect,
    clock,
    log: input.log,
    secretKey: input.secretKey,
    rateLimit: { perMinute: input.config.trackerRatePerMinute, burst: input.config.trackerRateBurst },
    state: input.config.trackerState ?? (input.database.dialect === 'sqlite' ? 'memory' : 'shared'),
    ...(input.database.file && { sqliteFile: input.database.file }),
    ...(!input.config.trackerSyncCommit &&
      input.database.asyncCommitDb && { writeDb: input.database.asyncCommitDb }),
    alerts: integrations,
  });
  const credit = new CreditService({ db });
  const deals = new DealService({ db, clock, publicUrl: input.config.publicUrl, credit });
  const recordingLinks = new RecordingLinks(input.config.publicUrl, input.secretKey);
  const calls = new CallService({
    db,
    dialect: input.database.dialect,
    clock,
    tracking,
    credit,
    outbox: integrations,
    // Queued even with RECORDINGS_COPY off: the copier makes them once it is on again.
    copyRecordingsOf: COPIED_PROVIDERS,
    recordingLinks: { linkOf: (id) => recordingLinks.linkOf(id), playableByLink: COPIED_PROVIDERS },
  });
  const providerAccounts = new ProviderAccountService({
    db,
    clock,
    publicUrl: input.config.publicUrl,
    secretKey: input.secretKey,
  });
  const recordings = new RecordingService({
    db,
    archiveDir: input.config.recordings.dir,
    links: recordingLinks,
    calls,
    providerAccounts,
    apis: input.config.providerApis,
    timeoutMs: input.config.recordingTimeoutMs,
  });
  const services: Services = {
    apiKeys: new ApiKeyService({ db, clock }),
    projects: new ProjectService({
      db,
      clock,
      defaultCountry: input.config.defaultCountry,
      destinations,
      recordingsDir: input.config.recordings.dir,
    }),
    destinations,
    numbers: new NumberService({ db, clock, destinations }),
    channels: new StaticChannelService({ db, clock }),
    pools: new PoolService({ db, clock, destinations }),
    tracking,
    calls,
    recordings,
    recordingArchive: new RecordingArchive({
      db,
      dialect: input.database.dialect,
      clock,
      dir: input.config.recordings.dir,
      copy: input.config.recordings.copy,
      keepDays: input.config.recordings.keepDays,
      recordings,
      log: input.log.child({ component: 'recordings' }),
    }),
    providerAccounts,
    users: new UserService({ db, clock }),
    spend: new SpendService({ db, clock }),
    deals,
    reports: new ReportService({
      db,
      dialect: input.database.dialect,
      clock,
      deals,
      credit,
      rollup: new VisitRollupService({ db, dialect: input.database.dialect, clock }),
    }),
    integrations,
    outboxDispatcher: new OutboxDispatcher({
      db,
      dialect: input.database.dialect,
      clock,
      log: input.log.child({ component: 'outbox' }),
      integrations,
      timeoutMs: input.config.integrationTimeoutMs,
      allowPrivateNetworks: input.config.integrationAllowPrivateNetworks,
      apis: input.config.integrationApis,
    }),
  };
  return { ...input, clock, services };
}
