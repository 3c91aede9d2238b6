import { describe, expect, it } from 'vitest';
import { classifySource, classifyVisit } from './classify-source.js';
import { safeDecode } from './url-text.js';
import type { TrafficSource, VisitInput } from './visit-source.js';

interface Case {
  name: string;
  input: VisitInput;
  expected: Partial<TrafficSource>;
}

// `field: undefined` in an expectation means "absent": the classifier never writes undefined values.
const run = (cases: Case[]) =>
  it.each(cases)('$name', ({ input, expected }) => {
    const actual = classifySource(input);
    const present = Object.fromEntries(Object.entries(expected).filter(([, value]) => value !== undefined));
    expect(actual).toMatchObject(present);
    for (const [key, value] of Object.entries(expected))
      if (value === undefined) expect(actual).not.toHaveProperty(key);
  });

const direct = { channel: 'direct', source: '(direct)', medium: '(none)' } as const;
const organic = (source: string) => ({ channel: 'organic', source, medium: 'organic' }) as const;
const social = (source: string) => ({ channel: 'social', source, medium: 'social' }) as const;
const email = (source: string) => ({ channel: 'email', source, medium: 'email' }) as const;
const landing = 'https://example.ru/';

describe('Yandex Direct', () => {
  run([
    {
      name: 'search ad: standard utm template expanded, with yclid',
      input: {
        url:
          'https://remont-msk.ru/?utm_source=yandex&utm_medium=cpc&utm_campaign=109876543&utm_content=15678901234' +
          '&utm_term=%D1%80%D0%B5%D0%BC%D0%BE%D0%BD%D1%82+%D0%BA%D0%B2%D0%B0%D1%80%D1%82%D0%B8%D1%80&yclid=8823749283749283749',
        referrer: 'https://yandex.ru/',
      },
      expected: {
        channel: 'paid',
        source: 'yandex',
        medium: 'cpc',
        adNetwork: 'yandex_direct',
        campaign: '109876543',
        ad: '15678901234',
        keyword: 'ремонт квартир',
        clickIds: { yclid: '8823749283749283749' },
        referrerHost: 'yandex.ru',
      },
    },
    {
      name: 'ad network (RSYa) placement with autotargeting and custom {source_type}/{source} params',
      input: {
        url:
          'https://clinic-spb.ru/implantaciya/?utm_source=yandex&utm_medium=cpc&utm_campaign=rsya_implant%7C98765432' +
          '&utm_content=gbid%7C5123456789%7Cad%7C16123456789&utm_term=---autotargeting&type=context&source=news.mail.ru' +
          '&block=none&position=0&yclid=4728194728194728194',
        referrer: 'https://news.mail.ru/',
      },
      expected: {
        channel: 'paid',
        adNetwork: 'yandex_direct',
        campaign: 'rsya_implant|98765432',
        ad: 'gbid|5123456789|ad|16123456789',
        keyword: '---autotargeting',
        referrerHost: 'news.mail.ru',
      },
    },
    {
      name: 'yclid alone beats the organic-looking yandex.ru referrer',
      input: { url: `${landing}?yclid=6237462384762384`, referrer: 'https://yandex.ru/' },
      expected: { channel: 'paid', source: 'yandex', medium: 'cpc', adNetwork: 'yandex_direct' },
    },
    {
      name: 'unexpanded {macros} are treated as empty',
      input: {
        url: `${landing}?utm_source=yandex&utm_medium=cpc&utm_campaign={campaign_id}&utm_content={ad_id}&utm_term={keyword}`,
      },
      expected: {
        channel: 'paid',
        adNetwork: 'yandex_direct',
        campaign: undefined,
        ad: undefined,
        keyword: undefined,
      },
    },
    {
      name: 'URL-encoded unexpanded macros are treated as empty too',
      input: {
        url: `${landing}?utm_source=yandex&utm_medium=cpc&utm_term=%7Bkeyword%7D&utm_content=%7Bgbid%7D_%7Bad_id%7D`,
      },
      expected: { keyword: undefined, ad: undefined },
    },
    {
      name: 'Direct parameters under their own names, no utm',
      input: {
        url: `${landing}?campaign_id=99887766&ad_id=15551234567&gbid=5012345678&keyword=%D0%BE%D0%BA%D0%BD%D0%B0+%D0%BF%D0%B2%D1%85&yclid=1`,
      },
      expected: {
        channel: 'paid',
        campaign: '99887766',
        ad: '15551234567',
        adGroup: '5012345678',
        keyword: 'окна пвх',
      },
    },
    {
      name: 'utm without yclid (auto-tagging off) still maps to Yandex Direct',
      input: { url: `${landing}?utm_source=Yandex&utm_medium=CPC&utm_campaign=Brand_Moscow` },
      expected: {
        channel: 'paid',
        source: 'yandex',
        medium: 'cpc',
        adNetwork: 'yandex_direct',
        campaign: 'Brand_Moscow',
      },
    },
    {
      name: '_openstat, base64url-encoded',
      input: {
        url: `${landing}?_openstat=ZGlyZWN0LnlhbmRleC5ydTsxMjM0NTY3OzEyMzQ1Njc4OTt5YW5kZXgucnU6cHJlbWl1bQ`,
      },
      expected: {
        channel: 'paid',
        source: 'yandex',
        adNetwork: 'yandex_direct',
        campaign: '1234567',
        ad: '123456789',
      },
    },
    {
      name: '_openstat, plain text',
      input: { url: `${landing}?_openstat=direct.yandex.ru%3B4455667%3B889900%3Byandex.ru%3Apremium` },
      expected: { channel: 'paid', adNetwork: 'yandex_direct', campaign: '4455667', ad: '889900' },
    },
    {
      name: '_openstat garbage is ignored',
      input: { url: `${landing}?_openstat=%%%%` },
      expected: direct,
    },
    {
      name: 'Yandex Market click id',
      input: { url: `${landing}product/42?ymclid=16912345678901234567890001` },
      expected: { channel: 'paid', source: 'yandex_market', adNetwork: 'yandex_market' },
    },
  ]);
});

describe('Yandex organic and ysclid', () => {
  run([
    {
      name: 'ysclid from organic results with the yandex.ru referrer',
      input: { url: `${landing}?ysclid=lq2x7f1a3b123456789`, referrer: 'https://yandex.ru/' },
      expected: { ...organic('yandex'), adNetwork: undefined, clickIds: { ysclid: 'lq2x7f1a3b123456789' } },
    },
    {
      // Links copied from Yandex Browser keep ysclid; without a referrer it is most likely a shared link.
      name: 'ysclid without referrer is not an ad click',
      input: { url: `${landing}?ysclid=lq2x7f1a3b123456789` },
      expected: { ...direct, clickIds: { ysclid: 'lq2x7f1a3b123456789' } },
    },
    {
      name: 'yandex.by',
      input: { url: landing, referrer: 'https://yandex.by/' },
      expected: organic('yandex'),
    },
    {
      name: 'yandex.com.tr',
      input: { url: landing, referrer: 'https://yandex.com.tr/' },
      expected: organic('yandex'),
    },
    { name: 'ya.ru', input: { url: landing, referrer: 'https://ya.ru/' }, expected: organic('yandex') },
    {
      name: 'Yandex app on Android',
      input: { url: landing, referrer: 'android-app://ru.yandex.searchplugin/' },
      expected: organic('yandex'),
    },
    {
      name: 'Turbo page',
      input: { url: landing, referrer: 'https://example-ru.turbopages.org/' },
      expected: organic('yandex'),
    },
  ]);
});

describe('Google Ads', () => {
  run([
    {
      name: 'ValueTrack template expanded, gad_source and gclid',
      input: {
        url:
          'https://www.example.com/landing?utm_source=google&utm_medium=cpc&utm_campaign=21345678901&utm_content=694312345678' +
          '&utm_term=emergency%20plumber&gad_source=1&gclid=Cj0KCQiA4L2BhCvARIsAO0SBdY_5wXk3bC7JtEXAMPLE_BwE',
        referrer: 'https://www.google.com/',
      },
      expected: {
        channel: 'paid',
        source: 'google',
        medium: 'cpc',
        adNetwork: 'google_ads',
        campaign: '21345678901',
        ad: '694312345678',
        keyword: 'emergency plumber',
        clickIds: { gclid: 'Cj0KCQiA4L2BhCvARIsAO0SBdY_5wXk3bC7JtEXAMPLE_BwE' },
      },
    },
    {
      name: 'gclid alone beats the organic google referrer',
      input: { url: `${landing}?gclid=EAIaIQobChMI`, referrer: 'https://www.google.ru/' },
      expected: { channel: 'paid', source: 'google', medium: 'cpc', adNetwork: 'google_ads' },
    },
    {
      name: 'gbraid (iOS app campaigns)',
      input: { url: `${landing}?gbraid=0AAAAADxyzEXAMPLE` },
      expected: { channel: 'paid', adNetwork: 'google_ads', clickIds: { gbraid: '0AAAAADxyzEXAMPLE' } },
    },
    { name: 'wbraid', input: { url: `${landing}?wbraid=CjkKCQjw` }, expected: { adNetwork: 'google_ads' } },
    {
      name: 'gad_source survives when Safari strips gclid',
      input: {
        url: `${landing}?gad_source=1&gad_campaignid=20987654321`,
        referrer: 'https://www.google.com/',
      },
      expected: { channel: 'paid', adNetwork: 'google_ads', campaign: '20987654321', clickIds: {} },
    },
    {
      name: 'ValueTrack parameters under their own names',
      input: {
        url: `${landing}?campaignid=123&adgroupid=456&creative=789&keyword=plumber+near+me&matchtype=p&gclid=x`,
      },
      expected: { campaign: '123', adGroup: '456', ad: '789', keyword: 'plumber near me' },
    },
    {
      name: 'unexpanded {campaignid} and {keyword}',
      input: {
        url: `${landing}?utm_source=google&utm_medium=cpc&utm_campaign={campaignid}&utm_term={keyword}`,
      },
      expected: { channel: 'paid', adNetwork: 'google_ads', campaign: undefined, keyword: undefined },
    },
    {
      name: 'Display & Video 360 dclid',
      input: { url: `${landing}?dclid=CJ2x4qfbk4ADFUMZBgAd` },
      expected: { channel: 'paid', source: 'dv360', medium: 'cpm', adNetwork: 'google_dv360' },
    },
    {
      name: 'ad click redirect host as referrer (auto-tagging off)',
      input: { url: landing, referrer: 'https://www.googleadservices.com/' },
      expected: { channel: 'paid', source: 'google', adNetwork: 'google_ads' },
    },
    {
      name: 'Google Business Profile tagged organic',
      input: {
        url: `${landing}?utm_source=google&utm_medium=organic&utm_campaign=gbp`,
        referrer: 'https://www.google.com/',
      },
      expected: { ...organic('google'), campaign: 'gbp', adNetwork: undefined },
    },
  ]);
});

describe('other ad networks', () => {
  run([
    {
      name: 'Microsoft Advertising msclkid',
      input: { url: `${landing}?msclkid=5a1b2c3d4e5f60718293a4b5c6d7e8f9` },
      expected: { channel: 'paid', source: 'bing', medium: 'cpc', adNetwork: 'microsoft_ads' },
    },
    {
      name: 'VK Ads with unexpanded {{macros}}',
      input: {
        url: `${landing}?utm_source=vk&utm_medium=cpc&utm_campaign={{campaign_id}}&utm_content={{banner_id}}`,
      },
      expected: { channel: 'paid', source: 'vk', adNetwork: 'vk_ads', campaign: undefined, ad: undefined },
    },
    {
      name: 'VK Ads utm_source=vkads, no medium',
      input: { url: `${landing}?utm_source=vkads&utm_campaign=12345678` },
      expected: {
        channel: 'paid',
        source: 'vkads',
        medium: '(not set)',
        adNetwork: 'vk_ads',
        campaign: '12345678',
      },
    },
    {
      name: 'myTarget',
      input: { url: `${landing}?utm_source=mytarget&utm_medium=cpm&utm_campaign=spring` },
      expected: { channel: 'paid', adNetwork: 'mytarget' },
    },
    {
      name: 'Meta ads: fbclid plus a paid medium',
      input: {
        url: `${landing}?utm_source=facebook&utm_medium=paid_social&utm_campaign=%7B%7Bcampaign.name%7D%7D&fbclid=IwAR3x`,
        referrer: 'https://l.facebook.com/',
      },
      expected: { channel: 'paid', source: 'facebook', adNetwork: 'facebook_ads', campaign: undefined },
    },
    {
      name: 'Instagram ads through Meta',
      input: { url: `${landing}?utm_source=instagram&utm_medium=cpc&fbclid=PAAaZ` },
      expected: { channel: 'paid', adNetwork: 'facebook_ads' },
    },
    {
      name: 'TikTok ttclid and __MACROS__',
      input: { url: `${landing}?ttclid=E.C.P.CvQBxyz&utm_campaign=__CAMPAIGN_NAME__` },
      expected: { channel: 'paid', source: 'tiktok', adNetwork: 'tiktok_ads', campaign: undefined },
    },
    {
      name: 'Telegram Ads by explicit source name',
      input: { url: `${landing}?utm_source=telegram_ads&utm_medium=cpm` },
      expected: { channel: 'paid', adNetwork: 'telegram_ads' },
    },
    {
      name: 'plain "telegram" paid post: paid, network unknown',
      input: { url: `${landing}?utm_source=telegram&utm_medium=cpm&utm_campaign=post_kanal` },
      expected: { channel: 'paid', source: 'telegram', adNetwork: undefined },
    },
    {
      name: 'erid (Russian ad label) on a Telegram channel post',
      input: { url: `${landing}?erid=2SDnjeXYZabc`, referrer: 'https://t.me/' },
      expected: { channel: 'paid', source: 't.me', medium: 'paid', clickIds: { erid: '2SDnjeXYZabc' } },
    },
    {
      name: 'erid without referrer',
      input: { url: `${landing}?erid=2SDnjeXYZabc` },
      expected: { channel: 'paid', source: '(not set)', medium: 'paid' },
    },
    {
      name: 'LinkedIn li_fat_id',
      input: { url: `${landing}?li_fat_id=3f1a2b` },
      expected: { channel: 'paid', adNetwork: 'linkedin_ads' },
    },
    {
      name: 'Criteo-style display medium with an unknown network',
      input: { url: `${landing}?utm_source=criteo&utm_medium=display` },
      expected: { channel: 'paid', source: 'criteo', medium: 'display', adNetwork: undefined },
    },
    {
      name: 'Russian "targeting" medium',
      input: { url: `${landing}?utm_source=vk&utm_medium=targeting` },
      expected: { channel: 'paid', adNetwork: 'vk_ads' },
    },
    {
      name: 'aliases such as ?ad= are ignored for non-paid traffic',
      input: { url: `${landing}?campaign=summer&ad=top`, referrer: 'https://vk.com/' },
      expected: { ...social('vk.com'), campaign: undefined, ad: undefined },
    },
  ]);
});

describe('organic search', () => {
  const engines: [string, string][] = [
    ['https://www.google.com/', 'google'],
    ['https://www.google.ru/', 'google'],
    ['https://www.google.com.ua/', 'google'],
    ['https://www.google.co.uk/', 'google'],
    ['android-app://com.google.android.googlequicksearchbox/', 'google'],
    ['https://yandex.ru/search/?text=%D0%BE%D0%BA%D0%BD%D0%B0', 'yandex'],
    ['https://www.bing.com/', 'bing'],
    ['https://cn.bing.com/', 'bing'],
    ['https://duckduckgo.com/', 'duckduckgo'],
    ['https://go.mail.ru/', 'mail.ru'],
    ['https://search.yahoo.com/', 'yahoo'],
    ['https://r.search.yahoo.com/_ylt=abc', 'yahoo'],
    ['https://www.baidu.com/link?url=abc', 'baidu'],
    ['https://www.ecosia.org/', 'ecosia'],
    ['https://nova.rambler.ru/search?query=x', 'rambler'],
    ['https://search.seznam.cz/', 'seznam'],
    ['https://m.search.naver.com/', 'naver'],
    ['https://www.startpage.com/', 'startpage'],
    ['https://www.qwant.com/', 'qwant'],
    ['https://search.brave.com/', 'brave'],
  ];
  run(
    engines.map(([referrer, source]) => ({
      name: referrer,
      input: { url: landing, referrer },
      expected: organic(source),
    })),
  );
});

describe('social', () => {
  const networks: [string, string][] = [
    ['https://vk.com/', 'vk.com'],
    ['https://m.vk.com/wall-123_456', 'vk.com'],
    ['https://away.vk.com/', 'vk.com'],
    ['https://vk.ru/', 'vk.com'],
    ['android-app://com.vkontakte.android/', 'vk.com'],
    ['https://ok.ru/', 'ok.ru'],
    ['https://m.ok.ru/', 'ok.ru'],
    ['https://l.facebook.com/', 'facebook.com'],
    ['https://lm.facebook.com/', 'facebook.com'],
    ['https://l.instagram.com/', 'instagram.com'],
    ['https://t.me/', 't.me'],
    ['https://web.telegram.org/', 't.me'],
    ['android-app://org.telegram.messenger/', 't.me'],
    ['https://www.youtube.com/', 'youtube.com'],
    ['https://m.youtube.com/', 'youtube.com'],
    ['https://t.co/', 'x.com'],
    ['https://x.com/', 'x.com'],
    ['https://www.linkedin.com/', 'linkedin.com'],
    ['https://lnkd.in/', 'linkedin.com'],
    ['https://www.tiktok.com/', 'tiktok.com'],
    ['https://ru.pinterest.com/', 'pinterest.com'],
    ['https://out.reddit.com/', 'reddit.com'],
    ['https://dzen.ru/', 'dzen.ru'],
    ['https://zen.yandex.ru/', 'dzen.ru'],
    ['https://pikabu.ru/', 'pikabu.ru'],
  ];
  run(
    networks.map(([referrer, source]) => ({
      name: referrer,
      input: { url: landing, referrer },
      expected: social(source),
    })),
  );
  run([
    {
      name: 'fbclid without referrer (in-app browser)',
      input: { url: `${landing}?fbclid=IwAR2xyz` },
      expected: { ...social('facebook.com'), clickIds: { fbclid: 'IwAR2xyz' } },
    },
    {
      name: 'fbclid with an Instagram referrer',
      input: { url: `${landing}?fbclid=PAZXh0bgNhZW0`, referrer: 'https://l.instagram.com/' },
      expected: social('instagram.com'),
    },
    {
      name: 'utm_source=vk without medium is social',
      input: { url: `${landing}?utm_source=vk&utm_campaign=post_0425` },
      expected: { channel: 'social', source: 'vk', medium: '(not set)', campaign: 'post_0425' },
    },
    {
      name: 'utm_medium=smm',
      input: { url: `${landing}?utm_source=telegram&utm_medium=smm` },
      expected: { channel: 'social', source: 'telegram', medium: 'smm' },
    },
  ]);
});

describe('email', () => {
  run([
    {
      name: 'Gmail',
      input: { url: landing, referrer: 'https://mail.google.com/' },
      expected: email('mail.google.com'),
    },
    {
      name: 'Mail.ru',
      input: { url: landing, referrer: 'https://e.mail.ru/' },
      expected: email('e.mail.ru'),
    },
    {
      name: 'Yandex Mail',
      input: { url: landing, referrer: 'https://mail.yandex.ru/' },
      expected: email('mail.yandex.ru'),
    },
    {
      name: 'Rambler Mail',
      input: { url: landing, referrer: 'https://mail.rambler.ru/' },
      expected: email('mail.rambler.ru'),
    },
    {
      name: 'Outlook',
      input: { url: landing, referrer: 'https://outlook.live.com/' },
      expected: email('outlook.live.com'),
    },
    {
      name: 'Gmail app on Android',
      input: { url: landing, referrer: 'android-app://com.google.android.gm/' },
      expected: email('mail.google.com'),
    },
    {
      name: 'utm_medium=email beats a search referrer',
      input: {
        url: `${landing}?utm_source=newsletter&utm_medium=email&utm_campaign=may`,
        referrer: 'https://www.google.com/',
      },
      expected: { channel: 'email', source: 'newsletter', medium: 'email', campaign: 'may' },
    },
    {
      name: 'utm_medium=newsletter',
      input: { url: `${landing}?utm_source=unisender&utm_medium=newsletter` },
      expected: { channel: 'email' },
    },
    {
      name: 'email service as utm_source, no medium',
      input: { url: `${landing}?utm_source=unisender` },
      expected: { channel: 'email', medium: '(not set)' },
    },
    {
      name: 'the mail.ru portal itself is not webmail',
      input: { url: landing, referrer: 'https://mail.ru/' },
      expected: { channel: 'referral', source: 'mail.ru' },
    },
  ]);
});

describe('referral, direct, offline and other', () => {
  run([
    {
      name: 'unknown external site',
      input: { url: landing, referrer: 'https://habr.com/ru/articles/123/' },
      expected: { channel: 'referral', source: 'habr.com', medium: 'referral', referrerHost: 'habr.com' },
    },
    {
      name: 'Google subdomains that are not search',
      input: { url: landing, referrer: 'https://news.google.com/' },
      expected: { channel: 'referral', source: 'news.google.com' },
    },
    {
      name: 'Yandex Maps is a referral, not search',
      input: { url: landing, referrer: 'https://maps.yandex.ru/' },
      expected: { channel: 'referral', source: 'maps.yandex.ru' },
    },
    {
      name: 'IDN referrer decoded to Unicode',
      input: { url: landing, referrer: 'https://xn--80aswg.xn--p1ai/page' },
      expected: { channel: 'referral', source: 'сайт.рф', referrerHost: 'сайт.рф' },
    },
    { name: 'no referrer, no tags', input: { url: landing }, expected: { ...direct, clickIds: {} } },
    { name: 'empty referrer', input: { url: landing, referrer: '' }, expected: direct },
    {
      name: 'same-host referrer is internal',
      input: { url: 'https://example.ru/catalog/', referrer: 'https://www.example.ru/' },
      expected: { ...direct, referrerHost: 'example.ru' },
    },
    {
      name: 'subdomain referrer is internal',
      input: { url: 'https://shop.example.ru/cart', referrer: 'https://example.ru/' },
      expected: direct,
    },
    {
      name: 'sibling tenant on a shared domain is external',
      input: { url: 'https://a.tilda.ws/', referrer: 'https://b.tilda.ws/' },
      expected: { channel: 'referral', source: 'b.tilda.ws' },
    },
    { name: 'referrer "null"', input: { url: landing, referrer: 'null' }, expected: direct },
    { name: 'referrer about:blank', input: { url: landing, referrer: 'about:blank' }, expected: direct },
    {
      name: 'bare-host referrer',
      input: { url: landing, referrer: 'yandex.ru' },
      expected: organic('yandex'),
    },
    {
      name: 'billboard QR code',
      input: { url: `${landing}?utm_source=billboard&utm_medium=offline&utm_campaign=mkad_42km` },
      expected: { channel: 'offline', source: 'billboard', medium: 'offline', campaign: 'mkad_42km' },
    },
    {
      name: 'utm_medium=qr',
      input: { url: `${landing}?utm_source=flyer&utm_medium=qr` },
      expected: { channel: 'offline' },
    },
    {
      name: 'offline source, no medium',
      input: { url: `${landing}?utm_source=radio` },
      expected: { channel: 'offline' },
    },
    {
      name: 'unknown tags',
      input: { url: `${landing}?utm_source=partner_x&utm_medium=post` },
      expected: { channel: 'other', source: 'partner_x', medium: 'post' },
    },
    {
      name: 'a generic source name without medium is not assumed paid',
      input: { url: `${landing}?utm_source=google` },
      expected: { channel: 'other', source: 'google', medium: '(not set)', adNetwork: undefined },
    },
    {
      name: 'a search engine source without medium, arriving from that engine: organic (map listings)',
      input: { url: `${landing}?utm_source=yandex&utm_campaign=maps`, referrer: 'https://yandex.ru/' },
      expected: { ...organic('yandex'), campaign: 'maps' },
    },
    {
      name: 'an ad-network-only source name without medium is paid',
      input: { url: `${landing}?utm_source=yandex_direct` },
      expected: { channel: 'paid', adNetwork: 'yandex_direct' },
    },
    {
      name: 'utm_medium only, source from the click id',
      input: { url: `${landing}?utm_medium=cpc&gclid=abc` },
      expected: { channel: 'paid', source: 'google', adNetwork: 'google_ads' },
    },
    {
      name: 'utm_medium only, source from the referrer',
      input: { url: `${landing}?utm_medium=referral`, referrer: 'https://partner.ru/' },
      expected: { channel: 'referral', source: 'partner.ru' },
    },
    {
      name: 'utm_campaign only: source and medium from the referrer',
      input: { url: `${landing}?utm_campaign=spring`, referrer: 'https://vk.com/' },
      expected: { ...social('vk.com'), campaign: 'spring' },
    },
  ]);
});

describe('normalisation and hostile input', () => {
  run([
    {
      name: 'case and whitespace',
      input: { url: `${landing}?utm_source=%20Yandex%20&utm_medium=+CPC+` },
      expected: { source: 'yandex', medium: 'cpc' },
    },
    {
      name: 'upper-case parameter names',
      input: { url: `${landing}?UTM_SOURCE=google&UTM_MEDIUM=cpc` },
      expected: { source: 'google', adNetwork: 'google_ads' },
    },
    {
      name: 'the first non-empty duplicate wins',
      input: { url: `${landing}?utm_source=&utm_source=vk&utm_source=ok&utm_medium=cpc` },
      expected: { source: 'vk' },
    },
    {
      name: 'HTML-escaped &amp; from e-mails',
      input: { url: `${landing}?utm_source=sendpulse&amp;utm_medium=email&amp;utm_campaign=promo` },
      expected: { channel: 'email', source: 'sendpulse', campaign: 'promo' },
    },
    {
      name: 'double-encoded Cyrillic keyword',
      input: {
        url: `${landing}?utm_source=yandex&utm_medium=cpc&utm_term=%25D0%25BA%25D1%2583%25D0%25BF%25D0%25B8%25D1%2582%25D1%258C`,
      },
      expected: { keyword: 'купить' },
    },
    {
      name: 'windows-1251 percent-encoding',
      input: {
        url: `${landing}?utm_source=yandex&utm_medium=cpc&utm_term=%EA%F3%EF%E8%F2%FC+%E4%E8%E2%E0%ED`,
      },
      expected: { keyword: 'купить диван' },
    },
    {
      name: 'malformed percent sequences do not throw',
      input: { url: `${landing}?utm_source=goo%ZZgle&utm_medium=cp%c&utm_term=%E0%A4%A&utm_campaign=%` },
      expected: { source: 'goo%zzgle', medium: 'cp%c', campaign: '%' },
    },
    {
      name: '"undefined" and "null" from broken scripts are empty',
      input: { url: `${landing}?utm_source=undefined&utm_medium=null` },
      expected: direct,
    },
    {
      name: 'tags after a hash-router path',
      input: { url: `${landing}#/catalog?utm_source=vk&utm_medium=cpc` },
      expected: { channel: 'paid', adNetwork: 'vk_ads' },
    },
    {
      name: 'tags in the hash itself',
      input: { url: `${landing}#utm_source=google&utm_medium=cpc` },
      expected: { channel: 'paid', adNetwork: 'google_ads' },
    },
    {
      name: 'query wins over the hash',
      input: { url: `${landing}?utm_source=yandex&utm_medium=cpc#utm_source=google` },
      expected: { source: 'yandex' },
    },
    {
      name: 'relative URL: tags still read',
      input: { url: '/uslugi/?utm_source=google&utm_medium=cpc', referrer: 'https://www.google.com/' },
      expected: { channel: 'paid', adNetwork: 'google_ads', referrerHost: 'google.com' },
    },
    {
      name: 'not a URL at all',
      input: { url: 'not a url?utm_source=google&utm_medium=cpc' },
      expected: { channel: 'paid', source: 'google' },
    },
    { name: 'empty URL', input: { url: '' }, expected: direct },
    { name: 'garbage', input: { url: '::::%%%???&&&===', referrer: '::::' }, expected: direct },
    {
      name: 'URL with a space in the host: referrer still classified',
      input: { url: 'https://exa mple.ru/', referrer: 'https://www.google.com/' },
      expected: organic('google'),
    },
  ]);

  it('caps long values at 256 characters', () => {
    const long = 'x'.repeat(1000);
    const source = classifySource({
      url: `${landing}?utm_source=${long}&utm_campaign=${long}&gclid=${long}`,
    });
    expect(source.source).toHaveLength(256);
    expect(source.campaign).toHaveLength(256);
    expect(source.clickIds.gclid).toHaveLength(256);
  });

  it('does not cut an emoji in half', () => {
    const campaign = `${'a'.repeat(255)}🔥`;
    expect(classifySource({ url: `${landing}?utm_campaign=${encodeURIComponent(campaign)}` }).campaign).toBe(
      'a'.repeat(255),
    );
  });

  it('strips control characters', () => {
    expect(classifySource({ url: `${landing}?utm_source=goo%00gle%0A&utm_medium=cpc` }).source).toBe(
      'goo gle',
    );
  });

  it('survives non-string input from unvalidated JSON', () => {
    const hostile = { url: 42, referrer: {}, userAgent: null } as unknown as VisitInput;
    expect(classifySource(hostile)).toMatchObject(direct);
    expect(classifySource(undefined as unknown as VisitInput)).toMatchObject(direct);
  });

  it('handles a very long URL quickly', () => {
    const url = `${landing}?${'a=1&'.repeat(50_000)}utm_source=google`;
    const started = performance.now();
    classifySource({ url });
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('classifyVisit', () => {
  it('adds the raw tags and the landing page', () => {
    const visit = classifyVisit({
      url: 'https://xn--80aswg.xn--p1ai/%D1%83%D1%81%D0%BB%D1%83%D0%B3%D0%B8/?utm_source=VK&utm_medium=cpc&utm_term=%D0%B4%D0%B8%D0%B2%D0%B0%D0%BD',
    });
    expect(visit.utm).toEqual({ utm_source: 'VK', utm_medium: 'cpc', utm_term: 'диван' });
    expect(visit.landingPath).toBe('/услуги/');
    expect(visit.landingUrl).toMatch(/^https:\/\/xn--80aswg/);
  });

  it('keeps only TrafficSource fields in classifySource', () => {
    const source = classifySource({ url: `${landing}?utm_source=vk` });
    expect(source).not.toHaveProperty('utm');
    expect(source).not.toHaveProperty('landingUrl');
  });

  it('reads the path with a port and without one', () => {
    expect(classifyVisit({ url: 'http://localhost:3000/a/b?x=1' }).landingPath).toBe('/a/b');
    expect(classifyVisit({ url: 'https://example.ru' }).landingPath).toBe('/');
  });
});

describe('safeDecode', () => {
  it.each([
    ['a+b', 'a b'],
    ['%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82', 'привет'],
    ['100%', '100%'],
    ['%E0%A4%A', '\uFFFD%A'],
    ['%EF%F0%E8%E2%E5%F2', 'привет'],
  ])('%s → %s', (raw, expected) => {
    expect(safeDecode(raw)).toBe(expected);
  });

  it('keeps + in paths', () => {
    expect(safeDecode('/a+b', false)).toBe('/a+b');
  });
});
