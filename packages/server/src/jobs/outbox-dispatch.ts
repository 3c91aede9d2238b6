import type { Logger } from '../logger.js';
import { type RepeatingJob, repeat } from './repeat.js';

/**
 * Delivers the integrations' outbox in the background (OutboxDispatcher.dispatchOnce): a round every second, or at
 * once again while rounds find a full batch. One round at a time; failures are logged, never thrown.
 */
export function startOutboxDispatch(o: {
  dispatchOnce: () => Promise<number>;
  log: Logger;
  everyMs?: number;
  batch?: number;
}): RepeatingJob {
  const every = o.everyMs ?? 1_000;
  return repeat({
    round: async () => ((await o.dispatchOnce()) >= (o.batch ?? 20) ? 0 : undefined),
    everyMs: every,
    firstAfterMs: every,
    log: o.log,
    failure: 'outbox dispatch failed',
  });
}
