import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../logger.js';
import { startRollupRefresh } from './report-rollups.js';

/** A logger that keeps the project ids of logged errors ('all' for a failed run). */
function recordingLog(errors: string[] = []): Logger {
  return {
    debug: () => {},
    error: (o: { projectId?: string }) => errors.push(o.projectId ?? 'all'),
  } as unknown as Logger;
}
const log = recordingLog();

describe('startRollupRefresh', () => {
  it('refreshes again and again, never two at a time, until stopped', async () => {
    vi.useFakeTimers();
    try {
      let finish = () => {};
      const refresh = vi.fn(() => new Promise<number>((resolve) => (finish = () => resolve(1))));
      const job = startRollupRefresh({ refresh, log, everyMs: 1000, firstAfterMs: 0 });
      await vi.advanceTimersByTimeAsync(0);
      expect(refresh).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(5000); // the first is still running: no second one
      expect(refresh).toHaveBeenCalledTimes(1);
      finish();
      await vi.advanceTimersByTimeAsync(1000);
      expect(refresh).toHaveBeenCalledTimes(2);
      finish();
      await job.stop();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(refresh).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps going after a failed refresh, and reports projects that failed', async () => {
    const errors: string[] = [];
    let n = 0;
    const refresh = vi.fn(async (onError: (projectId: string, error: unknown) => void) => {
      n += 1;
      if (n === 1) throw new Error('database gone');
      onError('p1', new Error('bad project'));
      return 0;
    });
    const job = startRollupRefresh({ refresh, log: recordingLog(errors), everyMs: 1, firstAfterMs: 0 });
    await vi.waitFor(() => expect(refresh.mock.calls.length).toBeGreaterThanOrEqual(2));
    await job.stop();
    expect(errors.slice(0, 2)).toEqual(['all', 'p1']);
  });
});
