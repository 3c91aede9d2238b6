import type { Clock } from '../../clock.js';
import type { Db, DialectName } from '../../db/connect.js';
import type { CallTable } from '../../db/database.js';
import { notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { CreditService } from '../analytics/credit.service.js';
import { normalizePhone } from '../numbers/phone.js';
import { readSettings } from '../projects/project.js';
import type { TrackingService } from '../tracking/tracking.service.js';
import {
  type Attribution,
  attributeCall,
  isTargetCall,
  type NumberUse,
  staticChannelOf,
} from './attribution.js';
import { type Call, type CallStatus, FINAL_STATUSES, nextStatus, toCall } from './call.js';
import * as repo from './call.repository.js';
import { type CallEventType, type CallOutbox, callEventData } from './call-outbox.js';
import { queueArchive } from './recording-archive.repository.js';

export interface IncomingCall {
  provider: string;
  providerCallId: string;
  /** As the provider wrote them: E.164, digits without `+`, or a local form. */
  caller: string;
  called: string;
  startedAt: number;
  /** The provider account whose webhook reported the call: its credentials fetch the recording later. */
  providerAccountId?: string;
}

export interface ForwardTarget {
  kind: 'phone' | 'sip';
  target: string;
}

export type StartResult =
  | { kind: 'unknown_number' }
  | { kind: 'ok'; call: Call; forwardTo: ForwardTarget | undefined };

export interface CallProgress {
  provider: string;
  providerCallId: string;
  status?: CallStatus;
  answeredAt?: number;
  endedAt?: number;
  talkSeconds?: number;
  recordingUrl?: string;
}

export interface RecordingSource {
  provider: string;
  providerAccountId: string | null;
  recordingUrl: string | null;
}

const DAY_MS = 86_400_000;

type SourceSnapshot = { channel: string | null; source: string | null; medium: string | null };

/** Numbers from providers arrive as `+7…`, `7…` or `8…`; the tracking number must be found whatever the form. */
function calledE164(raw: string): string | undefined {
  const digits = raw
    .replace(/^sip:/i, '')
    .replace(/@.*$/, '')
    .replace(/[^\d+]/g, '');
  const candidate = digits.startsWith('+') ? digits : `+${digits}`;
  const parsed = normalizePhone(candidate, 'RU');
  if (parsed.ok) return parsed.e164;
  // A Russian trunk-prefixed 8XXXXXXXXXX.
  if (/^8\d{10}$/.test(digits)) {
    const ru = normalizePhone(digits, 'RU');
    return ru.ok ? ru.e164 : undefined;
  }
  return undefined;
}

/**
 * Call records: created when a call starts (so that it can be forwarded and attributed at once), completed as the
 * provider or the SIP proxy reports progress. Idempotent by provider call id.
 */
export class CallService {
  constructor(
    private readonly deps: {
      db: Db;
      dialect: DialectName;
      clock: Clock;
      tracking: TrackingService;
      credit: CreditService;
      /** Integrations that hear of calls starting and ending (the outbox); none when absent. */
      outbox?: CallOutbox;
      /** Providers whose recordings Ringtrace keeps a copy of (recording-archive.ts); none when absent. */
      copyRecordingsOf?: ReadonlySet<string>;
      /**
       * Links that play a recording without credentials, given to integrations for the providers whose own URL needs
       * them (`playableByLink`); the provider's URL is given when absent.
       */
      recordingLinks?: { linkOf(callId: string): string; playableByLink: ReadonlySet<string> };
    },
  ) {}

  async start(input: IncomingCall): Promise<StartResult> {
    // A call already recorded stays that call, even if its number was changed or removed since.
    const existing = await repo.findCallByProviderId(this.deps.db, input.provider, input.providerCallId);
    const e164 = existing?.tracking_number ?? calledE164(input.called);
    const use = e164 ? await repo.findNumberUse(this.deps.db, e164) : undefined;
    if (existing) {
      const forwardTo = use
        ? await this.destination([
            use.number_destination_id,
            use.pool_destination_id,
            use.default_destination_id,
          ])
        : undefined;
      return { kind: 'ok', call: toCall(existing), forwardTo };
    }
    if (!e164 || !use) return { kind: 'unknown_number' };
    const forwardTo = await this.destination([
      use.number_destination_id,
      use.pool_destination_id,
      use.default_destination_id,
    ]);

    const caller = normalizePhone(input.caller, use.country);
    const callerE164 = caller.ok ? caller.e164 : input.caller.slice(0, 64);
    const numberUse: NumberUse = use.channel_id
      ? {
          kind: 'static',
          channel: {
            id: use.channel_id,
            name: use.channel_name ?? '',
            source: use.channel_source ?? '',
            medium: use.channel_medium ?? '',
            offline: use.channel_kind === 'offline',
          },
        }
      : use.pool_id
        ? {
            kind: 'pool',
            pool: { id: use.pool_id, name: use.pool_name ?? '', holdSeconds: use.hold_seconds ?? 900 },
          }
        : { kind: 'unassigned' };
    const leases =
      numberUse.kind === 'pool'
        ? await this.deps.tracking.leasesAround(
            use.number_id,
            input.startedAt,
            numberUse.pool.holdSeconds * 1000,
          )
        : [];
    let attribution = attributeCall(input.startedAt, numberUse, leases);

    const settings = readSettings(use.settings);
    const since = input.startedAt - settings.repeatCallerDays * DAY_MS;
    const previous = await repo.findPreviousCall(
      this.deps.db,
      use.project_id,
      callerE164,
      since,
      input.startedAt,
      settings.repeatCallerAttribution,
    );
    const weak = attribution.rule === 'pool_without_lease' || attribution.rule === 'unassigned_number';
    let snapshot: SourceSnapshot = await this.sourceOf(attribution, numberUse);
    if (previous?.attribution && (settings.repeatCallerAttribution === 'first' || weak)) {
      // The caller phoned before: credit this call as the earlier one was credited.
      const earlier = JSON.parse(previous.attribution) as Attribution;
      attribution = {
        ...earlier,
        rule: settings.repeatCallerAttribution === 'first' ? 'repeat_caller_first' : 'repeat_caller_last',
        confidence: previous.confidence ?? earlier.confidence,
        explanation: `repeat caller: credited like their call ${previous.id} (${earlier.explanation})`,
      };
      snapshot = { channel: previous.channel, source: previous.source, medium: previous.medium };
    }

    // Which visit the reports credit under each model, decided now so that reports need no lookups.
    const visitId = attribution.visitId;
    const credits = visitId
      ? (await this.deps.credit.creditsOf(use.project_id, [visitId])).get(visitId)
      : undefined;
    const now = this.deps.clock.now();
    const row: CallTable = {
      id: newId(),
      project_id: use.project_id,
      provider: input.provider,
      provider_call_id: input.providerCallId,
      caller: callerE164,
      tracking_number: e164,
      tracking_number_id: use.number_id,
      destination: forwardTo?.target ?? null,
      started_at: input.startedAt,
      answered_at: null,
      ended_at: null,
      wait_seconds: null,
      talk_seconds: null,
      status: 'ringing',
      recording_url: null,
      provider_account_id: input.providerAccountId ?? null,
      visit_id: attribution.visitId,
      static_channel_id: attribution.staticChannelId,
      pool_id: attribution.poolId,
      channel: snapshot.channel,
      source: snapshot.source,
      medium: snapshot.medium,
      confidence: attribution.confidence,
      attribution: JSON.stringify(attribution),
      first_time_caller: previous ? 0 : 1,
      is_target: 0,
      credit_of: visitId,
      credit_last_id: credits?.lastNonDirectClick ?? null,
      credit_first_id: credits?.firstClick ?? null,
      created_at: now,
      updated_at: now,
    };
    const outbox = this.deps.outbox;
    const subscribers = outbox ? await outbox.subscribers(this.deps.db, row.project_id, 'call.started') : [];
    let stored: CallTable;
    if (!outbox || subscribers.length === 0) {
      stored = await repo.insertCallOnce(this.deps.db, row);
    } else {
      // The call and its events commit together; a repeated webhook (the call was there already) owes none.
      stored = await this.deps.db.transaction().execute(async (trx) => {
        const written = await repo.insertCallOnce(trx, row);
        if (written.id === row.id) await this.emit(trx, outbox, 'call.started', subscribers, written, now);
        return written;
      });
    }
    if (stored.id === row.id) stored = await this.withEarlyRecording(stored);
    return { kind: 'ok', call: toCall(stored), forwardTo };
  }

  /**
   * A recording reported before its call (see `holdRecording`): kept until the call exists, then stored on it. The
   * recording's side stores then checks again, and a new call's side checks after its insert: whichever comes
   * second finds the other, so the two crossing lose nothing.
   */
  async holdRecording(r: {
    provider: string;
    providerCallId: string;
    providerAccountId: string;
    recordingUrl: string;
  }): Promise<Call | undefined> {
    await repo.holdEarlyRecording(this.deps.db, r, this.deps.clock.now());
    const call = await repo.findCallByProviderId(this.deps.db, r.provider, r.providerCallId);
    return call && toCall(await this.withEarlyRecording(call));
  }

  /** The call with the recording kept for it, if one was (taken, so it is applied once). */
  private async withEarlyRecording(call: CallTable): Promise<CallTable> {
    const recordingUrl = await repo.takeEarlyRecording(this.deps.db, call.provider, call.provider_call_id);
    if (recordingUrl === undefined) return call;
    const patch = { recording_url: recordingUrl, updated_at: this.deps.clock.now() };
    const updated = { ...call, ...patch };
    await this.deps.db.transaction().execute(async (trx) => {
      await repo.updateCall(trx, call.id, patch);
      await this.recorded(trx, call, updated);
    });
    return updated;
  }

  /**
   * A recording newly stored on the call (in the transaction `db` that stores it): Ringtrace's copy is asked for, if
   * its provider's are copied, and the integrations that want it hear of it (`call.recorded`).
   */
  private async recorded(db: Db, before: CallTable, after: CallTable): Promise<void> {
    const url = after.recording_url;
    if (url === null || url === before.recording_url) return;
    const now = this.deps.clock.now();
    if (this.deps.copyRecordingsOf?.has(after.provider))
      await queueArchive(db, { callId: after.id, projectId: after.project_id, recordingUrl: url }, now);
    const outbox = this.deps.outbox;
    const subscribers = outbox ? await outbox.subscribers(db, after.project_id, 'call.recorded') : [];
    if (outbox && subscribers.length > 0)
      await this.emit(db, outbox, 'call.recorded', subscribers, after, now);
  }

  /** Writes one outbox event per subscribed integration, in the transaction `db`. */
  private async emit(
    db: Db,
    outbox: CallOutbox,
    type: CallEventType,
    integrationIds: readonly string[],
    row: CallTable,
    occurredAt: number,
  ): Promise<void> {
    const visit = row.visit_id ? await repo.findVisit(db, row.project_id, row.visit_id) : undefined;
    await outbox.enqueue(db, {
      projectId: row.project_id,
      type,
      integrationIds,
      occurredAt,
      data: callEventData(row, visit, this.recordingLinkOf(row)),
    });
  }

  /**
   * Applies what the provider reports about a call's progress; unknown calls are ignored (undefined). One
   * transaction with the row locked (on PostgreSQL), so that events arriving together cannot undo each other.
   */
  async progress(p: CallProgress): Promise<Call | undefined> {
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await repo.findCallByProviderId(
        trx,
        p.provider,
        p.providerCallId,
        this.deps.dialect === 'postgres',
      );
      if (!row) return undefined;
      const status = p.status ? nextStatus(row.status, p.status) : row.status;
      const wasFinal = row.ended_at !== null;
      // A call that ended unanswered stays unanswered, whatever late event says otherwise.
      const answeredAt =
        row.answered_at ??
        (wasFinal
          ? null
          : (p.answeredAt ??
            (status === 'answered' || status === 'in-progress' ? this.deps.clock.now() : null)));
      const final = FINAL_STATUSES.includes(status);
      const endedAt = row.ended_at ?? (final ? (p.endedAt ?? this.deps.clock.now()) : null);
      const talkSeconds =
        p.talkSeconds ??
        row.talk_seconds ??
        (endedAt !== null && answeredAt !== null ? Math.round((endedAt - answeredAt) / 1000) : null);
      const patch: Partial<CallTable> = {
        status,
        answered_at: answeredAt,
        ended_at: endedAt,
        talk_seconds: talkSeconds,
        wait_seconds: Math.max(
          0,
          Math.round(((answeredAt ?? endedAt ?? row.started_at) - row.started_at) / 1000),
        ),
        recording_url: p.recordingUrl ?? row.recording_url,
        updated_at: this.deps.clock.now(),
      };
      if (final) {
        const rules = readSettings((await repo.findProjectSettings(trx, row.project_id)) ?? '{}').targetCall;
        patch.is_target = isTargetCall(
          { status, talkSeconds, firstTimeCaller: row.first_time_caller === 1 },
          rules,
        )
          ? 1
          : 0;
      }
      await repo.updateCall(trx, row.id, patch);
      const updated: CallTable = { ...row, ...patch };
      const outbox = this.deps.outbox;
      if (outbox && final && !wasFinal) {
        // The moment the call ended: integrations hear of it once, with the write that ended it.
        const subscribers = await outbox.subscribers(trx, row.project_id, 'call.ended');
        if (subscribers.length > 0)
          await this.emit(
            trx,
            outbox,
            'call.ended',
            subscribers,
            updated,
            updated.ended_at ?? updated.updated_at,
          );
      }
      // After the end, so that a receiver hears of the end first when both come in one report.
      await this.recorded(trx, row, updated);
      return toCall(updated);
    });
  }

  list(projectId: string, filter: repo.CallFilter): Promise<Call[]> {
    return repo.listCalls(this.deps.db, projectId, filter).then((rows) => rows.map(toCall));
  }

  /** One call with the visit behind it. */
  async get(projectId: string, id: string) {
    const row = await repo.findCall(this.deps.db, projectId, id);
    if (!row) throw notFound(`call ${id}`);
    const visit = row.visit_id ? await repo.findVisit(this.deps.db, projectId, row.visit_id) : undefined;
    return { call: toCall(row), visit: visit ?? null };
  }

  /** The link integrations get to a call's recording (see `recordingLinks`). */
  private recordingLinkOf(row: CallTable): string | null {
    const links = this.deps.recordingLinks;
    if (row.recording_url === null || !links?.playableByLink.has(row.provider)) return row.recording_url;
    return links.linkOf(row.id);
  }

  /** The project a call belongs to, if the call exists. */
  async projectOf(id: string): Promise<string | undefined> {
    return (await repo.findCallById(this.deps.db, id))?.project_id;
  }

  /** Where a call's recording is and which provider account reported the call (to fetch it with). */
  async recordingOf(projectId: string, id: string): Promise<RecordingSource> {
    const row = await repo.findCall(this.deps.db, projectId, id);
    if (!row) throw notFound(`call ${id}`);
    return {
      provider: row.provider,
      providerAccountId: row.provider_account_id ?? null,
      recordingUrl: row.recording_url,
    };
  }

  private async destination(ids: (string | null)[]): Promise<ForwardTarget | undefined> {
    const id = ids.find((x) => x !== null);
    const row = id ? await repo.findDestinationById(this.deps.db, id) : undefined;
    return row ? { kind: row.kind, target: row.target } : undefined;
  }

  private async sourceOf(a: Attribution, use: NumberUse): Promise<SourceSnapshot> {
    if (use.kind === 'static') {
      return {
        channel: staticChannelOf(use.channel),
        source: use.channel.source,
        medium: use.channel.medium,
      };
    }
    const visit = a.visitId ? await repo.findVisitSource(this.deps.db, a.visitId) : undefined;
    if (visit) return visit;
    return { channel: null, source: use.kind === 'pool' ? use.pool.name : null, medium: null };
  }
}
