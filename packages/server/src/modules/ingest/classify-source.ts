import { type Base, classifyHost, mediumChannel, NETWORK_BY_SOURCE, sourceChannel } from './source-rules.js';
import {
  AD_GROUP_KEYS,
  AD_KEYS,
  CAMPAIGN_KEYS,
  cap,
  cleanText,
  hostOf,
  KEYWORD_KEYS,
  parseLanding,
  sameSite,
} from './url-text.js';
import {
  type AdNetwork,
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

const DIRECT: Base = { channel: 'direct', source: '(direct)', medium: '(none)' };
const NOT_SET = '(not set)';
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

  // Field by field: a spread of `base` (whose shape varies with adNetwork) took V8's slow path, a third of this
  // function's time.
  const result: VisitSource = {
    channel: base.channel,
    source: base.source,
    medium: base.medium,
    clickIds,
    utm,
    landingUrl: cap(url.trim(), MAX_URL_LENGTH),
    landingPath: landing.path,
  };
  if (base.adNetwork !== undefined) result.adNetwork = base.adNetwork;
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
