import type { Logger } from '../logger.js';

export interface RollupRefresher {
  /** Stops the timer and waits for a refresh that is running. */
  stop(): Promise<void>;
}

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
}): RollupRefresher {
  const every = o.everyMs ?? 15 * 60_000;
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const tick = () => {
    const started = performance.now();
    running = o
      .refresh((projectId, error) => o.log.error({ err: error, projectId }, 'report rollup refresh failed'))
      .then((projects) =>
        o.log.debug({ projects, ms: Math.round(performance.now() - started) }, 'report rollups refreshed'),
      )
      .catch((error: unknown) => o.log.error({ err: error }, 'report rollup refresh failed'))
      .finally(() => {
        running = undefined;
        schedule(every);
      });
  };
  schedule(o.firstAfterMs ?? 60_000);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
