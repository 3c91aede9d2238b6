import { domainToUnicode } from 'node:url';
import {
  AD_NETWORKS,
  type AdNetwork,
  CHANNELS,
  type Channel,
  CLICK_ID_KEYS,
  MAX_URL_LENGTH,
  MAX_VALUE_LENGTH,
  type TrafficSource,
  UTM_KEYS,
  type UtmParams,
  type VisitInput,
  type VisitSource,
} from './visit-source.js';

// Classifies a visit from its landing URL and referrer. Order of evidence (strongest first):
// utm_* tags > paid click ids (gclid, yclid…) > _openstat > erid > referrer host > fbclid > direct.
// Never throws: every input is untrusted text straight from a browser.

type Base = Pick<TrafficSource, 'channel' | 'source' | 'medium' | 'adNetwork'>;
interface HostRule extends Base {
  /** Also match subdomains (l.facebook.com → facebook.com). */
  subdomains: boolean;
}

const DIRECT: Base = { channel: 'direct', source: '(direct)', medium: '(none)' };
const NOT_SET = '(not set)';
/** Parsing stops here: real landing URLs are far shorter, and this bounds the work per hit. */
const MAX_PARSE_LENGTH = 8192;
const MAX_PARAMS = 100;

// Yandex Direct and Google Ads templates are often copied with their own names for these fields.
const CAMPAIGN_KEYS = ['campaign_id', 'campaignid', 'gad_campaignid', 'campaign'];
const AD_GROUP_KEYS = ['adgroupid', 'adgroup_id', 'adgroup', 'ad_group', 'ad_group_id', 'gbid', 'group_id'];
const AD_KEYS = ['ad_id', 'adid', 'banner_id', 'bannerid', 'creative', 'creative_id', 'ad'];
const KEYWORD_KEYS = ['keyword', 'utm_keyword', 'kw'];
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

/** Click ids that are only ever added to ad clicks, in priority order. */
const PAID_CLICKS: ReadonlyArray<readonly [string, Base]> = [
  ['gclid', paid('google', 'cpc', 'google_ads')],
  ['gbraid', paid('google', 'cpc', 'google_ads')],
  ['wbraid', paid('google', 'cpc', 'google_ads')],
  // Safari's tracking protection strips gclid but leaves gad_source, which Google Ads adds to every click.
  ['gad_source', paid('google', 'cpc', 'google_ads')],
  ['yclid', paid('yandex', 'cpc', 'yandex_direct')],
  ['msclkid', paid('bing', 'cpc', 'microsoft_ads')],
  ['ttclid', paid('tiktok', 'cpc', 'tiktok_ads')],
  ['twclid', paid('x', 'cpc', 'x_ads')],
  ['li_fat_id', paid('linkedin', 'cpc', 'linkedin_ads')],
  ['epik', paid('pinterest', 'cpc', 'pinterest_ads')],
  ['sccid', paid('snapchat', 'cpc', 'snapchat_ads')],
  ['vkclid', paid('vk', 'cpc', 'vk_ads')],
  ['ymclid', paid('yandex_market', 'cpc', 'yandex_market')],
  ['dclid', paid('dv360', 'cpm', 'google_dv360')],
];

function paid(source: string, medium: string, adNetwork?: AdNetwork): Base {
  return adNetwork ? { channel: 'paid', source, medium, adNetwork } : { channel: 'paid', source, medium };
}

// ---- referrer hosts -------------------------------------------------------------------------------

// One line per source: "<channel> <source> [<medium> <ad network>]: <hosts…>". A host matches its
// subdomains too (l.facebook.com, m.vk.com) unless written "=host". Package names are android-app://
// referrers, sent when an Android app opens a link in the browser.
const HOST_TABLE = `
organic yandex: ya.ru turbopages.org ru.yandex.searchplugin
organic google: com.google.android.googlequicksearchbox
organic bing: bing.com
organic duckduckgo: duckduckgo.com
organic mail.ru: go.mail.ru search.mail.ru
organic yahoo: search.yahoo.com search.yahoo.co.jp
organic rambler: nova.rambler.ru =rambler.ru
organic baidu: baidu.com
organic ecosia: ecosia.org
organic seznam: seznam.cz
organic naver: search.naver.com
organic startpage: startpage.com
organic qwant: qwant.com
organic brave: search.brave.com
organic yep: yep.com
organic sogou: sogou.com
organic 360: so.com
organic petal: petalsearch.com
organic aol: search.aol.com
organic ask: ask.com
organic kagi: kagi.com
organic daum: search.daum.net
organic coccoc: coccoc.com
organic mojeek: mojeek.com
organic swisscows: swisscows.com
organic presearch: presearch.com
organic metager: metager.de
paid google cpc google_ads: googleadservices.com
paid google display google_ads: googlesyndication.com doubleclick.net
paid yandex cpc yandex_direct: yabs.yandex.ru yabs.yandex.by yabs.yandex.kz yabs.yandex.com an.yandex.ru
social vk.com: vk.com vk.ru vkontakte.ru vk.me vkvideo.ru com.vkontakte.android
social ok.ru: ok.ru odnoklassniki.ru ru.ok.android
social facebook.com: facebook.com fb.com fb.me messenger.com com.facebook.katana com.facebook.orca
social instagram.com: instagram.com com.instagram.android
social t.me: t.me telegram.me telegram.org telegram.dog org.telegram.messenger org.thunderdog.challegram
social youtube.com: youtube.com youtu.be com.google.android.youtube
social x.com: x.com twitter.com t.co com.twitter.android
social linkedin.com: linkedin.com lnkd.in com.linkedin.android
social tiktok.com: tiktok.com com.zhiliaoapp.musically com.ss.android.ugc.trill
social pinterest.com: pinterest.com pinterest.ru pinterest.de pinterest.fr pinterest.co.uk pin.it com.pinterest
social reddit.com: reddit.com redd.it com.reddit.frontpage
social dzen.ru: dzen.ru zen.yandex.ru zen.yandex.com zen.yandex.by zen.yandex.kz
social whatsapp.com: whatsapp.com wa.me com.whatsapp
social viber.com: viber.com com.viber.voip
social threads.net: threads.net threads.com
social discord.com: discord.com discord.gg discordapp.com
social my.mail.ru: my.mail.ru
social rutube.ru: rutube.ru
social pikabu.ru: pikabu.ru
social livejournal.com: livejournal.com
social tenchat.ru: tenchat.ru
social max.ru: max.ru
social snapchat.com: snapchat.com
social tumblr.com: tumblr.com
social quora.com: quora.com
social medium.com: medium.com
email e.mail.ru: e.mail.ru touch.mail.ru octavius.mail.ru ru.mail.mailapp
email mail.google.com: com.google.android.gm
email mail.yandex.ru: ru.yandex.mail
email outlook.live.com: outlook.live.com outlook.office.com outlook.office365.com com.microsoft.office.outlook
`;

const HOST_RULES = new Map<string, HostRule>();
for (const line of HOST_TABLE.trim().split('\n')) {
  const [head = '', list = ''] = line.split(':');
  const [channel = '', source = '', medium = channel, adNetwork] = head.split(' ');
  // A typo here would silently misclassify traffic: fail at startup (and in every test run) instead.
  if (
    !(CHANNELS as readonly string[]).includes(channel) ||
    !source ||
    (adNetwork && !isAdNetwork(adNetwork))
  ) {
    throw new Error(`classify-source: bad host table line "${line}"`);
  }
  const rule = {
    channel: channel as Channel,
    source,
    medium,
    ...(adNetwork && { adNetwork: adNetwork as AdNetwork }),
  };
  for (const host of list.trim().split(/\s+/)) {
    const exactOnly = host.startsWith('=');
    HOST_RULES.set(exactOnly ? host.slice(1) : host, { ...rule, subdomains: !exactOnly });
  }
}

function isAdNetwork(name: string): name is AdNetwork {
  return (AD_NETWORKS as readonly string[]).includes(name);
}

// Google and Yandex search live on many country domains: google.ru, google.co.uk, yandex.com.tr…
const SEARCH_CCTLD = /^(google|yandex)\.(?:com?\.)?[a-z]{2,3}$/;
// mail.google.com, mail.yandex.ru, webmail.example.com — but not the mail.ru portal itself.
const WEBMAIL = /^(?:web|e)?mail\.[^.]+\.[^.]/;

function classifyHost(host: string): Base | undefined {
  const exact = HOST_RULES.get(host);
  if (exact) return exact;
  if (WEBMAIL.test(host)) return { channel: 'email', source: host, medium: 'email' };
  const cc = SEARCH_CCTLD.exec(host);
  if (cc?.[1]) return { channel: 'organic', source: cc[1], medium: 'organic' };
  for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
    const rule = HOST_RULES.get(host.slice(dot + 1));
    if (rule?.subdomains) return rule;
  }
  return undefined;
}

// ---- utm_medium / utm_source ----------------------------------------------------------------------

const OFFLINE =
  /^(?:offline|print|billboard|outdoor|d?ooh|radio|tv|qr|qr[-_ ]?code|flyers?|leaflets?|posters?|press|business[-_ ]?cards?|car[-_ ]?wraps?)$/;
// Exact-match families first; the paid pattern is GA4's (".*cp.*|ppc|retargeting|paid.*") plus display
// and the Russian habits (targeting, context, RSYa).
const MEDIUM_CHANNELS: ReadonlyArray<readonly [RegExp, Channel]> = [
  [/^(?:organic|seo|organic[-_ ]search)$/, 'organic'],
  [/^(?:social|sm|smm|social[-_ ]?(?:network|media))$/, 'social'],
  [/^(?:e[-_ ]?mail|mail|newsletter|e?-?mailing|email[-_ ]marketing|rassylka)$/, 'email'],
  [/^(?:referral|referr?er|link|partners?|ref)$/, 'referral'],
  [OFFLINE, 'offline'],
  [
    /^(?:.*cp.*|ppc|paid.*|.*[-_ ]paid|retarget(?:ing)?|remarketing|display|banners?|expandable|interstitial|target(?:ing|ed)?|context(?:ual)?|ads?|sem|native|programmatic|affiliates?|rsya|yan)$/,
    'paid',
  ],
];

const words = (list: string) => list.trim().split(/\s+/);

// utm_source names per ad network, consulted only once the medium says the visit is paid.
const NETWORK_BY_SOURCE = new Map<string, AdNetwork>();
function networkAliases(network: AdNetwork, names: string) {
  for (const name of words(names)) NETWORK_BY_SOURCE.set(name, network);
}
networkAliases('google_ads', 'google google_ads googleads google-ads adwords');
networkAliases('yandex_direct', 'yandex ya yandex_direct yandexdirect yandex.direct ydirect direct');
networkAliases('yandex_market', 'yandex_market yandexmarket yandex.market market');
networkAliases('vk_ads', 'vk vk.com vkontakte vk_ads vkads vk-ads vk_reklama vkreklama');
networkAliases('mytarget', 'mytarget my_target target.my.com mail.ru mailru');
networkAliases('facebook_ads', 'facebook fb instagram ig meta facebook_ads fb_ads meta_ads');
networkAliases('microsoft_ads', 'bing microsoft msn bing_ads microsoft_ads');
networkAliases('tiktok_ads', 'tiktok tiktok_ads');
// Plain "telegram" is as often a paid post in a channel as Telegram Ads, so only explicit names count.
networkAliases('telegram_ads', 'telegram_ads telegram-ads tg_ads tgads');
networkAliases('linkedin_ads', 'linkedin linkedin_ads');
networkAliases('x_ads', 'twitter x twitter_ads x_ads');
networkAliases('pinterest_ads', 'pinterest pinterest_ads');
networkAliases('snapchat_ads', 'snapchat snapchat_ads');

const SOCIAL_SOURCES = new Set([
  ...[...HOST_RULES.values()].filter((r) => r.channel === 'social').map((r) => r.source),
  ...words('vk vkontakte ok odnoklassniki facebook fb instagram ig telegram tg youtube yt twitter x tiktok'),
  ...words('linkedin pinterest reddit dzen zen whatsapp wa viber threads rutube max'),
]);
// Webmail hosts are caught by WEBMAIL; these are the senders' own names.
const EMAIL_SOURCES = new Set(
  words('email e-mail newsletter mailchimp unisender sendpulse sendsay mindbox dashamail'),
);
// Names that also mean a site or a social network; every other alias is used by ad networks only, so
// such a source is paid even without utm_medium.
const GENERIC_NAMES = new Set([
  ...words('google yandex ya direct market vk vk.com vkontakte mail.ru mailru facebook fb instagram ig meta'),
  ...words('bing microsoft msn tiktok linkedin twitter x pinterest snapchat'),
]);
const PAID_SOURCES = new Set([...NETWORK_BY_SOURCE.keys()].filter((name) => !GENERIC_NAMES.has(name)));

function mediumChannel(medium: string): Channel | undefined {
  for (const [pattern, channel] of MEDIUM_CHANNELS) if (pattern.test(medium)) return channel;
  return undefined;
}

function sourceChannel(source: string): Channel | undefined {
  if (SOCIAL_SOURCES.has(source)) return 'social';
  if (EMAIL_SOURCES.has(source) || WEBMAIL.test(source)) return 'email';
  if (PAID_SOURCES.has(source)) return 'paid';
  if (OFFLINE.test(source)) return 'offline';
  return undefined;
}

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

function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  // Do not leave half of a surrogate pair (emoji) at the end.
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** Trims, drops control characters, treats unexpanded macros as empty, caps the length. */
function cleanText(text: string): string | undefined {
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
function hostOf(raw: string): string | undefined {
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

function parseLanding(url: string): Landing {
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

function sameSite(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

// ---- _openstat ------------------------------------------------------------------------------------

interface Openstat extends Base {
  campaign?: string;
  ad?: string;
}

/** `_openstat=service;campaign;ad;source`, usually base64url-encoded; Yandex Direct used to add it. */
function parseOpenstat(raw: string | undefined): Openstat | undefined {
  if (!raw) return undefined;
  const text = raw.includes(';')
    ? raw
    : Buffer.from(raw.replaceAll(' ', '+').replaceAll('-', '+').replaceAll('_', '/'), 'base64').toString(
        'utf8',
      );
  const [serviceRaw, campaignRaw, adRaw] = text.split(';');
  const service = serviceRaw?.trim().toLowerCase();
  if (!service || campaignRaw === undefined || !/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(service))
    return undefined;
  const base =
    service === 'direct.yandex.ru'
      ? paid('yandex', 'cpc', 'yandex_direct')
      : service === 'market.yandex.ru'
        ? paid('yandex_market', 'cpc', 'yandex_market')
        : paid(cap(service, MAX_VALUE_LENGTH), 'cpc');
  const campaign = cleanText(campaignRaw);
  const ad = adRaw === undefined ? undefined : cleanText(adRaw);
  return { ...base, ...(campaign && { campaign }), ...(ad && { ad }) };
}

// ---- classification -------------------------------------------------------------------------------

function toBase({ channel, source, medium, adNetwork }: Base): Base {
  return adNetwork ? { channel, source, medium, adNetwork } : { channel, source, medium };
}

function firstOf(params: Map<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = params.get(key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Full classification: the traffic source plus the raw tags and landing page that pool rules test. */
export function classifyVisit(input: VisitInput): VisitSource {
  const url = typeof input?.url === 'string' ? input.url : '';
  const landing = parseLanding(url);
  const params = landing.params;
  const referrerHost = typeof input?.referrer === 'string' ? hostOf(input.referrer.trim()) : undefined;
  const external =
    referrerHost !== undefined && (landing.host === undefined || !sameSite(landing.host, referrerHost));
  const hostRule = external ? classifyHost(referrerHost) : undefined;

  const utm: UtmParams = {};
  for (const key of UTM_KEYS) {
    const value = params.get(key);
    if (value !== undefined) utm[key] = value;
  }
  const clickIds: Record<string, string> = {};
  for (const key of CLICK_ID_KEYS) {
    const value = params.get(key);
    if (value !== undefined) clickIds[key] = value;
  }
  const click = PAID_CLICKS.find(([key]) => params.has(key))?.[1];
  const openstat = parseOpenstat(params.get('_openstat'));

  let base: Base;
  if (utm.utm_source !== undefined || utm.utm_medium !== undefined) {
    const source =
      utm.utm_source?.toLowerCase() ??
      click?.source ??
      openstat?.source ??
      hostRule?.source ??
      (external ? referrerHost : undefined) ??
      NOT_SET;
    const medium =
      utm.utm_medium?.toLowerCase() ??
      click?.medium ??
      openstat?.medium ??
      (hostRule?.source === source ? hostRule.medium : undefined) ??
      NOT_SET;
    const channel = mediumChannel(medium) ?? sourceChannel(source) ?? 'other';
    const adNetwork =
      channel === 'paid'
        ? (NETWORK_BY_SOURCE.get(source) ?? click?.adNetwork ?? openstat?.adNetwork ?? hostRule?.adNetwork)
        : undefined;
    base = toBase({ channel, source, medium, adNetwork });
  } else if (click) {
    base = click;
  } else if (openstat) {
    base = toBase(openstat);
  } else if (params.has('erid')) {
    // Russian law requires the erid token on every ad link; the network is unknown, the host is not.
    base = paid(hostRule?.source ?? (external ? referrerHost : undefined) ?? NOT_SET, 'paid');
  } else if (external) {
    base = hostRule ? toBase(hostRule) : { channel: 'referral', source: referrerHost, medium: 'referral' };
  } else if (clickIds.fbclid !== undefined) {
    // Facebook adds fbclid to every outbound link, organic posts included; in-app browsers drop the referrer.
    base = { channel: 'social', source: 'facebook.com', medium: 'social' };
  } else {
    base = DIRECT;
  }

  // Non-utm aliases such as ?campaign= or ?ad= mean something else on ordinary pages: trust them for ads only.
  const isPaid = base.channel === 'paid';
  const campaign =
    utm.utm_campaign ?? (isPaid ? (firstOf(params, CAMPAIGN_KEYS) ?? openstat?.campaign) : undefined);
  const adGroup = isPaid ? firstOf(params, AD_GROUP_KEYS) : undefined;
  const ad = utm.utm_content ?? (isPaid ? (firstOf(params, AD_KEYS) ?? openstat?.ad) : undefined);
  const keyword = utm.utm_term ?? (isPaid ? firstOf(params, KEYWORD_KEYS) : undefined);

  const result: VisitSource = {
    ...base,
    clickIds,
    utm,
    landingUrl: cap(url.trim(), MAX_URL_LENGTH),
    landingPath: landing.path,
  };
  if (campaign !== undefined) result.campaign = campaign;
  if (adGroup !== undefined) result.adGroup = adGroup;
  if (ad !== undefined) result.ad = ad;
  if (keyword !== undefined) result.keyword = keyword;
  if (referrerHost !== undefined) result.referrerHost = referrerHost;
  return result;
}

/** Where the visit came from (channel, source/medium, ad network, campaign details, click ids). */
export function classifySource(input: VisitInput): TrafficSource {
  const { utm: _utm, landingUrl: _url, landingPath: _path, ...source } = classifyVisit(input);
  return source;
}
