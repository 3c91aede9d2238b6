import { readFile } from 'node:fs/promises';
import { buildApp } from '../../app.js';
import { type Config, ConfigError } from '../../config.js';
import { acquireInstanceLock } from '../../db/instance-lock.js';
import { startOutboxDispatch } from '../../jobs/outbox-dispatch.js';
import { startRecordingCopies } from '../../jobs/recording-copies.js';
import { startRollupRefresh } from '../../jobs/report-rollups.js';
import { sipCallRouting } from '../../sip/call-routing.js';
import { startSipProxy } from '../../sip/sip-proxy.js';
import { openContext } from '../context.js';

/** Starts the HTTP server; stops cleanly on SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<void> {
  // Before anything starts: a certificate that cannot be read is a configuration error.
  const sipTls = config.sip?.tls && (await readSipTls(config.sip.tls));
  const deps = await openContext(config, { migrate: !config.skipMigrations });
  const lock = await acquireInstanceLock(
    deps.database,
    config.databaseUrl,
    deps.services.tracking.state === 'memory' ? 'exclusive' : 'shared',
  ).catch(async (error: unknown) => {
    await deps.database.close();
    throw error;
  });
  const created = await deps.services.apiKeys.bootstrapAdmin(config.adminToken);
  if (created) {
    // Straight to the console, never through the logger: the key must not end up in a log file.
    process.stdout.write(
      `\nRingtrace first start: an admin API key was created. It is shown only this once; keep it safe:\n\n    ${created.token}\n\n` +
        `Try: curl -H "Authorization: Bearer ${created.token}" http://localhost:${config.port}/api/v1/projects\n\n`,
    );
  }
  const app = await buildApp(deps);
  const address = await app.listen({ port: config.port, host: config.host });
  deps.log.info({ address, database: deps.database.dialect }, 'ringtrace listening');
  const rollups = startRollupRefresh({
    refresh: (onError) => deps.services.reports.refreshRollups(onError),
    log: deps.log.child({ component: 'report-rollups' }),
  });
  const outbox = startOutboxDispatch({
    dispatchOnce: () => deps.services.outboxDispatcher.dispatchOnce(),
    log: deps.log.child({ component: 'outbox' }),
  });
  const recordingCopies = startRecordingCopies({
    copyDue: (batch) => deps.services.recordingArchive.copyDue(batch),
    expireOld: () => deps.services.recordingArchive.expireOld(),
    log: deps.log.child({ component: 'recordings' }),
  });
  const sip = config.sip
    ? await startSipProxy({
        address: config.sip.host,
        port: config.sip.port,
        ...(config.sip.publicAddress && { publicAddress: config.sip.publicAddress }),
        ...(sipTls && { tls: sipTls }),
        ringTimeoutMs: config.sip.ringTimeoutSeconds * 1000,
        // Calls set up before a restart can still be hung up through the next process.
        dialogSecret: deps.secretKey,
        log: deps.log.child({ component: 'sip' }),
        ...sipCallRouting({
          calls: deps.services.calls,
          allowedSources: new Set(config.sip.allowedSources),
          log: deps.log,
        }),
      })
    : undefined;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'shutting down');
    await sip?.close();
    await rollups.stop();
    await outbox.stop();
    await recordingCopies.stop();
    await app.close();
    await deps.database.close();
    await lock.release();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** The SIP TLS certificate, key and CA files, read once at start; a file that cannot be read stops it. */
async function readSipTls(tls: NonNullable<NonNullable<Config['sip']>['tls']>) {
  const read = async (name: string, path: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new ConfigError([`${name}: cannot read ${path} (${(err as Error).message})`]);
    }
  };
  return {
    port: tls.port,
    cert: await read('SIP_TLS_CERT_FILE', tls.certFile),
    key: await read('SIP_TLS_KEY_FILE', tls.keyFile),
    ...(tls.caFile !== undefined && { ca: await read('SIP_TLS_CA_FILE', tls.caFile) }),
  };
}
