import { createHash } from 'node:crypto';
import { detectBot } from '../ingest/bot-filter.js';
import { classifyVisit } from '../ingest/classify-source.js';
import { parseUserAgent, type UserAgentInfo } from '../ingest/user-agent.js';
import type { VisitSource } from '../ingest/visit-source.js';
import type { TrackingSetup } from './tracking-setup.js';

/** A page view as the site script reports it, plus what the HTTP layer knows about the request. */
export interface Hit {
  publicKey: string;
  visitorId: string | undefined;
  url: string;
  referrer: string | undefined;
  gaClientId: string | undefined;
  ymClientId: string | undefined;
  /** The site's `_ga_<stream>` cookies as the script found them (ingest/ga-sessions.ts reads them). */
  gaSessions: string | undefined;
  language: string | undefined;
  screen: string | undefined;
  userAgent: string | undefined;
  ip: string;
  headers: Record<string, string | undefined>;
  at: number;
}

export interface EnrichedHit extends Hit {
  setup: TrackingSetup;
  source: Readonly<VisitSource>;
  device: Readonly<UserAgentInfo>;
  ipHash: string;
}

export type DropReason = 'bot' | 'unknown_project' | 'rate_limited' | 'invalid_url';

export type StepResult<T> = { ok: true; value: T } | { ok: false; reason: DropReason; detail?: string };

export interface PipelineContext {
  setupFor(publicKey: string): Promise<TrackingSetup | undefined>;
  allow(ip: string, at: number): boolean;
  secret: string;
}

const ok = <T>(value: T): StepResult<T> => ({ ok: true, value });
const drop = <T>(reason: DropReason, detail?: string): StepResult<T> => ({ ok: false, reason, detail });

// Named steps, each small and pure apart from what comes in through the context (Plausible's ingestion model).

export function dropBots(hit: Hit): StepResult<Hit> {
  const reason = detectBot({ userAgent: hit.userAgent, headers: hit.headers });
  return reason ? drop('bot', reason) : ok(hit);
}

export function dropInvalidUrl(hit: Hit): StepResult<Hit> {
  return /^https?:\/\//i.test(hit.url) ? ok(hit) : drop('invalid_url');
}

export function limitRate(hit: Hit, ctx: PipelineContext): StepResult<Hit> {
  return ctx.allow(hit.ip, hit.at) ? ok(hit) : drop('rate_limited');
}

export async function resolveProject(hit: Hit, ctx: PipelineContext): Promise<StepResult<TrackingSetup>> {
  const setup = await ctx.setupFor(hit.publicKey);
  return setup ? ok(setup) : drop('unknown_project');
}

export function classify(hit: Hit, setup: TrackingSetup, ctx: PipelineContext): StepResult<EnrichedHit> {
  return ok(
    enriched(
      hit,
      setup,
      sourceOf(hit.url, hit.referrer),
      parseUserAgent(hit.userAgent),
      hashAddress(ctx.secret, hit.ip, hit.at),
    ),
  );
}

/**
 * Written out field by field: `{ ...hit, setup, … }` ran ~5 µs a page view here (V8 copies a spread of a
 * many-field object through its slow path), a tenth of the whole pipeline.
 */
function enriched(
  hit: Hit,
  setup: TrackingSetup,
  source: Readonly<VisitSource>,
  device: Readonly<UserAgentInfo>,
  ipHash: string,
): EnrichedHit {
  return {
    publicKey: hit.publicKey,
    visitorId: hit.visitorId,
    url: hit.url,
    referrer: hit.referrer,
    gaClientId: hit.gaClientId,
    ymClientId: hit.ymClientId,
    gaSessions: hit.gaSessions,
    language: hit.language,
    screen: hit.screen,
    userAgent: hit.userAgent,
    ip: hit.ip,
    headers: hit.headers,
    at: hit.at,
    setup,
    source,
    device,
    ipHash,
  };
}

const untaggedSources = new Map<string, Readonly<VisitSource>>();

/**
 * Most page views are a click on to another page of the same site, without tags: the same URL and referrer,
 * classified alike every time, so their sources are remembered (frozen: every page view shares them). Tagged URLs
 * carry click ids unique to each click, and are classified afresh.
 */
function sourceOf(url: string, referrer: string | undefined): Readonly<VisitSource> {
  if (url.includes('?')) return classifyVisit({ url, referrer });
  const key = `${url}\n${referrer ?? ''}`;
  const known = untaggedSources.get(key);
  if (known) return known;
  const source = classifyVisit({ url, referrer });
  Object.freeze(source.utm);
  Object.freeze(source.clickIds);
  if (untaggedSources.size >= 10_000) untaggedSources.clear();
  untaggedSources.set(key, Object.freeze(source));
  return source;
}

const addressHashes = new Map<string, { day: number; secret: string; hash: string }>();

/**
 * A daily salt: the same address hashes the same within a day (abuse analysis) and unlinkably across days.
 * Remembered per address for the day, since most page views come from addresses seen moments before.
 */
function hashAddress(secret: string, ip: string, at: number): string {
  const day = Math.floor(at / 86_400_000);
  const known = addressHashes.get(ip);
  if (known?.day === day && known.secret === secret) return known.hash;
  const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
  const hash = createHash('sha256').update(`${secret}|${date}|${ip}`).digest('base64url').slice(0, 22);
  if (addressHashes.size >= 50_000) addressHashes.clear();
  addressHashes.set(ip, { day, secret, hash });
  return hash;
}

/** Runs the steps in order; the first drop ends the hit with its reason. */
export async function runPipeline(hit: Hit, ctx: PipelineContext): Promise<StepResult<EnrichedHit>> {
  for (const step of [dropBots, dropInvalidUrl, (h: Hit) => limitRate(h, ctx)]) {
    const result = step(hit);
    if (!result.ok) return result;
  }
  const setup = await resolveProject(hit, ctx);
  if (!setup.ok) return setup;
  return classify(hit, setup.value, ctx);
}
