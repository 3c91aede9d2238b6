import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../logger.js';
import { startOutboxDispatch } from './outbox-dispatch.js';

function recordingLog(errors: unknown[] = []): Logger {
  return { error: (o: { err?: unknown }) => errors.push(o.err) } as unknown as Logger;
}

describe('startOutboxDispatch', () => {
  it('runs a round every second, never two at once, at once again after a full batch, until stopped', async () => {
    vi.useFakeTimers();
    try {
      let finish: (n: number) => void = () => {};
      const dispatchOnce = vi.fn(() => new Promise<number>((resolve) => (finish = resolve)));
      const job = startOutboxDispatch({ dispatchOnce, log: recordingLog(), everyMs: 1000, batch: 20 });
      await vi.advanceTimersByTimeAsync(1000);
      expect(dispatchOnce).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(5000); // still running: no second round
      expect(dispatchOnce).toHaveBeenCalledTimes(1);
      finish(20); // a full batch: more may be due
      await vi.advanceTimersByTimeAsync(0);
      expect(dispatchOnce).toHaveBeenCalledTimes(2);
      finish(3);
      await vi.advanceTimersByTimeAsync(999);
      expect(dispatchOnce).toHaveBeenCalledTimes(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(dispatchOnce).toHaveBeenCalledTimes(3);
      finish(0);
      await job.stop();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(dispatchOnce).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs a failed round and keeps going', async () => {
    vi.useFakeTimers();
    try {
      const errors: unknown[] = [];
      const boom = new Error('database gone');
      const dispatchOnce = vi.fn().mockRejectedValueOnce(boom).mockResolvedValue(0);
      const job = startOutboxDispatch({ dispatchOnce, log: recordingLog(errors), everyMs: 1000 });
      await vi.advanceTimersByTimeAsync(2000);
      expect(dispatchOnce).toHaveBeenCalledTimes(2);
      expect(errors).toEqual([boom]);
      await job.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
