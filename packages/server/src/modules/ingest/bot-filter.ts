// First step of the ingestion pipeline: drop hits that no person made, so they never lease a number.
// Runs on every tracker hit: a human user agent costs one test of one precompiled regex; the finer
// patterns below run only to name the reason once that regex has matched.

export type BotReason =
  | 'empty_user_agent'
  /** A declared crawler, link-preview fetcher, SEO or AI bot. */
  | 'bot_user_agent'
  /** A programming library or command-line HTTP client (curl, python-requests, axios…). */
  | 'http_client'
  /** A headless browser (HeadlessChrome, PhantomJS). */
  | 'headless_browser'
  /** A page-speed or uptime tool (Lighthouse, PageSpeed Insights, WebPageTest, GTmetrix, Pingdom). */
  | 'audit_tool'
  /** The page reported navigator.webdriver (Selenium, Puppeteer, Playwright). */
  | 'automation'
  /** Request headers that only robots send (From:, HeadlessChrome in Sec-CH-UA). */
  | 'bot_header'
  /** Sent by a prefetched or prerendered page that the person may never see (Sec-Purpose, Purpose). */
  | 'prefetch';

export interface BotCheckInput {
  userAgent?: string | null;
  /** Request headers with lower-case names, as Node gives them. */
  headers?: Record<string, string | undefined>;
  /** navigator.webdriver as reported by the tracker. */
  webdriver?: boolean;
}

const HEADLESS = ['HeadlessChrome', 'PhantomJS', 'SlimerJS', 'Headless'];
const AUDIT = [
  'Chrome-Lighthouse',
  'Lighthouse',
  'Google Page Speed',
  'PageSpeed',
  'PTST/', // WebPageTest
  'GTmetrix',
  'Pingdom',
  'UptimeRobot',
  'StatusCake',
  'Site24x7',
  'DatadogSynthetics',
  'NewRelicPinger',
  'Uptime-Kuma',
];
// Anchored: these names appear only at the start of a client library's user agent.
const HTTP_CLIENTS = [
  '^curl/',
  '^Wget',
  '^python-requests',
  '^Python-urllib',
  '^Python/', // aiohttp
  '^python-httpx',
  '^aiohttp',
  '^Go-http-client',
  '^Java/',
  '^Apache-HttpClient',
  '^okhttp',
  '^axios',
  '^node-fetch',
  '^node$',
  '^undici',
  '^got ',
  '^PostmanRuntime',
  '^insomnia',
  '^HTTPie',
  '^libwww-perl',
  '^Ruby',
  '^Faraday',
  '^GuzzleHttp',
  '^PHP',
  '^Dart/',
  '^Deno/',
  '^Bun/',
  '^Scrapy',
  '^Mechanize',
  '^PycURL',
  '^reqwest',
  '^RestSharp',
  '^WinHttp',
  '^http\\.rb',
];
const BOTS = [
  // "bot" anywhere catches Googlebot, YandexBot, bingbot, AhrefsBot, SemrushBot, MJ12bot, Applebot, GPTBot,
  // ClaudeBot, PetalBot, TelegramBot, Slackbot, Twitterbot, LinkedInBot, DuckDuckBot, Mail.RU_Bot…
  // but not the CUBOT phone brand.
  '(?<!cu)bot',
  'crawl',
  'spider', // Baiduspider, Bytespider, Sogou web spider, Screaming Frog SEO Spider
  'slurp', // Yahoo
  'fetcher', // FeedFetcher-Google, YaDirectFetcher, meta-externalfetcher
  // Yandex robots without "bot" in the name (YandexBot itself matched above).
  'Yandex(?:Images|Video|Media|Blogs|Favicons|Webmaster|Pagechecker|ImageResizer|AdNet|Direct|Metrika|News|Catalog|Market|Vertis|ForDomain|SearchShop|OntoDB|Tracker|Turbo|Verticals|Userproxy|RCA|Partner|Calendar|Fotki|Dialogs|Sprav|Antivirus)',
  'Google-(?:InspectionTool|Read-Aloud|Site-Verification|Extended|Safety|CloudVertexBot|PageRenderer)',
  'GoogleOther',
  'Mediapartners-Google',
  'APIs-Google',
  'Google Web Preview',
  'Google Favicon',
  'facebookexternalhit',
  'facebookcatalog',
  'meta-externalagent',
  'vkShare',
  '^WhatsApp',
  'Slack-ImgProxy',
  'SkypeUriPreview',
  'BingPreview',
  'Snap URL Preview',
  'ChatGPT-User',
  'OAI-SearchBot',
  'Claude-(?:Web|User|SearchBot)',
  'anthropic-ai',
  'Perplexity-User',
  'cohere-ai',
  'CCBot',
  'ia_archiver',
  'MegaIndex',
  'StackRambler',
  'Qwantify',
  'Nutch',
  'Sitebulb',
  'Netcraft',
  'HTTrack',
  'Xenu',
  'Siteimprove',
  'Embedly',
  'Iframely',
  'ELB-HealthChecker',
  'Cloudflare-(?:AlwaysOnline|Diagnostics|Healthchecks)',
];

const alternation = (patterns: string[]) => new RegExp(patterns.join('|'), 'i');
const ANY_ROBOT = alternation([...HEADLESS, ...AUDIT, ...HTTP_CLIENTS, ...BOTS]);
const HEADLESS_RE = alternation(HEADLESS);
const AUDIT_RE = alternation(AUDIT);
const HTTP_CLIENT_RE = alternation(HTTP_CLIENTS);
const HEADLESS_BRAND = /HeadlessChrome/i;
const PREFETCH = /prefetch|prerender|preview/i;

// Most page views come with one of a few thousand user agents: the verdict on each is remembered.
const verdicts = new Map<string, BotReason | null>();

function agentVerdict(userAgent: string): BotReason | null {
  let verdict = verdicts.get(userAgent);
  if (verdict !== undefined) return verdict;
  verdict = null;
  if (ANY_ROBOT.test(userAgent)) {
    if (HEADLESS_RE.test(userAgent)) verdict = 'headless_browser';
    else if (AUDIT_RE.test(userAgent)) verdict = 'audit_tool';
    else if (HTTP_CLIENT_RE.test(userAgent)) verdict = 'http_client';
    else verdict = 'bot_user_agent';
  }
  if (verdicts.size >= 5000) verdicts.clear();
  if (userAgent.length <= 500) verdicts.set(userAgent, verdict);
  return verdict;
}

/** Why a hit looks automated, or null when it looks like a person. */
export function detectBot({ userAgent, headers, webdriver }: BotCheckInput): BotReason | null {
  if (webdriver === true) return 'automation';
  if (typeof userAgent !== 'string' || userAgent.trim() === '') return 'empty_user_agent';
  const byAgent = agentVerdict(userAgent);
  if (byAgent) return byAgent;
  if (headers) {
    // Headless Chrome keeps its brand in client hints even when the user agent string is spoofed.
    const brands = headers['sec-ch-ua'];
    if (brands !== undefined && HEADLESS_BRAND.test(brands)) return 'headless_browser';
    // Crawlers announce an operator address in From:, which browsers never send.
    if (headers.from) return 'bot_header';
    const purpose = headers['sec-purpose'] ?? headers.purpose ?? headers['x-purpose'] ?? headers['x-moz'];
    if (purpose !== undefined && PREFETCH.test(purpose)) return 'prefetch';
  }
  return null;
}
