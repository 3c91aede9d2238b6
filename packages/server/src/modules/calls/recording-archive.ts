import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Clock } from '../../clock.js';
import type { Db, DialectName } from '../../db/connect.js';
import type { Logger } from '../../logger.js';
import type { RecordingService } from './recording.service.js';
import * as repo from './recording-archive.repository.js';

/** Waits before each new attempt at a copy; after the last, the copy is given up (about a day and a half in all). */
export const ARCHIVE_RETRY_MS = [
  60_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  6 * 3_600_000,
  24 * 3_600_000,
];
/** How long one attempt may hold its copy before another instance (or the next round) takes it up again. */
const CLAIM_MS = 15 * 60_000;
/** A whole download, body included: a four-hour call in MP3 is a few hundred MB. */
const DOWNLOAD_MS = 10 * 60_000;
const EXPIRY_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

const EXTENSIONS: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/mp4': 'm4a',
};

/**
 * Keeps Ringtrace's own copy of every recording a provider reports (Twilio, Zadarma, Mango Office): providers delete
 * theirs after a while, and their APIs limit how often a recording may be fetched. A copy is asked for in the
 * transaction that stores the recording's URL on the call (CallService), and made here in the background, with
 * retries; playback then reads the file (RecordingService.open). Copies live under RECORDINGS_DIR as
 * `<project id>/<call id>.<ext>`.
 */
export class RecordingArchive {
  constructor(
    private readonly deps: {
      db: Db;
      dialect: DialectName;
      clock: Clock;
      dir: string;
      /** Whether copies are made (RECORDINGS_COPY); off, the ones asked for wait until it is on. */
      copy: boolean;
      /** Copies are deleted this many days after they were made (RECORDINGS_KEEP_DAYS); 0 keeps them. */
      keepDays?: number;
      recordings: Pick<RecordingService, 'fromProvider'>;
      log: Logger;
    },
  ) {}

  #lastExpiry = Number.NEGATIVE_INFINITY;

  /**
   * Deletes the copies older than RECORDINGS_KEEP_DAYS, at most once an hour (unless `force`d); resolves with how
   * many it deleted.
   */
  async expireOld(force = false): Promise<number> {
    const { db, clock, dir, keepDays = 0 } = this.deps;
    const now = clock.now();
    if (keepDays <= 0 || (!force && now - this.#lastExpiry < EXPIRY_EVERY_MS)) return 0;
    this.#lastExpiry = now;
    let expired = 0;
    for (;;) {
      const old = await repo.listStoredBefore(db, now - keepDays * DAY_MS, 100);
      for (const copy of old) if (copy.file) await rm(join(dir, copy.file), { force: true });
      await repo.markExpired(
        db,
        old.map((c) => c.call_id),
      );
      expired += old.length;
      if (old.length < 100) break;
    }
    if (expired > 0)
      this.deps.log.info({ expired, keepDays }, 'recording copies deleted after their keep time');
    return expired;
  }

  /** One round: copies up to `batch` due recordings, one after another; resolves with how many it tried. */
  async copyDue(batch = 4): Promise<number> {
    if (!this.deps.copy) return 0;
    let tried = 0;
    while (tried < batch) {
      const job = await repo.claimDue(this.deps.db, this.deps.dialect, this.deps.clock.now(), CLAIM_MS);
      if (!job) break;
      tried += 1;
      await this.copy(job);
    }
    return tried;
  }

  private async copy(job: repo.ArchiveJob): Promise<void> {
    const { db, clock, dir, log } = this.deps;
    try {
      const answer = await this.deps.recordings.fromProvider(job.projectId, job.callId);
      if (answer.kind !== 'audio') throw new Error('the recording is a link, not audio Ringtrace can fetch');
      const contentType =
        (answer.headers['content-type'] ?? 'audio/mpeg').split(';')[0]?.trim() || 'audio/mpeg';
      const file = `${job.projectId}/${job.callId}.${EXTENSIONS[contentType.toLowerCase()] ?? 'bin'}`;
      const bytes = await this.save(answer.body, join(dir, file));
      if (await repo.markStored(db, job, { file, contentType, bytes }, clock.now())) {
        // The copy of an earlier recording of the same call, under another extension.
        if (job.file && job.file !== file) await rm(join(dir, job.file), { force: true });
        log.debug({ callId: job.callId, file, bytes }, 'recording copied');
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const wait = ARCHIVE_RETRY_MS[job.attempts];
      await repo.markAttemptFailed(db, job, message, wait === undefined ? undefined : clock.now() + wait);
      const fields = { callId: job.callId, attempt: job.attempts + 1, err: message };
      if (wait === undefined) log.warn(fields, 'recording copy given up');
      else log.info(fields, 'recording copy failed; will retry');
    }
  }

  /** Writes the audio next to its final name and moves it there once complete: a copy is never half a file. */
  private async save(body: ReadableStream<Uint8Array>, path: string): Promise<number> {
    await mkdir(dirname(path), { recursive: true });
    const part = `${path}.part`;
    try {
      await pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), createWriteStream(part), {
        signal: AbortSignal.timeout(DOWNLOAD_MS),
      });
      const { size } = await stat(part);
      if (size === 0) throw new Error('the provider sent an empty file');
      await rename(part, path);
      return size;
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
  }
}
