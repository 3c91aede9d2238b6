import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Db, DialectName } from '../../db/connect.js';
import type { LeaseTable, VisitTable } from '../../db/database.js';
import { newId } from '../../ids.js';
import type { Logger } from '../../logger.js';
import { sameSecret } from '../../secret.js';
import type { LeaseCandidate } from '../calls/attribution.js';
import { parseGaSessions } from '../ingest/ga-sessions.js';
import { choosePool, staticSwapFor } from '../ingest/pool-rules.js';
import { type DropReason, type EnrichedHit, type Hit, runPipeline } from './ingest-pipeline.js';
import { continuesVisit, leaseExpiry, VISIT_IDLE_MS } from './lease.js';
import { MemoryTrackerStore } from './memory-tracker-store.js';
import { POOL_ALERT_INTERVAL_MS, type PoolAlerts } from './pool-alerts.js';
import { RateLimiter } from './rate-limit.js';
import type { JobHint } from './sql-tracker-store.js';
import { sqliteWriterThread } from './sqlite-writer-thread.js';
import { TrackerGroups } from './tracker-groups.js';
import type { TrackerStore } from './tracker-store.js';
import { kyselySink, TrackerWriter } from './tracker-writer.js';
import * as repo from './tracking.repository.js';
import { compileSetup, swapList, type TrackedPool, type TrackingSetup } from './tracking-setup.js';

export interface VisitAnswer {
  vid: string;
  visit: string;
  lease?: string;
  hb: number;
  swap: { from: string; to: string; cc?: string }[];
}

export type VisitResult = { ok: true; answer: VisitAnswer } | { ok: false; reason: DropReason };
export type PingResult = 'alive' | 'expired' | 'invalid';

const SETUP_TTL_MS = 5_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface TrackingDeps {
  db: Db;
  dialect: DialectName;
  clock: Clock;
  log: Logger;
  secretKey: string;
  rateLimit: { perMinute: number; burst: number };
  /** Lease state in this process's memory (it is the only writer) or in the database only; see TrackerStore. */
  state: 'memory' | 'shared';
  /** The SQLite file, if any: with lease state in memory, a writer thread writes to it. */
  sqliteFile?: string;
  /**
   * Where the page views' visits, leases and numbers are written (and, in shared mode, read in the same
   * transactions), if not `db`: PostgreSQL sessions that commit without waiting for the WAL flush.
   */
  writeDb?: Db;
  /** Where full pools are reported (the integrations' outbox); none: they are only counted and logged. */
  alerts?: PoolAlerts;
}

/** Runs one page view or heartbeat against the store; `hint`: whom and what it will ask about, if known. */
type Run = <T>(job: (store: TrackerStore) => Promise<T>, hint?: JobHint) => Promise<T>;

/**
 * Dynamic number insertion, server side: each page view becomes (or continues) a visit, and the visitor is lent a
 * number from the pool their traffic source matches, kept alive by heartbeats and held for the pool's hold time.
 */
export class TrackingService {
  private readonly setups = new Map<
    string,
    { setup: Promise<TrackingSetup | undefined>; loadedAt: number }
  >();
  private readonly exhaustionLogged = new Map<string, number>();
  private readonly exhaustion = new Map<string, { projectId: string; count: number; at: number }>();
  /** Dropped page views by project, UTC day and reason, written once a second like exhaustion. */
  private readonly dropCounts = new Map<
    string,
    { projectId: string; day: string; reason: string; count: number }
  >();
  private countsFlush: Promise<void> | undefined;
  private countsTimer: NodeJS.Timeout | undefined;
  /** Runs one page view or heartbeat against the store; resolves once what it wrote is committed. */
  private readonly run: Run;
  private readonly memory: { store: MemoryTrackerStore; writer: TrackerWriter } | undefined;
  private readonly groups: TrackerGroups | undefined;
  private readonly limiter: RateLimiter;
  private readonly tokens = new Map<string, string>();
  /** The secret as a key object: HMAC with a string key imports the key again on every call. */
  private readonly leaseKey: KeyObject;
  /** Where lease state lives; `serve` takes the matching instance lock (db/instance-lock.ts). */
  readonly state: 'memory' | 'shared';
  /** Dropped page views by reason, for operators (bots, floods, unknown keys). */
  readonly drops: Record<DropReason, number> = {
    bot: 0,
    unknown_project: 0,
    rate_limited: 0,
    invalid_url: 0,
  };

  constructor(private readonly deps: TrackingDeps) {
    this.state = deps.state;
    this.leaseKey = createSecretKey(Buffer.from(deps.secretKey));
    this.limiter = new RateLimiter(deps.rateLimit.perMinute, deps.rateLimit.burst);
    if (deps.state === 'memory') {
      const sink = deps.sqliteFile
        ? sqliteWriterThread(deps.sqliteFile)
        : kyselySink(deps.writeDb ?? deps.db, deps.dialect);
      const writer = new TrackerWriter(sink, deps.log, () => store.forget());
      const store = new MemoryTrackerStore(deps.db, writer);
      this.memory = { store, writer };
      this.run = serialRun(store, writer);
      return;
    }
    // SQLite runs a group synchronously: short groups let waiting requests be read between them. PostgreSQL waits
    // on round trips: several groups at once (row locks with SKIP LOCKED keep them apart) use that time.
    const groups = new TrackerGroups(
      deps.writeDb ?? deps.db,
      deps.dialect,
      deps.log,
      deps.dialect === 'sqlite' ? { maxGroup: 32, concurrency: 1 } : { maxGroup: 64, concurrency: 4 },
    );
    this.groups = groups;
    this.run = (job, hint) => groups.run(job, hint);
  }

  /** Forgets cached setup after a change through the API (other instances pick it up within seconds). */
  invalidate(): void {
    this.setups.clear();
    this.memory?.store.invalidatePools();
  }

  /**
   * Writes what is still held in memory, and waits for the moved times of the shared mode's answered groups (at
   * shutdown, and before reading the tables directly in tests).
   */
  async flush(): Promise<void> {
    await this.memory?.writer.flush();
    await this.groups?.settled();
    await this.flushCounts();
  }

  /** Writes everything and stops the writer thread, if any (at shutdown, before the database closes). */
  async close(): Promise<void> {
    await this.memory?.writer.close();
    await this.groups?.settled();
    await this.groups?.vacuum?.settled();
    await this.flushCounts();
  }

  /** Dropped page views of a project per UTC day (YYYY-MM-DD, inclusive) and reason. */
  async dropsOf(projectId: string, from: string, to: string) {
    await this.flushCounts();
    const days = new Map<string, Record<Exclude<DropReason, 'unknown_project'>, number>>();
    for (const row of await repo.listDrops(this.deps.db, projectId, from, to)) {
      const day = days.get(row.day) ?? { bot: 0, rate_limited: 0, invalid_url: 0 };
      if (row.reason in day) day[row.reason as keyof typeof day] += Number(row.count);
      days.set(row.day, day);
    }
    return [...days].map(([day, counts]) => ({ day, ...counts }));
  }

  async recordVisit(hit: Hit): Promise<VisitResult> {
    const result = await runPipeline(hit, {
      setupFor: (key) => this.setupFor(key),
      allow: (ip, at) => this.limiter.take(ip, at),
      secret: this.deps.secretKey,
    });
    if (!result.ok) {
      this.drops[result.reason] += 1;
      this.deps.log.debug({ reason: result.reason, detail: result.detail }, 'page view dropped');
      if (result.reason !== 'unknown_project') await this.countDrop(hit, result.reason);
      return result;
    }
    const view = result.value;
    const route = routeOf(view);
    // Told ahead, so that the shared state reads a group's returning visitors at once and claims each pool's
    // numbers at once.
    const hint: JobHint = {};
    if (view.visitorId !== undefined && UUID.test(view.visitorId))
      hint.visitor = {
        projectId: view.setup.projectId,
        visitorId: view.visitorId,
        since: view.at - VISIT_IDLE_MS,
      };
    if (route.pool && view.setup.siteNumbers.length > 0) hint.claim = { poolId: route.pool.id, at: view.at };
    const answer = await this.run((store) => this.persist(store, view, route), hint);
    return { ok: true, answer };
  }

  async heartbeat(publicKey: string, token: string): Promise<PingResult> {
    const leaseId = this.verifyLeaseToken(token);
    const setup = leaseId ? await this.setupFor(publicKey) : undefined;
    if (!leaseId || !setup) return 'invalid';
    const now = this.deps.clock.now();
    return this.run(async (store) => {
      const lease = await store.heldLease(leaseId, setup.projectId, now);
      if (!lease) return 'expired';
      const expiresAt = leaseExpiry(now, lease.holdSeconds);
      await store.setLeaseSeen(lease.id, now, expiresAt);
      await store.holdNumberUntil(lease.numberId, expiresAt);
      // An open page keeps its visit alive too, so that reading a long page does not split one ad click in two.
      await store.seeVisit(lease.visitId, now);
      return 'alive';
    });
  }

  /** The leases of a number that may explain a call at `at` (for attribution). */
  async leasesAround(numberId: string, at: number, lookbackMs: number): Promise<LeaseCandidate[]> {
    const rows = await repo.leasesAround(this.deps.db, numberId, at, lookbackMs);
    return rows.map((r) => {
      // Heartbeats of the last second may still be in memory.
      const pending = this.memory?.writer.pendingLease(r.id);
      return {
        leaseId: r.id,
        visitId: r.visit_id,
        startedAt: r.started_at,
        lastSeenAt: pending?.lastSeenAt ?? r.last_seen_at,
        expiresAt: pending?.expiresAt ?? r.expires_at,
        shared: r.shared === 1,
      };
    });
  }

  /** Cached per project for a few seconds; concurrent misses share one load instead of each reloading. */
  private setupFor(publicKey: string): Promise<TrackingSetup | undefined> {
    const cached = this.setups.get(publicKey);
    const now = performance.now();
    if (cached && now - cached.loadedAt < SETUP_TTL_MS) return cached.setup;
    const setup = this.loadSetup(publicKey);
    if (this.setups.size > 10_000) this.setups.clear();
    this.setups.set(publicKey, { setup, loadedAt: now });
    // A failed load must not be cached.
    setup.catch(() => this.setups.delete(publicKey));
    return setup;
  }

  private async loadSetup(publicKey: string): Promise<TrackingSetup | undefined> {
    const project = await repo.findProjectByKey(this.deps.db, publicKey);
    return project
      ? compileSetup(project, await repo.loadTrackingSetup(this.deps.db, project.id))
      : undefined;
  }

  /** One page view. */
  private async persist(store: TrackerStore, hit: EnrichedHit, route: Route): Promise<VisitAnswer> {
    const { setup, source } = hit;
    const { staticNumberId, pool } = route;
    const now = hit.at;
    const returning = hit.visitorId !== undefined && UUID.test(hit.visitorId);
    const vid = returning ? (hit.visitorId as string) : newId();

    const recent = returning ? await store.recentVisit(setup.projectId, vid, now - VISIT_IDLE_MS) : undefined;
    const tagged = Object.keys(source.utm).length > 0 || Object.keys(source.clickIds).length > 0;
    let visitId: string;
    if (
      recent &&
      continuesVisit(recent, {
        at: now,
        tagged,
        channel: source.channel,
        source: source.source,
        campaign: source.campaign ?? null,
      })
    ) {
      visitId = recent.id;
      await store.continueVisit(visitId, now);
    } else {
      visitId = newId();
      await store.startVisit(visitRow(hit, visitId, vid, returning, pool?.id ?? null));
    }

    const answer: VisitAnswer = { vid, visit: visitId, hb: 30, swap: [] };
    if (setup.siteNumbers.length === 0) return answer;
    if (staticNumberId) {
      const e164 = setup.fixedNumbers.get(staticNumberId);
      if (e164) answer.swap = swapList(setup, e164);
      return answer;
    }
    if (!pool) return answer;
    const leased = await this.lease(store, hit, pool, vid, visitId, returning);
    if (leased) {
      answer.swap = swapList(setup, leased.e164);
      if (leased.leaseId) answer.lease = this.signLease(leased.leaseId);
      answer.hb = Math.max(5, Math.min(30, Math.floor(pool.holdSeconds / 3)));
    }
    return answer;
  }

  /** The visitor's number: the one they hold, else a free one, else what the pool's exhaustion policy says. */
  private async lease(
    store: TrackerStore,
    hit: EnrichedHit,
    pool: TrackedPool,
    vid: string,
    visitId: string,
    returning: boolean,
  ) {
    const now = hit.at;
    const projectId = hit.setup.projectId;
    const expiresAt = leaseExpiry(now, pool.holdSeconds);
    const row = (id: string, poolId: string | null, numberId: string, shared: number): LeaseTable => ({
      id,
      project_id: projectId,
      pool_id: poolId,
      tracking_number_id: numberId,
      visit_id: visitId,
      visitor_id: vid,
      started_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      shared,
      kind: 'dynamic',
    });

    const live = returning ? await store.liveLease(projectId, vid, now) : undefined;
    if (live) {
      let leaseId = live.id;
      if (live.visitId === visitId) {
        await store.setLeaseSeen(live.id, now, Math.max(expiresAt, live.expiresAt));
      } else {
        // Same visitor, new visit: the number stays theirs, but calls from now on belong to the new visit.
        await store.endLease(live.id, now);
        leaseId = newId();
        await store.startLease(row(leaseId, live.poolId, live.numberId, live.shared));
      }
      await store.holdNumberUntil(live.numberId, expiresAt);
      return { e164: live.e164, leaseId };
    }

    const claimed = await store.claimNumber(pool.id, now, expiresAt, pool.policy === 'reuse_oldest');
    if (!claimed || claimed.shared) this.noteExhaustion(projectId, pool, now);
    if (!claimed) return pool.fallback ? { e164: pool.fallback.e164, leaseId: undefined } : undefined;
    const leaseId = newId();
    await store.startLease(row(leaseId, pool.id, claimed.id, claimed.shared ? 1 : 0));
    return { e164: claimed.e164, leaseId };
  }

  /**
   * Exhaustion is counted in memory and written once a second, one statement per pool for all views since the
   * last write: updating the pool row on every page view would cost a statement each and make concurrent groups
   * queue on that one row. Logged once a minute per pool, not on every page view.
   */
  private noteExhaustion(projectId: string, pool: TrackedPool, now: number): void {
    const pending = this.exhaustion.get(pool.id);
    this.exhaustion.set(pool.id, { projectId, count: (pending?.count ?? 0) + 1, at: now });
    this.scheduleCounts();
    const last = this.exhaustionLogged.get(pool.id) ?? 0;
    if (now - last < 60_000) return;
    this.exhaustionLogged.set(pool.id, now);
    this.deps.log.warn({ poolId: pool.id, policy: pool.policy }, 'number pool exhausted');
  }

  /** The bots, floods and bad URLs of a project's site are counted, so that its owner can see them. */
  private async countDrop(hit: Hit, reason: DropReason): Promise<void> {
    const setup = await this.setupFor(hit.publicKey);
    if (!setup) return;
    const day = new Date(hit.at).toISOString().slice(0, 10);
    const key = `${setup.projectId}|${day}|${reason}`;
    const known = this.dropCounts.get(key);
    if (known) known.count += 1;
    else this.dropCounts.set(key, { projectId: setup.projectId, day, reason, count: 1 });
    this.scheduleCounts();
  }

  private scheduleCounts(): void {
    if (this.countsTimer) return;
    this.countsTimer = setTimeout(() => {
      this.countsTimer = undefined;
      this.flushCounts().catch((error) =>
        this.deps.log.error({ err: error }, 'could not write tracker counts'),
      );
    }, 1_000);
    this.countsTimer.unref();
  }

  /** Pool exhaustion and dropped page views, counted in memory since the last write. */
  private async flushCounts(): Promise<void> {
    while (this.countsFlush) await this.countsFlush;
    if (this.exhaustion.size === 0 && this.dropCounts.size === 0) return;
    const exhausted = [...this.exhaustion];
    const drops = [...this.dropCounts.values()];
    this.exhaustion.clear();
    this.dropCounts.clear();
    this.countsFlush = (async () => {
      for (const [poolId, { count, at }] of exhausted)
        await repo.countExhaustion(this.deps.db, poolId, count, at);
      await repo.addDrops(this.deps.db, drops);
      // The counts are written first: an alert that cannot be written must not cost them.
      for (const [poolId, { projectId, at }] of exhausted)
        await this.alertExhaustion(projectId, poolId, at).catch((error: unknown) =>
          this.deps.log.error({ err: error, poolId }, 'could not write the pool.exhausted alert'),
        );
    })();
    try {
      await this.countsFlush;
    } finally {
      this.countsFlush = undefined;
    }
  }

  /** Tells the project's subscribed integrations that the pool was full, unless they heard so within the hour. */
  private async alertExhaustion(projectId: string, poolId: string, at: number): Promise<void> {
    const alerts = this.deps.alerts;
    if (!alerts) return;
    const subscribers = await alerts.subscribers(this.deps.db, projectId, 'pool.exhausted');
    if (subscribers.length === 0) return;
    await this.deps.db.transaction().execute(async (trx) => {
      const pool = await repo.takeExhaustionAlert(trx, poolId, at, POOL_ALERT_INTERVAL_MS);
      if (!pool) return;
      await alerts.enqueue(trx, {
        projectId,
        type: 'pool.exhausted',
        integrationIds: subscribers,
        occurredAt: at,
        data: {
          pool: {
            id: pool.id,
            name: pool.name,
            numbers: pool.numbers,
            holdSeconds: pool.hold_seconds,
            exhaustionPolicy: pool.exhaustion_policy,
            exhaustedCount: pool.exhausted_count,
          },
        },
      });
    });
  }

  /** A lease's token is the same on every page view and heartbeat: signed once, remembered for a while. */
  private signLease(leaseId: string): string {
    const known = this.tokens.get(leaseId);
    if (known) return known;
    const token = `${leaseId}.${createHmac('sha256', this.leaseKey).update(leaseId).digest('base64url').slice(0, 22)}`;
    if (this.tokens.size >= 100_000) this.tokens.clear();
    this.tokens.set(leaseId, token);
    return token;
  }

  private verifyLeaseToken(token: string): string | undefined {
    const [leaseId, signature] = token.split('.');
    if (!leaseId || !signature || !UUID.test(leaseId)) return undefined;
    return sameSecret(this.signLease(leaseId).split('.')[1] ?? '', signature) ? leaseId : undefined;
  }
}

interface Route {
  /** The fixed number a static swap rule shows, if one matches. */
  staticNumberId: string | undefined;
  /** Else the pool whose numbers the visitor is lent, if one matches. */
  pool: TrackedPool | undefined;
}

/** Where a page view's number comes from. */
function routeOf({ setup, source }: EnrichedHit): Route {
  const staticNumberId = staticSwapFor(setup.swaps, source);
  return { staticNumberId, pool: staticNumberId ? undefined : choosePool(setup.pools, source) };
}

/**
 * The in-memory store's runner: page views and heartbeats one at a time (they only wait when something must be
 * loaded from the database), each answered once the batch holding its new rows has committed.
 */
function serialRun(store: MemoryTrackerStore, writer: TrackerWriter): Run {
  let tail: Promise<unknown> = Promise.resolve();
  return async (job) => {
    const result = tail.then(async () => {
      const before = writer.mark;
      const answer = await job(store);
      return { answer, wrote: writer.mark > before ? writer.mark : undefined };
    });
    tail = result.catch(() => {});
    const { answer, wrote } = await result;
    if (wrote !== undefined) await writer.durable(wrote);
    return answer;
  };
}

function visitRow(
  hit: EnrichedHit,
  id: string,
  vid: string,
  returning: boolean,
  poolId: string | null,
): VisitTable {
  const { source, device } = hit;
  return {
    id,
    project_id: hit.setup.projectId,
    visitor_id: vid,
    started_at: hit.at,
    last_seen_at: hit.at,
    page_views: 1,
    landing_url: source.landingUrl,
    referrer: hit.referrer ? hit.referrer.slice(0, 2048) : null,
    referrer_host: source.referrerHost ?? null,
    utm_source: source.utm.utm_source ?? null,
    utm_medium: source.utm.utm_medium ?? null,
    utm_campaign: source.utm.utm_campaign ?? null,
    utm_content: source.utm.utm_content ?? null,
    utm_term: source.utm.utm_term ?? null,
    click_ids: JSON.stringify(source.clickIds),
    channel: source.channel,
    source: source.source,
    medium: source.medium,
    ad_network: source.adNetwork ?? null,
    campaign: source.campaign ?? null,
    ad_group: source.adGroup ?? null,
    ad: source.ad ?? null,
    keyword: source.keyword ?? null,
    device_type: device.deviceType,
    browser: device.browser ?? null,
    os: device.os ?? null,
    language: hit.language ?? null,
    screen: hit.screen ?? null,
    ip_hash: hit.ipHash,
    ga_client_id: hit.gaClientId ?? null,
    ym_client_id: hit.ymClientId ?? null,
    ga_sessions: gaSessionsOf(hit.gaSessions),
    is_returning: returning ? 1 : 0,
    pool_id: poolId,
  };
}

function gaSessionsOf(raw: string | undefined): string | null {
  const sessions = parseGaSessions(raw);
  return sessions ? JSON.stringify(sessions) : null;
}
