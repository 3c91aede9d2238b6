// Shared types of the ingestion steps that describe where a visit came from.
// Pure data: no I/O, safe to import from services, routes and the tracker tests alike.

/** What the tracker reports about a landing: the raw material for classification. */
export interface VisitInput {
  /** Landing page URL, absolute (as the browser saw it, query and hash included). */
  url: string;
  /** `document.referrer`; empty or missing for direct visits and many in-app browsers. */
  referrer?: string;
  userAgent?: string;
}

export const CHANNELS = [
  'direct',
  'organic',
  'paid',
  'social',
  'email',
  'referral',
  // Tagged with an offline medium (billboard, radio, print, QR code…).
  'offline',
  // Tagged with utm_* we cannot place in any channel above.
  'other',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const AD_NETWORKS = [
  'google_ads',
  'google_dv360',
  'yandex_direct',
  'yandex_market',
  'vk_ads',
  'mytarget',
  'facebook_ads',
  'microsoft_ads',
  'tiktok_ads',
  'telegram_ads',
  'linkedin_ads',
  'x_ads',
  'pinterest_ads',
  'snapchat_ads',
] as const;
export type AdNetwork = (typeof AD_NETWORKS)[number];

export const UTM_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] as const;
export type UtmKey = (typeof UTM_KEYS)[number];
export type UtmParams = Partial<Record<UtmKey, string>>;

/**
 * URL parameters kept in `TrafficSource.clickIds` (keys lower-cased). Not all of them mean a paid click:
 * `fbclid` is added to organic shares too, `ysclid` and `srsltid` mark organic Yandex and Google results,
 * and `erid` is the Russian ad-labelling token (ads only, but of any network, bloggers included).
 */
export const CLICK_ID_KEYS = [
  'gclid',
  'gbraid',
  'wbraid',
  'dclid',
  'srsltid',
  'yclid',
  'ysclid',
  'ymclid',
  'fbclid',
  'msclkid',
  'ttclid',
  'twclid',
  'li_fat_id',
  'epik',
  'sccid',
  'vkclid',
  'rb_clickid',
  'erid',
] as const;
export type ClickIdKey = (typeof CLICK_ID_KEYS)[number];

/** Where a visit came from, as stored on the visit and used for reports and pool choice. */
export interface TrafficSource {
  channel: Channel;
  /** Lower-case: 'google', 'yandex', 'vk.com', a referrer host, or '(direct)'. */
  source: string;
  /** Lower-case: 'cpc', 'organic', 'referral', 'social', 'email', '(none)', or the utm_medium as tagged. */
  medium: string;
  /** Set only for paid traffic whose network we can tell. */
  adNetwork?: AdNetwork;
  campaign?: string;
  adGroup?: string;
  ad?: string;
  keyword?: string;
  /** Keys from CLICK_ID_KEYS that were present in the landing URL. */
  clickIds: Record<string, string>;
  /** Referrer host without `www.`, Unicode (IDN decoded); set for internal referrers too. */
  referrerHost?: string;
}

/** A TrafficSource plus the raw tags and landing page: everything pool rules can test. */
export interface VisitSource extends TrafficSource {
  utm: UtmParams;
  /** The landing URL as given, capped at MAX_URL_LENGTH. */
  landingUrl: string;
  /** Decoded path of the landing URL, '/' when unknown. */
  landingPath: string;
}

/** Cap for every extracted value (tags, click ids, hosts). */
export const MAX_VALUE_LENGTH = 256;
/** Cap for the stored landing URL. */
export const MAX_URL_LENGTH = 2048;
