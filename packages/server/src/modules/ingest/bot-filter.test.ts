import { describe, expect, it } from 'vitest';
import { type BotReason, detectBot } from './bot-filter.js';

const people: [string, string][] = [
  [
    'Chrome, Windows',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  ],
  [
    'Yandex Browser, Windows',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36',
  ],
  [
    'Yandex app, Android',
    'Mozilla/5.0 (Linux; Android 12; M2101K6G) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 YaApp_Android/23.114.1 YaSearchBrowser/23.114.1 BroPP/1.0 SA/3 Mobile Safari/537.36',
  ],
  [
    'Safari, iPhone',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  ],
  [
    'CUBOT phone (contains "bot")',
    'Mozilla/5.0 (Linux; Android 9; CUBOT_X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.0.0 Mobile Safari/537.36',
  ],
  [
    'Telegram in-app browser',
    'Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 Telegram-Android/10.12.0 (Samsung SM-A536B; Android 13; SDK 33; AVERAGE)',
  ],
  [
    'Facebook in-app browser',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/458.0.0.41.109;FBBV/590123456;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.4.1;FBSS/3;FBCR/;FBID/phone;FBLC/ru_RU;FBOP/5]',
  ],
  [
    'Instagram in-app browser',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 330.0.0.23.90 (iPhone14,5; iOS 17_4; ru_RU; ru; scale=3.00; 1170x2532; 598123456)',
  ],
  [
    'VK in-app browser',
    'Mozilla/5.0 (Linux; Android 11; Redmi Note 8 Pro Build/RP1A.200720.011; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 VKAndroidApp/8.72-15894 (Android 11; SDK 30; arm64-v8a; Xiaomi Redmi Note 8 Pro; ru; 2340x1080)',
  ],
  ['Firefox, Linux', 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'],
  [
    'Edge',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51',
  ],
  [
    'Samsung Internet',
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
  ],
  [
    'Opera Mini',
    'Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54',
  ],
  [
    'MIUI Browser',
    'Mozilla/5.0 (Linux; U; Android 12; ru-ru; 2201117TY Build/SKQ1.211006.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/112.0.5615.136 Mobile Safari/537.36 XiaoMi/MiuiBrowser/14.5.1-gn',
  ],
];

const robots: [BotReason, string][] = [
  ['bot_user_agent', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
  [
    'bot_user_agent',
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.201 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  ],
  ['bot_user_agent', 'AdsBot-Google (+http://www.google.com/adsbot.html)'],
  ['bot_user_agent', 'Mediapartners-Google'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; GoogleOther)'],
  ['bot_user_agent', 'FeedFetcher-Google; (+http://www.google.com/feedfetcher.html)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)'],
  [
    'bot_user_agent',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 8_1 like Mac OS X) AppleWebKit/600.1.4 (KHTML, like Gecko) Version/8.0 Mobile/12B411 Safari/600.1.4 (compatible; YandexMobileBot/3.0; +http://yandex.com/bots)',
  ],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexImages/3.0; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexMetrika/2.0; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexDirect/3.0; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YaDirectFetcher/1.0; Dyatel; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexFavicons/1.0; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexWebmaster/2.0; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexPagechecker/1.0; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexUserproxy; robot; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexAccessibilityBot/3.0; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexScreenshotBot/3.0; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; YandexTurbo/1.0; +http://yandex.com/bots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot)'],
  ['bot_user_agent', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'],
  [
    'bot_user_agent',
    'meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)',
  ],
  ['bot_user_agent', 'Twitterbot/1.0'],
  ['bot_user_agent', 'TelegramBot (like TwitterBot)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)'],
  ['bot_user_agent', 'WhatsApp/2.23.20.0 A'],
  ['bot_user_agent', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)'],
  [
    'bot_user_agent',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)',
  ],
  [
    'bot_user_agent',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; +https://openai.com/gptbot',
  ],
  [
    'bot_user_agent',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot',
  ],
  [
    'bot_user_agent',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)',
  ],
  [
    'bot_user_agent',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)',
  ],
  [
    'bot_user_agent',
    'Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)',
  ],
  [
    'bot_user_agent',
    'Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)',
  ],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)'],
  [
    'bot_user_agent',
    'Mozilla/5.0 (compatible; Linux x86_64; Mail.RU_Bot/2.0; +https://help.mail.ru/webmaster/indexing/robots)',
  ],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)'],
  ['bot_user_agent', 'DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)'],
  ['bot_user_agent', 'CCBot/2.0 (https://commoncrawl.org/faq/)'],
  ['bot_user_agent', 'Screaming Frog SEO Spider/19.0'],
  ['bot_user_agent', 'Mozilla/5.0 (compatible; MegaIndex.ru/2.0; +http://megaindex.com/crawler)'],
  ['http_client', 'curl/8.4.0'],
  ['http_client', 'Wget/1.21.4'],
  ['http_client', 'python-requests/2.31.0'],
  ['http_client', 'Python-urllib/3.11'],
  ['http_client', 'Python/3.11 aiohttp/3.9.1'],
  ['http_client', 'python-httpx/0.27.0'],
  ['http_client', 'Go-http-client/1.1'],
  ['http_client', 'Go-http-client/2.0'],
  ['http_client', 'axios/1.6.8'],
  ['http_client', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)'],
  ['http_client', 'node'],
  ['http_client', 'undici'],
  ['http_client', 'okhttp/4.12.0'],
  ['http_client', 'Java/17.0.2'],
  ['http_client', 'Apache-HttpClient/4.5.14 (Java/17.0.2)'],
  ['http_client', 'PostmanRuntime/7.37.0'],
  ['http_client', 'libwww-perl/6.72'],
  ['http_client', 'GuzzleHttp/7'],
  ['http_client', 'Scrapy/2.11.0 (+https://scrapy.org)'],
  [
    'headless_browser',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.60 Safari/537.36',
  ],
  [
    'headless_browser',
    'Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1',
  ],
  [
    'audit_tool',
    'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse',
  ],
  [
    'audit_tool',
    'Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko; Google Page Speed Insights) Chrome/27.0.1453 Safari/537.36',
  ],
  [
    'audit_tool',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 GTmetrix',
  ],
  [
    'audit_tool',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 PTST/240412.160428',
  ],
  ['audit_tool', 'Mozilla/5.0 (compatible; Pingdom.com_bot_version_1.4_(http://www.pingdom.com/))'],
  ['audit_tool', 'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)'],
];

const chrome = people[0]?.[1] ?? '';

describe('detectBot', () => {
  it.each(people)('lets a person through: %s', (_name, userAgent) => {
    expect(detectBot({ userAgent })).toBeNull();
  });

  it.each(robots)('%s: %s', (reason, userAgent) => {
    expect(detectBot({ userAgent })).toBe(reason);
  });

  it.each([undefined, null, '', '   '])('empty user agent %j', (userAgent) => {
    expect(detectBot({ userAgent })).toBe('empty_user_agent');
  });

  it('flags navigator.webdriver even with a normal user agent', () => {
    expect(detectBot({ userAgent: chrome, webdriver: true })).toBe('automation');
    expect(detectBot({ userAgent: chrome, webdriver: false })).toBeNull();
  });

  it('reads robot-only request headers', () => {
    expect(detectBot({ userAgent: chrome, headers: { from: 'googlebot(at)googlebot.com' } })).toBe(
      'bot_header',
    );
    expect(
      detectBot({
        userAgent: chrome,
        headers: { 'sec-ch-ua': '"HeadlessChrome";v="124", "Chromium";v="124"' },
      }),
    ).toBe('headless_browser');
    expect(detectBot({ userAgent: chrome, headers: { 'sec-purpose': 'prefetch;prerender' } })).toBe(
      'prefetch',
    );
    expect(detectBot({ userAgent: chrome, headers: { purpose: 'prefetch' } })).toBe('prefetch');
  });

  it('accepts ordinary browser headers', () => {
    const headers = {
      'sec-ch-ua': '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
      'accept-language': 'ru-RU,ru;q=0.9',
      'sec-purpose': undefined,
    };
    expect(detectBot({ userAgent: chrome, headers })).toBeNull();
  });

  it('costs microseconds per human hit', () => {
    const iterations = 20_000;
    const started = performance.now();
    for (let i = 0; i < iterations; i++) detectBot({ userAgent: people[i % people.length]?.[1] });
    const perCall = ((performance.now() - started) / iterations) * 1000;
    expect(perCall).toBeLessThan(50); // µs; typically well under 5
  });
});
