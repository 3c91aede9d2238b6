import { AD_NETWORKS, CHANNELS, MAX_URL_LENGTH, type VisitSource } from './visit-source.js';

// Per-project rules that pick the dynamic pool (or the static number) shown to a visit.
// Rules are validated when saved (validatePoolMatch) and compiled once per rule set (compilePoolRules),
// because choosing runs on every tracker hit.

export const POOL_RULE_FIELDS = [
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_term',
  'channel',
  'source',
  'medium',
  'ad_network',
  'referrer_host',
  'landing_url',
  'landing_path',
] as const;
export type PoolRuleField = (typeof POOL_RULE_FIELDS)[number];

export const POOL_RULE_OPS = [
  'equals',
  'not_equals',
  'contains',
  'starts_with',
  'matches',
  'exists',
] as const;
export type PoolRuleOp = (typeof POOL_RULE_OPS)[number];

/** One test on a visit. Every comparison ignores case; `matches` is a JavaScript regex. */
export interface PoolRule {
  field: PoolRuleField;
  op: PoolRuleOp;
  /** Required for every op but `exists`. */
  value?: string;
}

/** `all` rules must all hold and at least one `any` rule must hold; no rules at all = catch-all. */
export interface PoolMatch {
  all?: PoolRule[];
  any?: PoolRule[];
}

/** What rules can look at: a classified visit (VisitSource) satisfies it. */
export type PoolMatchSubject = Pick<
  VisitSource,
  'channel' | 'source' | 'medium' | 'adNetwork' | 'utm' | 'landingUrl' | 'referrerHost'
> & { landingPath?: string };

export type ValidationResult = { ok: true; value: PoolMatch } | { ok: false; errors: string[] };

export const MAX_RULES_PER_GROUP = 50;
export const MAX_RULE_VALUE_LENGTH = 256;
export const MAX_REGEX_LENGTH = 200;
/** Regexes see at most this much of a field, which bounds the cost of any allowed pattern per hit. */
export const MAX_REGEX_SUBJECT = 512;
const MAX_REGEX_BRANCHING = 16;
const TOO_BRANCHY = `too many optional parts and counted repeats (limit ${MAX_REGEX_BRANCHING} combinations)`;

const FIELDS = new Set<string>(POOL_RULE_FIELDS);
const OPS = new Set<string>(POOL_RULE_OPS);
const CHANNEL_SET = new Set<string>(CHANNELS);
const AD_NETWORK_SET = new Set<string>(AD_NETWORKS);
const RULE_KEYS = new Set(['field', 'op', 'value']);

// ---- validation -----------------------------------------------------------------------------------

/**
 * Refuses patterns that can backtrack badly on a visitor-controlled URL (Node has no linear-time regex
 * engine). Within each top-level alternative: at most one unbounded quantifier (* + {n,}), since two
 * already cost O(n³) on a crafted URL; a bounded product of other choices (? ×2, {n,m} ×(m−n+1), a group's
 * alternatives ×count); no repeated group that itself repeats or alternates ((a+)+, (a|aa)*); no
 * backreferences.
 */
function regexProblem(pattern: string): string | undefined {
  const groups: { alternatives: number; repeats: boolean }[] = [];
  let unbounded = 0;
  let branching = 1;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      if (!inClass && /[1-9k]/.test(pattern[i] ?? '')) return 'backreferences are not allowed';
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    let factor = 0; // 0: not a quantifier; Infinity: unbounded
    if (ch === '*' || ch === '+') factor = Number.POSITIVE_INFINITY;
    else if (ch === '?') factor = 2;
    else if (ch === '{') {
      const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (braces) {
        const min = Number(braces[1]);
        const max = braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : Number.POSITIVE_INFINITY;
        factor = max - min + 1;
        i += braces[0].length - 1;
      }
    }
    if (factor > 0) {
      if (pattern[i + 1] === '?') i++; // lazy modifier, not another quantifier
      const top = groups[groups.length - 1];
      if (top) top.repeats = true;
      if (factor === Number.POSITIVE_INFINITY) {
        if (++unbounded > 1) return 'at most one unbounded quantifier (* + {n,}) per alternative';
      } else {
        branching *= factor;
        if (branching > MAX_REGEX_BRANCHING) return TOO_BRANCHY;
      }
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') {
      groups.push({ alternatives: 1, repeats: false });
      if (pattern[i + 1] === '?') i++; // (?: (?= (?! (?<…: not a quantifier
    } else if (ch === '|') {
      const top = groups[groups.length - 1];
      if (top) top.alternatives++;
      else {
        // Top-level alternatives are tried one after another: their costs add up, so each has its own budget.
        unbounded = 0;
        branching = 1;
      }
    } else if (ch === ')') {
      const group = groups.pop();
      if (!group) continue; // unbalanced: the RegExp constructor reports it
      const next = pattern[i + 1];
      const repeated = next === '*' || next === '+' || next === '?' || next === '{';
      if (repeated && next !== '?' && (group.repeats || group.alternatives > 1)) {
        return 'a repeated group must not contain quantifiers or alternatives (catastrophic backtracking)';
      }
      const parent = groups[groups.length - 1];
      if (parent) parent.repeats ||= group.repeats;
      branching *= group.alternatives;
      if (branching > MAX_REGEX_BRANCHING) return TOO_BRANCHY;
    }
  }
  return undefined;
}

function validateRule(raw: unknown, at: string, errors: string[]): PoolRule | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push(`${at}: must be an object with field, op and value`);
    return undefined;
  }
  const before = errors.length;
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!RULE_KEYS.has(key)) errors.push(`${at}: unknown property "${key}"`);
  }
  const { field, op, value } = record;
  if (typeof field !== 'string' || !FIELDS.has(field)) {
    errors.push(
      `${at}.field: unknown field ${JSON.stringify(field)}; expected one of ${POOL_RULE_FIELDS.join(', ')}`,
    );
  }
  if (typeof op !== 'string' || !OPS.has(op)) {
    errors.push(`${at}.op: unknown op ${JSON.stringify(op)}; expected one of ${POOL_RULE_OPS.join(', ')}`);
  }
  let text: string | undefined;
  if (op !== 'exists') {
    if (typeof value !== 'string' || value.trim() === '') {
      errors.push(`${at}.value: required for op ${JSON.stringify(op)}`);
    } else {
      text = value.trim();
      const max = op === 'matches' ? MAX_REGEX_LENGTH : MAX_RULE_VALUE_LENGTH;
      if (text.length > max) errors.push(`${at}.value: longer than ${max} characters`);
      else if (op === 'matches') {
        try {
          new RegExp(text, 'i');
          const problem = regexProblem(text);
          if (problem) errors.push(`${at}.value: unsafe regex: ${problem}`);
        } catch (error) {
          errors.push(`${at}.value: invalid regex: ${(error as Error).message}`);
        }
      } else if (op === 'equals' || op === 'not_equals') {
        if (field === 'channel' && !CHANNEL_SET.has(text.toLowerCase())) {
          errors.push(`${at}.value: unknown channel "${text}"; expected one of ${CHANNELS.join(', ')}`);
        }
        if (field === 'ad_network' && !AD_NETWORK_SET.has(text.toLowerCase())) {
          errors.push(`${at}.value: unknown ad network "${text}"; expected one of ${AD_NETWORKS.join(', ')}`);
        }
      }
    }
  } else if (value !== undefined && typeof value !== 'string') {
    errors.push(`${at}.value: must be a string when given`);
  }
  if (errors.length > before) return undefined;
  const rule: PoolRule = { field: field as PoolRuleField, op: op as PoolRuleOp };
  if (text !== undefined) rule.value = text;
  return rule;
}

/** Checks a match definition from the API or the database; returns it normalised (values trimmed). */
export function validatePoolMatch(input: unknown): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['match must be an object like { "all": [...], "any": [...] }'] };
  }
  const errors: string[] = [];
  const value: PoolMatch = {};
  for (const [key, group] of Object.entries(input)) {
    if (key !== 'all' && key !== 'any') {
      errors.push(`unknown property "${key}"; expected "all" and/or "any"`);
      continue;
    }
    if (group === undefined) continue;
    if (!Array.isArray(group)) {
      errors.push(`${key}: must be an array of rules`);
      continue;
    }
    if (group.length > MAX_RULES_PER_GROUP) {
      errors.push(`${key}: at most ${MAX_RULES_PER_GROUP} rules`);
      continue;
    }
    const rules: PoolRule[] = [];
    group.forEach((raw, index) => {
      const rule = validateRule(raw, `${key}[${index}]`, errors);
      if (rule) rules.push(rule);
    });
    value[key] = rules;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

// ---- compilation and matching ---------------------------------------------------------------------

type Test = (subject: PoolMatchSubject) => boolean;

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '/';
  }
}

const READ: Record<PoolRuleField, (s: PoolMatchSubject) => string | undefined> = {
  utm_source: (s) => s.utm.utm_source,
  utm_medium: (s) => s.utm.utm_medium,
  utm_campaign: (s) => s.utm.utm_campaign,
  utm_content: (s) => s.utm.utm_content,
  utm_term: (s) => s.utm.utm_term,
  channel: (s) => s.channel,
  source: (s) => s.source,
  medium: (s) => s.medium,
  ad_network: (s) => s.adNetwork,
  referrer_host: (s) => s.referrerHost,
  landing_url: (s) => s.landingUrl.slice(0, MAX_URL_LENGTH),
  landing_path: (s) => s.landingPath ?? pathOf(s.landingUrl),
};

function compileRule({ field, op, value = '' }: PoolRule): Test {
  const read = READ[field];
  const expected = value.toLowerCase();
  switch (op) {
    case 'exists':
      return (s) => !!read(s);
    case 'equals':
      return (s) => read(s)?.toLowerCase() === expected;
    case 'not_equals':
      // A missing value is "not equal": `utm_source not_equals google` holds for untagged visits.
      return (s) => read(s)?.toLowerCase() !== expected;
    case 'contains':
      return (s) => read(s)?.toLowerCase().includes(expected) ?? false;
    case 'starts_with':
      return (s) => read(s)?.toLowerCase().startsWith(expected) ?? false;
    case 'matches': {
      const pattern = new RegExp(value, 'i');
      return (s) => {
        const text = read(s);
        return (
          text !== undefined &&
          pattern.test(text.length > MAX_REGEX_SUBJECT ? text.slice(0, MAX_REGEX_SUBJECT) : text)
        );
      };
    }
  }
}

/** Compiles a stored match; undefined when it is invalid (such an entry never matches). */
export function compileMatch(match: unknown): Test | undefined {
  const checked = validatePoolMatch(match);
  if (!checked.ok) return undefined;
  const all = (checked.value.all ?? []).map(compileRule);
  const any = (checked.value.any ?? []).map(compileRule);
  return (subject) =>
    all.every((test) => test(subject)) && (any.length === 0 || any.some((test) => test(subject)));
}

export interface PoolLike {
  id: string;
  priority: number;
  /** A PoolMatch as stored (parsed JSON): validated again here, since the database is not trusted blindly. */
  match: unknown;
}

export interface CompiledPools<P extends PoolLike> {
  readonly kind: 'pools';
  /** Sorted by priority, then id; invalid entries are left out. */
  readonly entries: ReadonlyArray<{ readonly pool: P; readonly test: Test }>;
  /** Ids of pools whose stored match was invalid and therefore never matches. */
  readonly invalid: readonly string[];
}

export function compilePoolRules<P extends PoolLike>(pools: readonly P[]): CompiledPools<P> {
  const entries: { pool: P; test: Test }[] = [];
  const invalid: string[] = [];
  for (const pool of pools) {
    const test = compileMatch(pool.match);
    if (test) entries.push({ pool, test });
    else invalid.push(pool.id);
  }
  entries.sort(
    (a, b) =>
      a.pool.priority - b.pool.priority || (a.pool.id < b.pool.id ? -1 : a.pool.id > b.pool.id ? 1 : 0),
  );
  return { kind: 'pools', entries, invalid };
}

/** The first pool, by priority then id, whose rules match the visit. Pass compiled pools on hot paths. */
export function choosePool<P extends PoolLike>(
  pools: CompiledPools<P> | readonly P[],
  visit: PoolMatchSubject,
): P | undefined {
  const compiled = 'kind' in pools ? pools : compilePoolRules(pools);
  for (const entry of compiled.entries) if (entry.test(visit)) return entry.pool;
  return undefined;
}

/** "Show this fixed number to visitors matching …" (e.g. utm_source=billboard), from static channels. */
export interface StaticSwap {
  match: unknown;
  numberId: string;
}

export interface CompiledSwaps {
  readonly kind: 'swaps';
  /** In the given order; invalid entries are left out. */
  readonly entries: ReadonlyArray<{ readonly numberId: string; readonly test: Test }>;
}

export function compileStaticSwaps(swaps: readonly StaticSwap[]): CompiledSwaps {
  const entries: { numberId: string; test: Test }[] = [];
  for (const swap of swaps) {
    const test = compileMatch(swap.match);
    if (test) entries.push({ numberId: swap.numberId, test });
  }
  return { kind: 'swaps', entries };
}

/** The number of the first static swap whose rules match the visit, or undefined. */
export function staticSwapFor(
  swaps: CompiledSwaps | readonly StaticSwap[],
  visit: PoolMatchSubject,
): string | undefined {
  const compiled = 'kind' in swaps ? swaps : compileStaticSwaps(swaps);
  for (const entry of compiled.entries) if (entry.test(visit)) return entry.numberId;
  return undefined;
}
