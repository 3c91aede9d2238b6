import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { CallTable } from '../../db/database.js';

/** Everything that decides where a call to this number goes and whom it is credited to. */
export const findNumberUse = (db: Db, e164: string) =>
  db
    .selectFrom('tracking_number')
    .innerJoin('project', 'project.id', 'tracking_number.project_id')
    .leftJoin('static_channel', 'static_channel.tracking_number_id', 'tracking_number.id')
    .leftJoin('pool', 'pool.id', 'tracking_number.pool_id')
    .select([
      'tracking_number.id as number_id',
      'tracking_number.project_id',
      'tracking_number.status',
      'tracking_number.destination_id as number_destination_id',
      'project.default_destination_id',
      'project.settings',
      'project.country',
      'static_channel.id as channel_id',
      'static_channel.name as channel_name',
      'static_channel.kind as channel_kind',
      'static_channel.source as channel_source',
      'static_channel.medium as channel_medium',
      'pool.id as pool_id',
      'pool.name as pool_name',
      'pool.hold_seconds',
      'pool.destination_id as pool_destination_id',
    ])
    .where('tracking_number.e164', '=', e164)
    .executeTakeFirst();

export const findDestinationById = (db: Db, id: string) =>
  db.selectFrom('destination').select(['kind', 'target']).where('id', '=', id).executeTakeFirst();

export const findVisitSource = (db: Db, id: string) =>
  db.selectFrom('visit').select(['channel', 'source', 'medium']).where('id', '=', id).executeTakeFirst();

/** With `lock`, the row stays locked until the transaction ends (PostgreSQL; SQLite has one writer anyway). */
export function findCallByProviderId(db: Db, provider: string, providerCallId: string, lock = false) {
  let query = db
    .selectFrom('call')
    .selectAll()
    .where('provider', '=', provider)
    .where('provider_call_id', '=', providerCallId);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Inserts unless the provider already told us about this call; a retried webhook changes nothing. */
export async function insertCallOnce(db: Db, row: CallTable): Promise<CallTable> {
  await db
    .insertInto('call')
    .values(row)
    .onConflict((oc) => oc.columns(['provider', 'provider_call_id']).doNothing())
    .execute();
  return (await findCallByProviderId(db, row.provider, row.provider_call_id)) as CallTable;
}

/** How long a recording reported before its call waits for it: the call's own events come within minutes. */
const EARLY_RECORDING_MS = 24 * 60 * 60 * 1000;

/** Keeps a recording whose call is not known yet (the latest one reported wins); drops those that waited too long. */
export async function holdEarlyRecording(
  db: Db,
  row: { provider: string; providerCallId: string; providerAccountId: string; recordingUrl: string },
  now: number,
): Promise<void> {
  await db
    .deleteFrom('early_recording')
    .where('received_at', '<', now - EARLY_RECORDING_MS)
    .execute();
  await db
    .insertInto('early_recording')
    .values({
      provider: row.provider,
      provider_call_id: row.providerCallId,
      provider_account_id: row.providerAccountId,
      recording_url: row.recordingUrl,
      received_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['provider', 'provider_call_id']).doUpdateSet({
        provider_account_id: row.providerAccountId,
        recording_url: row.recordingUrl,
        received_at: now,
      }),
    )
    .execute();
}

/** The recording kept for this call, if any, removed as it is taken. */
export async function takeEarlyRecording(
  db: Db,
  provider: string,
  providerCallId: string,
): Promise<string | undefined> {
  const row = await db
    .deleteFrom('early_recording')
    .where('provider', '=', provider)
    .where('provider_call_id', '=', providerCallId)
    .returning('recording_url')
    .executeTakeFirst();
  return row?.recording_url;
}

export async function updateCall(db: Db, id: string, patch: Partial<CallTable>): Promise<void> {
  await db.updateTable('call').set(patch).where('id', '=', id).execute();
}

/**
 * The caller's first (or latest) call in the window before this one, for repeat-caller rules. Read by
 * call_project_caller_idx: the unary `+` keeps `started_at` out of index choice, or SQLite (without statistics)
 * chose call_project_started_idx and read every call of the project in the window, on every incoming call.
 */
export const findPreviousCall = (
  db: Db,
  projectId: string,
  caller: string,
  since: number,
  before: number,
  which: 'first' | 'last',
) =>
  db
    .selectFrom('call')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('caller', '=', caller)
    .where(sql<number>`+started_at`, '>=', since)
    .where(sql<number>`+started_at`, '<', before)
    .orderBy('started_at', which === 'first' ? 'asc' : 'desc')
    .limit(1)
    .executeTakeFirst();

export interface CallFilter {
  from?: number;
  to?: number;
  channel?: string;
  status?: string;
  target?: boolean;
  caller?: string;
  before?: string;
  limit: number;
}

export function listCalls(db: Db, projectId: string, f: CallFilter) {
  let q = db.selectFrom('call').selectAll().where('project_id', '=', projectId);
  if (f.from !== undefined) q = q.where('started_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('started_at', '<', f.to);
  if (f.channel !== undefined) q = q.where('channel', '=', f.channel);
  if (f.status !== undefined) q = q.where('status', '=', f.status as CallTable['status']);
  if (f.target !== undefined) q = q.where('is_target', '=', f.target ? 1 : 0);
  if (f.caller !== undefined) q = q.where('caller', '=', f.caller);
  if (f.before !== undefined) q = q.where('id', '<', f.before);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

export const findCall = (db: Db, projectId: string, id: string) =>
  db
    .selectFrom('call')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();

/** A call by its id alone (for a signed recording link, which names no project). */
export const findCallById = (db: Db, id: string) =>
  db.selectFrom('call').select(['id', 'project_id']).where('id', '=', id).executeTakeFirst();

export const findVisit = (db: Db, projectId: string, id: string) =>
  db
    .selectFrom('visit')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();

export const findProjectSettings = async (db: Db, projectId: string) =>
  (await db.selectFrom('project').select('settings').where('id', '=', projectId).executeTakeFirst())
    ?.settings;
