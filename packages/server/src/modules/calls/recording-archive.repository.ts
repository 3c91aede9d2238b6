import { sql } from 'kysely';
import type { Db, DialectName } from '../../db/connect.js';
import type { RecordingArchiveTable } from '../../db/database.js';

/** A copy to make: the call's recording as it is now. */
export interface ArchiveJob {
  callId: string;
  projectId: string;
  recordingUrl: string;
  attempts: number;
  /** The copy kept so far, if a newer recording replaces it. */
  file: string | null;
}

/**
 * Asks for a copy of a call's recording (in the transaction that stores the URL on the call). A URL the row already
 * copies, or is copying, changes nothing; a new one starts over.
 */
export async function queueArchive(
  db: Db,
  row: { callId: string; projectId: string; recordingUrl: string },
  now: number,
): Promise<void> {
  const fresh = {
    recording_url: row.recordingUrl,
    state: 'pending' as const,
    attempts: 0,
    due_at: now,
    error: null,
  };
  await db
    .insertInto('recording_archive')
    .values({ call_id: row.callId, project_id: row.projectId, ...fresh })
    .onConflict((oc) =>
      oc
        .column('call_id')
        .doUpdateSet(fresh)
        .where('recording_archive.recording_url', '<>', row.recordingUrl),
    )
    .execute();
}

/**
 * Takes the next due copy, if any, and puts its due moment `leaseMs` ahead: another instance (or the next round,
 * if this process dies mid-copy) takes it up again only after that.
 */
export async function claimDue(
  db: Db,
  dialect: DialectName,
  now: number,
  leaseMs: number,
): Promise<ArchiveJob | undefined> {
  const skipLocked = dialect === 'postgres' ? sql` for update skip locked` : sql``;
  const row = await sql<
    Pick<RecordingArchiveTable, 'call_id' | 'project_id' | 'recording_url' | 'attempts' | 'file'>
  >`
    update recording_archive set due_at = ${now + leaseMs}
    where call_id = (
      select call_id from recording_archive
      where state = 'pending' and due_at <= ${now}
      order by due_at limit 1${skipLocked}
    ) and state = 'pending'
    returning call_id, project_id, recording_url, attempts, file`.execute(db);
  const r = row.rows[0];
  return (
    r && {
      callId: r.call_id,
      projectId: r.project_id,
      recordingUrl: r.recording_url,
      attempts: Number(r.attempts),
      file: r.file,
    }
  );
}

/** The copy is made; unless the call got another recording meanwhile (its row then waits for that one). */
export async function markStored(
  db: Db,
  job: ArchiveJob,
  copy: { file: string; contentType: string; bytes: number },
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('recording_archive')
    .set({
      state: 'stored',
      file: copy.file,
      content_type: copy.contentType,
      bytes: copy.bytes,
      stored_at: now,
      due_at: now,
      attempts: job.attempts + 1,
      error: null,
    })
    .where('call_id', '=', job.callId)
    .where('recording_url', '=', job.recordingUrl)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** An attempt failed: tried again at `retryAt`, or given up (`failed`) when there is none. */
export async function markAttemptFailed(
  db: Db,
  job: ArchiveJob,
  error: string,
  retryAt: number | undefined,
): Promise<void> {
  await db
    .updateTable('recording_archive')
    .set({
      attempts: job.attempts + 1,
      error: error.slice(0, 500),
      ...(retryAt === undefined ? { state: 'failed' as const } : { due_at: retryAt }),
    })
    .where('call_id', '=', job.callId)
    .where('recording_url', '=', job.recordingUrl)
    .where('state', '=', 'pending')
    .execute();
}

/** The stored copy of a call's recording, if there is one. */
export async function findCopy(db: Db, projectId: string, callId: string) {
  return db
    .selectFrom('recording_archive')
    .select(['file', 'content_type', 'recording_url'])
    .where('call_id', '=', callId)
    .where('project_id', '=', projectId)
    .where('state', '=', 'stored')
    .executeTakeFirst();
}

/** Copies stored before `before`, oldest first. */
export async function listStoredBefore(db: Db, before: number, limit: number) {
  return db
    .selectFrom('recording_archive')
    .select(['call_id', 'file'])
    .where('state', '=', 'stored')
    .where('due_at', '<', before)
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

/** These copies are deleted: played from the provider from now on, if it still has them. */
export async function markExpired(db: Db, callIds: readonly string[]): Promise<void> {
  if (callIds.length === 0) return;
  await db
    .updateTable('recording_archive')
    .set({ state: 'expired', file: null })
    .where('call_id', 'in', callIds)
    .where('state', '=', 'stored')
    .execute();
}
