// Reading untrusted URLs and text: tolerant percent-decoding, caps, host normalisation, landing URL parsing.
import { domainToUnicode } from 'node:url';
import { CLICK_ID_KEYS, MAX_URL_LENGTH, MAX_VALUE_LENGTH, UTM_KEYS } from './visit-source.js';

/** Parsing stops here: real landing URLs are far shorter, and this bounds the work per hit. */
const MAX_PARSE_LENGTH = 8192;
const MAX_PARAMS = 100;

// Yandex Direct and Google Ads templates are often copied with their own names for these fields.
export const CAMPAIGN_KEYS = ['campaign_id', 'campaignid', 'gad_campaignid', 'campaign'];
export const AD_GROUP_KEYS = [
  'adgroupid',
  'adgroup_id',
  'adgroup',
  'ad_group',
  'ad_group_id',
  'gbid',
  'group_id',
];
export const AD_KEYS = ['ad_id', 'adid', 'banner_id', 'bannerid', 'creative', 'creative_id', 'ad'];
export const KEYWORD_KEYS = ['keyword', 'utm_keyword', 'kw'];
const WANTED_KEYS = new Set<string>([
  ...UTM_KEYS,
  ...CLICK_ID_KEYS,
  ...CAMPAIGN_KEYS,
  ...AD_GROUP_KEYS,
  ...AD_KEYS,
  ...KEYWORD_KEYS,
  '_openstat',
  'gad_source',
]);

// ---- text helpers ---------------------------------------------------------------------------------

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const UTF8_LENIENT = new TextDecoder('utf-8');
// Old Russian sites and Yandex links percent-encode windows-1251; Node builds without full ICU lack it.
const LEGACY = (() => {
  try {
    return new TextDecoder('windows-1251');
  } catch {
    return new TextDecoder('latin1');
  }
})();
const PERCENT_RUN = /(?:%[0-9a-f]{2})+/gi;
// A second layer of encoding (%25D0%25BA) shows up when tagged URLs pass through redirects.
const ENCODED_UTF8 = /%[c-f][0-9a-f]%[89ab][0-9a-f]/i;
const CONTROL = /\p{Cc}+/gu;
// Ad-platform macros left unexpanded: {keyword}, {{campaign.name}}, __CAMPAIGN_NAME__, ${CAMPAIGN_ID}, %%SITE%%.
const PLACEHOLDER = /\$?\{\{[^{}]*\}\}|\$?\{[^{}]*\}|__[A-Z0-9_]+__|%%[^%]*%%/g;
const ONLY_SEPARATORS = /^[\s_\-|:;.,/+=]*$/;

/** A UTF-8 lead byte followed by a continuation byte: broken UTF-8 rather than windows-1251. */
function looksLikeUtf8(bytes: Uint8Array): boolean {
  for (let i = 0; i + 1 < bytes.length; i++) {
    const lead = bytes[i] ?? 0;
    const next = bytes[i + 1] ?? 0;
    if (lead >= 0xc2 && lead <= 0xf4 && next >= 0x80 && next <= 0xbf) return true;
  }
  return false;
}

function decodeRun(run: string): string {
  const bytes = new Uint8Array(run.length / 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
  try {
    return UTF8.decode(bytes);
  } catch {
    return looksLikeUtf8(bytes) ? UTF8_LENIENT.decode(bytes) : LEGACY.decode(bytes);
  }
}

/** decodeURIComponent that never throws: malformed sequences are decoded run by run, or kept. */
export function safeDecode(raw: string, plusIsSpace = true, depth = 0): string {
  const text = plusIsSpace && raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!text.includes('%')) return text;
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    decoded = text.replace(PERCENT_RUN, decodeRun);
  }
  return depth < 2 && ENCODED_UTF8.test(decoded) ? safeDecode(decoded, false, depth + 1) : decoded;
}

export function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  // Do not leave half of a surrogate pair (emoji) at the end.
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** Trims, drops control characters, treats unexpanded macros as empty, caps the length. */
export function cleanText(text: string): string | undefined {
  const value = text.replace(CONTROL, ' ').trim();
  if (!value || value === 'undefined' || value === 'null') return undefined;
  if (/[{_%]/.test(value) && ONLY_SEPARATORS.test(value.replace(PLACEHOLDER, ''))) return undefined;
  return cap(value, MAX_VALUE_LENGTH);
}

// ---- URL parsing ----------------------------------------------------------------------------------

interface Landing {
  host?: string;
  path: string;
  params: Map<string, string>;
}

function normalizeHost(hostname: string): string | undefined {
  let host = hostname.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.startsWith('www.')) host = host.slice(4);
  if (host.includes('xn--')) host = domainToUnicode(host) || host;
  if (!host || !/^[\p{L}\p{N}.:[\]_-]+$/u.test(host)) return undefined;
  return cap(host, MAX_VALUE_LENGTH);
}

const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)/i;

/** Host of a URL; salvaged by hand when the URL parser refuses it, undefined when there is none. */
export function hostOf(raw: string): string | undefined {
  try {
    return normalizeHost(new URL(raw).hostname);
  } catch {
    const match = AUTHORITY.exec(raw);
    if (match?.[1]) return normalizeHost(match[1]);
    // Some trackers report the referrer as a bare host ("yandex.ru").
    if (/^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:[/:?#]|$)/i.test(raw)) return hostOf(`http://${raw}`);
    return undefined;
  }
}

function readQuery(query: string, params: Map<string, string>): void {
  let count = 0;
  for (const part of query.split('&')) {
    if (!part || ++count > MAX_PARAMS) continue;
    const eq = part.indexOf('=');
    let key = safeDecode(eq === -1 ? part : part.slice(0, eq))
      .trim()
      .toLowerCase();
    // "&amp;" survives when links are copied out of HTML e-mails.
    if (key.startsWith('amp;')) key = key.slice(4);
    if (eq === -1 || !WANTED_KEYS.has(key) || params.has(key)) continue;
    const value = cleanText(safeDecode(part.slice(eq + 1)));
    if (value !== undefined) params.set(key, value);
  }
}

export function parseLanding(url: string): Landing {
  const text = url.trim().slice(0, MAX_PARSE_LENGTH);
  const params = new Map<string, string>();
  const hashAt = text.indexOf('#');
  const queryAt = text.indexOf('?');
  const beforeHash = hashAt === -1 ? text : text.slice(0, hashAt);
  if (queryAt !== -1 && (hashAt === -1 || queryAt < hashAt)) readQuery(beforeHash.slice(queryAt + 1), params);
  if (hashAt !== -1) {
    // Hash-routed SPAs (#/page?utm_source=…) and some builders (#utm_source=…) put tags after '#'.
    const hash = text.slice(hashAt + 1);
    const hashQueryAt = hash.indexOf('?');
    if (hashQueryAt !== -1) readQuery(hash.slice(hashQueryAt + 1), params);
    else if (hash.includes('=')) readQuery(hash, params);
  }
  const noQuery = queryAt === -1 ? beforeHash : beforeHash.slice(0, Math.min(queryAt, beforeHash.length));
  const authority = AUTHORITY.exec(noQuery);
  const rawPath = authority ? noQuery.slice(authority[0].length).replace(/^:\d*/, '') : noQuery;
  const path = rawPath.startsWith('/') ? cap(safeDecode(rawPath, false), MAX_URL_LENGTH) : '/';
  const host = authority ? hostOf(noQuery) : undefined;
  return host === undefined ? { path, params } : { host, path, params };
}

export function sameSite(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}
