import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../logger.js';
import { startRecordingCopies } from './recording-copies.js';

describe('startRecordingCopies', () => {
  it('expires, then copies a batch, every 5 s: a full batch does not hurry the next round', async () => {
    vi.useFakeTimers();
    try {
      const order: string[] = [];
      const copyDue = vi.fn(async (batch: number) => {
        order.push(`copy ${batch}`);
        return batch; // always a full batch: a backlog
      });
      const expireOld = vi.fn(async () => {
        order.push('expire');
        return 0;
      });
      const job = startRecordingCopies({ copyDue, expireOld, log: {} as Logger });
      await vi.advanceTimersByTimeAsync(5_000);
      expect(order).toEqual(['expire', 'copy 4']);
      await vi.advanceTimersByTimeAsync(4_999);
      expect(copyDue).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(copyDue).toHaveBeenCalledTimes(2);
      await job.stop();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(copyDue).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
