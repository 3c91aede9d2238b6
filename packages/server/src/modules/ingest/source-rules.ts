// Which referrer hosts, utm_medium and utm_source values mean which channel and ad network.
import { AD_NETWORKS, type AdNetwork, CHANNELS, type Channel, type TrafficSource } from './visit-source.js';

export type Base = Pick<TrafficSource, 'channel' | 'source' | 'medium' | 'adNetwork'>;
interface HostRule extends Base {
  /** Also match subdomains (l.facebook.com → facebook.com). */
  subdomains: boolean;
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

export function classifyHost(host: string): Base | undefined {
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
export const NETWORK_BY_SOURCE = new Map<string, AdNetwork>();
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

export function mediumChannel(medium: string): Channel | undefined {
  for (const [pattern, channel] of MEDIUM_CHANNELS) if (pattern.test(medium)) return channel;
  return undefined;
}

export function sourceChannel(source: string): Channel | undefined {
  if (SOCIAL_SOURCES.has(source)) return 'social';
  if (EMAIL_SOURCES.has(source) || WEBMAIL.test(source)) return 'email';
  if (PAID_SOURCES.has(source)) return 'paid';
  if (OFFLINE.test(source)) return 'offline';
  return undefined;
}
