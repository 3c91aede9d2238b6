import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../clock.js';
import type { Db } from '../../db/connect.js';
import type { Logger } from '../../logger.js';
import { RecordingArchive } from './recording-archive.js';

describe('RecordingArchive', () => {
  const archive = (o: { copy: boolean; keepDays?: number }) => {
    const fromProvider = vi.fn();
    // No database: with copying off (or no keep time) nothing may be read or written.
    const db = new Proxy({}, { get: () => () => Promise.reject(new Error('the database was used')) }) as Db;
    const a = new RecordingArchive({
      db,
      dialect: 'sqlite',
      clock: new ManualClock(),
      dir: '/nonexistent',
      ...o,
      recordings: { fromProvider },
      log: {} as Logger,
    });
    return { a, fromProvider };
  };

  it('copies nothing with RECORDINGS_COPY off: the copies asked for wait', async () => {
    const { a, fromProvider } = archive({ copy: false });
    expect(await a.copyDue(10)).toBe(0);
    expect(fromProvider).not.toHaveBeenCalled();
  });

  it('deletes nothing without a keep time', async () => {
    expect(await archive({ copy: true }).a.expireOld(true)).toBe(0);
    expect(await archive({ copy: true, keepDays: 0 }).a.expireOld(true)).toBe(0);
  });
});
