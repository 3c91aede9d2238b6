import type { Logger } from '../logger.js';

export interface RepeatingJob {
  /** Stops the timer and waits for a round that is running. */
  stop(): Promise<void>;
}

/**
 * Runs a background job's rounds one at a time: the next is scheduled only when the last has settled, after the
 * delay the round asks for (or `everyMs`). A failed round is logged, never thrown, and the job goes on.
 */
export function repeat(o: {
  /** One round; resolves with how long to wait before the next one, or undefined for `everyMs`. */
  round: () => Promise<number | undefined>;
  everyMs: number;
  firstAfterMs: number;
  log: Logger;
  /** The log message when a round fails. */
  failure: string;
}): RepeatingJob {
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const tick = () => {
    running = o
      .round()
      .catch((error: unknown) => {
        o.log.error({ err: error }, o.failure);
        return undefined;
      })
      .then((next) => {
        running = undefined;
        schedule(next ?? o.everyMs);
      });
  };
  schedule(o.firstAfterMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
