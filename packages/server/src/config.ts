import { isAbsolute, resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** `sqlite:<path>` or `postgres://…` */
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  /** When set, logs go to this file instead of stdout. */
  readonly logFile: string | undefined;
  /** Signs visitor and lease tokens; `undefined` means "generate one and keep it in DATA_DIR". */
  readonly secretKey: string | undefined;
  readonly adminToken: string | undefined;
  readonly bodyLimitBytes: number;
  readonly defaultCountry: string;
  readonly trustProxy: boolean;
  readonly skipMigrations: boolean;
  /** The address telephony providers reach this server at (webhook URLs, and Twilio's signatures, use it). */
  readonly publicUrl: string;
  /** The SIP proxy's listen address (UDP and TCP), or undefined when it is off. */
  readonly sip:
    | {
        host: string;
        port: number;
        publicAddress: string | undefined;
        ringTimeoutSeconds: number;
        allowedSources: string[];
        /** SIP over TLS on its own port, with these PEM files; undefined when off. */
        tls: { port: number; certFile: string; keyFile: string; caFile: string | undefined } | undefined;
      }
    | undefined;
  /** Page views per minute one client address may report, and the burst above that average. */
  readonly trackerRatePerMinute: number;
  readonly trackerRateBurst: number;
  /**
   * Where the tracker keeps lease state: `memory` (this process is the database's only writer of visits and
   * leases: the default on SQLite) or `shared` (every decision in the database: the default on PostgreSQL, where
   * several instances may serve one database). Undefined: the database's default.
   */
  readonly trackerState: 'memory' | 'shared' | undefined;
  /**
   * The providers' API origins (no trailing slash) that recordings are fetched from with an account's
   * credentials. Overridable so that tests (and proxies) can stand in for the providers.
   */
  readonly providerApis: { twilio: string; zadarma: string; mango: string };
  /** How long a provider may take to start answering a recording request. */
  readonly recordingTimeoutMs: number;
  /**
   * Ringtrace's own copies of the providers' recordings (modules/calls/recording-archive.ts): where they are kept,
   * whether new ones are made (copies already made are played either way), and for how many days (0: for good).
   */
  readonly recordings: { dir: string; copy: boolean; keepDays: number };
  /**
   * The analytics and ad APIs' bases (no trailing slash) that call conversions are sent to: GA4's origin, Metrica's,
   * the Google Ads API with its version (`…/v26`) and Google's OAuth token endpoint. Overridable so that tests (and
   * proxies, or GA4's EU host) can stand in.
   */
  readonly integrationApis: { ga4: string; metrica: string; googleAds: string; googleOAuthToken: string };
  /** How long an outbound integration (webhook, GA4, Metrica, a CRM, Google Ads) may take to answer before the attempt counts as failed. */
  readonly integrationTimeoutMs: number;
  /** Whether outbound integrations may call private, loopback and link-local addresses (address-guard.ts). */
  readonly integrationAllowPrivateNetworks: boolean;
  /** PostgreSQL: whether each tracker write waits for its WAL flush (default: no; docs/architecture.md). */
  readonly trackerSyncCommit: boolean;
  /** PostgreSQL: whether the tracker's pool prepares its hot statements by name (db/connect.ts, markPrepared). */
  readonly trackerPreparedStatements: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** The only reader of the environment. Collects every problem before failing, so one run shows them all. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  };

  const dataDir = resolve(cwd, read('DATA_DIR') ?? './data');

  const databaseUrl = read('DATABASE_URL') ?? `sqlite:${resolve(dataDir, 'ringtrace.db')}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with "sqlite:" or "postgres://"');
  }

  const logLevel = (read('LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const secretKey = read('SECRET_KEY');
  if (secretKey !== undefined && secretKey.length < 32) {
    problems.push('SECRET_KEY must be at least 32 characters long');
  }

  const adminToken = read('RINGTRACE_ADMIN_TOKEN');
  if (adminToken !== undefined && !/^rt_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}$/.test(adminToken)) {
    problems.push(
      'RINGTRACE_ADMIN_TOKEN must look like rt_XXXXXXXX_<32+ letters or digits> (see `ringtrace apikey create`)',
    );
  }

  const defaultCountry = (read('DEFAULT_COUNTRY') ?? 'RU').toUpperCase();
  if (!/^[A-Z]{2}$/.test(defaultCountry)) {
    problems.push(`DEFAULT_COUNTRY must be a two-letter ISO country code, got "${defaultCountry}"`);
  }

  const logFile = read('LOG_FILE');

  const publicUrl = (read('PUBLIC_URL') ?? `http://localhost:${read('PORT') ?? '8080'}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(publicUrl))
    problems.push(`PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);

  let sip: Config['sip'];
  const sipListen = read('SIP_LISTEN');
  if (sipListen !== undefined) {
    const match = /^(.+):(\d{1,5})$/.exec(sipListen);
    if (!match || Number(match[2]) > 65535)
      problems.push(`SIP_LISTEN must be ADDRESS:PORT, got "${sipListen}"`);
    else {
      sip = {
        host: match[1] as string,
        port: Number(match[2]),
        publicAddress: read('SIP_PUBLIC_ADDRESS'),
        ringTimeoutSeconds: int('SIP_RING_TIMEOUT_SECONDS', 30, 5, 600),
        allowedSources: (read('SIP_ALLOWED_SOURCES') ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
        tls: undefined,
      };
      const certFile = read('SIP_TLS_CERT_FILE');
      const keyFile = read('SIP_TLS_KEY_FILE');
      if ((certFile === undefined) !== (keyFile === undefined))
        problems.push('SIP_TLS_CERT_FILE and SIP_TLS_KEY_FILE go together: set both to turn SIP over TLS on');
      else if (certFile !== undefined && keyFile !== undefined) {
        const port = int('SIP_TLS_PORT', 5061, 1, 65535);
        if (port === sip.port) problems.push(`SIP_TLS_PORT must differ from SIP_LISTEN's port (${port})`);
        const caFile = read('SIP_TLS_CA_FILE');
        const path = (p: string) => resolve(cwd, p);
        sip.tls = { port, certFile: path(certFile), keyFile: path(keyFile), caFile: caFile && path(caFile) };
      }
    }
  }

  const apiUrl = (name: string, fallback: string): string => {
    const value = (read(name) ?? fallback).replace(/\/+$/, '');
    if (!/^https?:\/\/[^\s/]+/.test(value)) problems.push(`${name} must be an http(s) URL, got "${value}"`);
    return value;
  };

  const config: Config = {
    port: int('PORT', 8080, 0, 65535),
    host: read('HOST') ?? '0.0.0.0',
    databaseUrl: resolveSqlitePath(databaseUrl, cwd),
    dataDir,
    logLevel,
    logFile: logFile === undefined ? undefined : isAbsolute(logFile) ? logFile : resolve(cwd, logFile),
    secretKey,
    adminToken,
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    defaultCountry,
    trustProxy: bool('TRUST_PROXY', false),
    skipMigrations: bool('SKIP_MIGRATIONS', false),
    publicUrl,
    sip,
    trackerRatePerMinute: int('TRACKER_RATE_PER_MINUTE', 120, 1, 1_000_000),
    trackerRateBurst: int('TRACKER_RATE_BURST', 60, 1, 1_000_000),
    trackerState: trackerState(read('TRACKER_STATE'), problems),
    trackerSyncCommit: bool('TRACKER_SYNC_COMMIT', false),
    trackerPreparedStatements: bool('TRACKER_PREPARED_STATEMENTS', true),
    providerApis: {
      twilio: apiUrl('TWILIO_API_URL', 'https://api.twilio.com'),
      zadarma: apiUrl('ZADARMA_API_URL', 'https://api.zadarma.com'),
      mango: apiUrl('MANGO_API_URL', 'https://app.mango-office.ru/vpbx'),
    },
    recordingTimeoutMs: int('RECORDING_TIMEOUT_SECONDS', 15, 1, 300) * 1000,
    recordings: {
      dir: resolve(cwd, read('RECORDINGS_DIR') ?? resolve(dataDir, 'recordings')),
      copy: bool('RECORDINGS_COPY', true),
      keepDays: int('RECORDINGS_KEEP_DAYS', 0, 0, 36_500),
    },
    integrationApis: {
      ga4: apiUrl('GA4_BASE_URL', 'https://www.google-analytics.com'),
      metrica: apiUrl('METRICA_API_URL', 'https://api-metrika.yandex.net'),
      // The latest major version when written (docs/integrations.md, Google Ads): Google sunsets each about a year on.
      googleAds: apiUrl('GOOGLE_ADS_API_URL', 'https://googleads.googleapis.com/v26'),
      googleOAuthToken: apiUrl('GOOGLE_OAUTH_TOKEN_URL', 'https://oauth2.googleapis.com/token'),
    },
    integrationTimeoutMs: int('INTEGRATION_TIMEOUT_SECONDS', 10, 1, 120) * 1000,
    // Outbound integrations call only public addresses unless allowed (modules/integrations/address-guard.ts).
    integrationAllowPrivateNetworks: bool('INTEGRATION_ALLOW_PRIVATE_NETWORKS', false),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

function trackerState(raw: string | undefined, problems: string[]): 'memory' | 'shared' | undefined {
  if (raw === undefined || raw === 'memory' || raw === 'shared') return raw;
  problems.push(`TRACKER_STATE must be memory or shared, got "${raw}"`);
  return undefined;
}

/** Relative SQLite paths are taken from the working directory, like every other path setting. */
function resolveSqlitePath(url: string, cwd: string): string {
  if (!url.startsWith('sqlite:')) return url;
  const path = url.slice('sqlite:'.length);
  if (path === ':memory:' || isAbsolute(path)) return url;
  return `sqlite:${resolve(cwd, path)}`;
}
