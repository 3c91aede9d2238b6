import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { acquireInstanceLock } from '../../src/db/instance-lock.js';

const postgresUrl = inject('postgresUrl');

describe('the instance lock that guards in-memory lease state', () => {
  it('lets one SQLite server keep the state in memory, and refuses a second one while it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringtrace-lock-'));
    const database = { dialect: 'sqlite' as const, file: join(dir, 'ringtrace.db') };
    try {
      const first = await acquireInstanceLock(database, '', 'exclusive');
      expect(readFileSync(`${database.file}.lock`, 'utf8')).toBe(String(process.pid));
      // Another live process holds it (this test's parent stands in for one).
      writeFileSync(`${database.file}.lock`, String(process.ppid));
      await expect(acquireInstanceLock(database, '', 'exclusive')).rejects.toThrow(ConfigError);
      await expect(acquireInstanceLock(database, '', 'shared')).rejects.toThrow(/already serves/);
      // A lock left by a process that no longer exists is taken over.
      writeFileSync(`${database.file}.lock`, '2147483646');
      const again = await acquireInstanceLock(database, '', 'exclusive');
      await again.release();
      await first.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs no lock for an in-memory SQLite database', async () => {
    const lock = await acquireInstanceLock({ dialect: 'sqlite' }, '', 'exclusive');
    await lock.release();
  });

  it.skipIf(!postgresUrl)(
    'on PostgreSQL: one memory instance alone, shared instances together, per schema',
    async () => {
      const url = postgresUrl as string;
      const schema = `rt_lock_${randomBytes(4).toString('hex')}`;
      const database = { dialect: 'postgres' as const, schema };
      const shared = [
        await acquireInstanceLock(database, url, 'shared'),
        await acquireInstanceLock(database, url, 'shared'),
      ];
      await expect(acquireInstanceLock(database, url, 'exclusive')).rejects.toThrow(/TRACKER_STATE=shared/);
      for (const lock of shared) await lock.release();
      const memory = await acquireInstanceLock(database, url, 'exclusive');
      await expect(acquireInstanceLock(database, url, 'exclusive')).rejects.toThrow(ConfigError);
      await expect(acquireInstanceLock(database, url, 'shared')).rejects.toThrow(/in memory/);
      // Another schema is another installation.
      const other = await acquireInstanceLock(
        { dialect: 'postgres', schema: `${schema}_b` },
        url,
        'exclusive',
      );
      await other.release();
      await memory.release();
    },
  );
});
