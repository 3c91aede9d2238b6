import type { Logger } from '../logger.js';
import { type RepeatingJob, repeat } from './repeat.js';

/**
 * Makes the copies of recordings in the background (RecordingArchive.copyDue), and deletes those past their keep
 * time (expireOld, which runs hourly at most): a round every few seconds, or at once again while rounds find a full
 * batch. One round at a time; failures are logged, never thrown.
 */
export function startRecordingCopies(o: {
  copyDue: (batch: number) => Promise<number>;
  expireOld: () => Promise<number>;
  log: Logger;
  everyMs?: number;
  batch?: number;
}): RepeatingJob {
  const every = o.everyMs ?? 5_000;
  const batch = o.batch ?? 4;
  return repeat({
    round: async () => {
      await o.expireOld();
      return (await o.copyDue(batch)) >= batch ? 0 : undefined;
    },
    everyMs: every,
    firstAfterMs: every,
    log: o.log,
    failure: 'recording copies failed',
  });
}
