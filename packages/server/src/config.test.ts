import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives documented defaults for an empty environment', () => {
    const config = loadConfig({}, '/srv/ringtrace');
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/ringtrace/data',
      databaseUrl: 'sqlite:/srv/ringtrace/data/ringtrace.db',
      logLevel: 'info',
      logFile: undefined,
      bodyLimitBytes: 1_048_576,
      defaultCountry: 'RU',
      trustProxy: false,
      skipMigrations: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every setting, resolving relative paths from the working directory', () => {
    const config = loadConfig(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        DATABASE_URL: 'sqlite:./var/rt.db',
        LOG_LEVEL: 'DEBUG',
        LOG_FILE: 'logs/rt.log',
        SECRET_KEY: 'k'.repeat(40),
        DEFAULT_COUNTRY: 'us',
        TRUST_PROXY: 'yes',
        SKIP_MIGRATIONS: '1',
      },
      '/app',
    );
    expect(config).toMatchObject({
      port: 9000,
      databaseUrl: 'sqlite:/app/var/rt.db',
      logLevel: 'debug',
      logFile: '/app/logs/rt.log',
      defaultCountry: 'US',
      trustProxy: true,
      skipMigrations: true,
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/rt' }).databaseUrl).toBe(
      'postgres://u@db:5432/rt',
    );
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: '70000',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        SECRET_KEY: 'short',
        TRUST_PROXY: 'maybe',
        DEFAULT_COUNTRY: 'Russia',
        RINGTRACE_ADMIN_TOKEN: 'admin',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(7);
    expect((error as ConfigError).message).toContain('PORT must be an integer from 0 to 65535, got "70000"');
  });

  it('turns SIP over TLS on with a certificate and a key, on port 5061 unless told', () => {
    const sip = { SIP_LISTEN: '203.0.113.10:5060' };
    expect(loadConfig(sip).sip?.tls).toBeUndefined();
    expect(
      loadConfig({ ...sip, SIP_TLS_CERT_FILE: '/etc/rt/sip.pem', SIP_TLS_KEY_FILE: '/etc/rt/sip.key' }).sip
        ?.tls,
    ).toEqual({ port: 5061, certFile: '/etc/rt/sip.pem', keyFile: '/etc/rt/sip.key', caFile: undefined });
    expect(
      loadConfig(
        {
          ...sip,
          SIP_TLS_CERT_FILE: 'a.pem',
          SIP_TLS_KEY_FILE: 'a.key',
          SIP_TLS_CA_FILE: 'ca.pem',
          SIP_TLS_PORT: '5071',
        },
        '/app',
      ).sip?.tls,
    ).toMatchObject({ port: 5071, certFile: '/app/a.pem', caFile: '/app/ca.pem' });
    expect(() => loadConfig({ ...sip, SIP_TLS_CERT_FILE: 'a.pem' })).toThrow(
      'SIP_TLS_CERT_FILE and SIP_TLS_KEY_FILE go together',
    );
    expect(() =>
      loadConfig({ ...sip, SIP_TLS_CERT_FILE: 'a.pem', SIP_TLS_KEY_FILE: 'a.key', SIP_TLS_PORT: '5060' }),
    ).toThrow("SIP_TLS_PORT must differ from SIP_LISTEN's port");
  });

  it('reads the providers’ API addresses for recordings, and the recording timeout', () => {
    const defaults = loadConfig({});
    expect(defaults.providerApis).toEqual({
      twilio: 'https://api.twilio.com',
      zadarma: 'https://api.zadarma.com',
      mango: 'https://app.mango-office.ru/vpbx',
    });
    expect(defaults.recordingTimeoutMs).toBe(15_000);
    const set = loadConfig({ MANGO_API_URL: 'http://127.0.0.1:9000/vpbx/', RECORDING_TIMEOUT_SECONDS: '5' });
    expect(set.providerApis.mango).toBe('http://127.0.0.1:9000/vpbx');
    expect(set.recordingTimeoutMs).toBe(5000);
    expect(() => loadConfig({ ZADARMA_API_URL: 'api.zadarma.com' })).toThrow(
      /ZADARMA_API_URL must be an http/,
    );
  });

  it('keeps copies of recordings in DATA_DIR/recordings unless told otherwise', () => {
    expect(loadConfig({ DATA_DIR: '/srv/rt' }).recordings).toEqual({
      dir: '/srv/rt/recordings',
      copy: true,
      keepDays: 0,
    });
    expect(
      loadConfig({ RECORDINGS_DIR: '/mnt/audio', RECORDINGS_COPY: 'false', RECORDINGS_KEEP_DAYS: '365' })
        .recordings,
    ).toEqual({ dir: '/mnt/audio', copy: false, keepDays: 365 });
    expect(() => loadConfig({ RECORDINGS_KEEP_DAYS: '-1' })).toThrow(/RECORDINGS_KEEP_DAYS/);
    expect(() => loadConfig({ RECORDINGS_COPY: 'sometimes' })).toThrow(
      /RECORDINGS_COPY must be true or false/,
    );
  });

  it('reads the analytics and ad APIs’ addresses and the integrations’ timeout', () => {
    const defaults = loadConfig({});
    expect(defaults.integrationApis).toEqual({
      ga4: 'https://www.google-analytics.com',
      metrica: 'https://api-metrika.yandex.net',
      googleAds: 'https://googleads.googleapis.com/v26',
      googleOAuthToken: 'https://oauth2.googleapis.com/token',
    });
    expect(defaults.integrationTimeoutMs).toBe(10_000);
    expect(defaults.integrationAllowPrivateNetworks).toBe(false);
    expect(defaults.trackerSyncCommit).toBe(false);
    expect(loadConfig({ TRACKER_SYNC_COMMIT: 'true' }).trackerSyncCommit).toBe(true);
    expect(defaults.trackerPreparedStatements).toBe(true);
    expect(loadConfig({ TRACKER_PREPARED_STATEMENTS: 'false' }).trackerPreparedStatements).toBe(false);
    const set = loadConfig({
      GA4_BASE_URL: 'https://region1.google-analytics.com/',
      METRICA_API_URL: 'http://127.0.0.1:9001',
      GOOGLE_ADS_API_URL: 'http://127.0.0.1:9002/v26/',
      GOOGLE_OAUTH_TOKEN_URL: 'http://127.0.0.1:9002/token',
      INTEGRATION_TIMEOUT_SECONDS: '3',
      INTEGRATION_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    expect(set.integrationApis).toEqual({
      ga4: 'https://region1.google-analytics.com',
      metrica: 'http://127.0.0.1:9001',
      googleAds: 'http://127.0.0.1:9002/v26',
      googleOAuthToken: 'http://127.0.0.1:9002/token',
    });
    expect(set.integrationTimeoutMs).toBe(3000);
    expect(set.integrationAllowPrivateNetworks).toBe(true);
    expect(() => loadConfig({ GA4_BASE_URL: 'www.google-analytics.com' })).toThrow(
      /GA4_BASE_URL must be an http/,
    );
    expect(() => loadConfig({ GOOGLE_ADS_API_URL: 'googleads.googleapis.com/v26' })).toThrow(
      /GOOGLE_ADS_API_URL must be an http/,
    );
    expect(() => loadConfig({ GOOGLE_OAUTH_TOKEN_URL: 'ftp://oauth2.googleapis.com/token' })).toThrow(
      /GOOGLE_OAUTH_TOKEN_URL must be an http/,
    );
    expect(() => loadConfig({ INTEGRATION_TIMEOUT_SECONDS: '0' })).toThrow(/INTEGRATION_TIMEOUT_SECONDS/);
  });
});
