import type { Logger } from '../logger.js';
import { type RepeatingJob, repeat } from './repeat.js';

/**
 * Keeps the reports' visit rollups built in the background (ReportService.refreshRollups), so that no report pays
 * for building a long range on first use and the late-data check stays short. Runs one refresh at a time: the
 * next is scheduled when the last has finished. Failures are logged, never thrown.
 */
export function startRollupRefresh(o: {
  refresh: (onError: (projectId: string, error: unknown) => void) => Promise<number>;
  log: Logger;
  everyMs?: number;
  firstAfterMs?: number;
}): RepeatingJob {
  return repeat({
    round: async () => {
      const started = performance.now();
      const projects = await o.refresh((projectId, error) =>
        o.log.error({ err: error, projectId }, 'report rollup refresh failed'),
      );
      o.log.debug({ projects, ms: Math.round(performance.now() - started) }, 'report rollups refreshed');
      return undefined;
    },
    everyMs: o.everyMs ?? 15 * 60_000,
    firstAfterMs: o.firstAfterMs ?? 60_000,
    log: o.log,
    failure: 'report rollup refresh failed',
  });
}
