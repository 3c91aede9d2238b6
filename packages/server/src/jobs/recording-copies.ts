import type { Logger } from '../logger.js';
import { type RepeatingJob, repeat } from './repeat.js';

/**
 * Makes the copies of recordings in the background (RecordingArchive.copyDue), and deletes those past their keep
 * time (expireOld, which runs hourly at most): a few copies every few seconds, at that pace even with a backlog
 * (after an upgrade, the recordings of all earlier calls), so as to stay well within the providers' API limits.
 * One round at a time; failures are logged, never thrown.
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
      await o.copyDue(batch);
      return undefined;
    },
    everyMs: every,
    firstAfterMs: every,
    log: o.log,
    failure: 'recording copies failed',
  });
}
