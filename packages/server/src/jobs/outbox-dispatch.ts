import type { Logger } from '../logger.js';

export interface OutboxDispatch {
  /** Stops the timer and waits for a round that is running. */
  stop(): Promise<void>;
}

/**
 * Delivers the integrations' outbox in the background (OutboxDispatcher.dispatchOnce): a round every second, or at
 * once again while rounds find a full batch. One round at a time; failures are logged, never thrown.
 */
export function startOutboxDispatch(o: {
  dispatchOnce: () => Promise<number>;
  log: Logger;
  everyMs?: number;
  batch?: number;
}): OutboxDispatch {
  const every = o.everyMs ?? 1_000;
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const tick = () => {
    let handled = 0;
    running = o
      .dispatchOnce()
      .then((n) => {
        handled = n;
      })
      .catch((error: unknown) => o.log.error({ err: error }, 'outbox dispatch failed'))
      .finally(() => {
        running = undefined;
        schedule(handled >= (o.batch ?? 20) ? 0 : every);
      });
  };
  schedule(every);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
