// Realistic page views for POST /t/visit, as the site script sends them (docs/tracker-protocol.md): a mix of
// new visitors from the usual Russian traffic sources, visitors clicking on to another page (same visit, same
// number), and visitors coming back through a new ad (a new visit that takes their number over).

export const CHROME_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
];

/** Shares of page views; the rest are first page views of new visitors. */
export const MIX = { nextPage: 0.5, newAd: 0.1 };

const SITE = 'https://okna.example.ru';
const PAGES = ['/', '/prices', '/catalog/plastikovye-okna', '/catalog/balkony', '/contacts', '/promo/zima'];
const CAMPAIGNS = ['okna_msk', 'okna_mo', 'balkony_msk', 'remarketing', 'brand'];
const TERMS = ['пластиковые окна', 'окна пвх цена', 'остекление балкона', 'окна недорого', 'замер окон'];

type Source = { weight: number; url: () => string; referrer?: () => string };

let serial = 0;
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const digits = (n: number) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');
const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

const SOURCES: Source[] = [
  {
    weight: 25, // Yandex Direct: utm tags and yclid
    url: () =>
      `${SITE}${pick(PAGES)}${q({ utm_source: 'yandex', utm_medium: 'cpc', utm_campaign: pick(CAMPAIGNS), utm_term: pick(TERMS), yclid: digits(17) })}`,
    referrer: () => 'https://yandex.ru/',
  },
  {
    weight: 15, // Google Ads: auto-tagging only
    url: () => `${SITE}${pick(PAGES)}${q({ gclid: `Cj0KCQ${digits(20)}`, gad_source: '1' })}`,
    referrer: () => 'https://www.google.com/',
  },
  { weight: 20, url: () => `${SITE}${pick(PAGES)}`, referrer: () => 'https://ya.ru/' },
  { weight: 10, url: () => `${SITE}${pick(PAGES)}`, referrer: () => 'https://www.google.ru/' },
  { weight: 15, url: () => `${SITE}${pick(PAGES)}` },
  {
    weight: 5,
    url: () =>
      `${SITE}/promo/zima${q({ utm_source: 'vk', utm_medium: 'social', utm_campaign: 'zima_2026' })}`,
    referrer: () => 'https://vk.com/',
  },
  {
    weight: 5,
    url: () =>
      `${SITE}/promo/zima${q({ utm_source: 'newsletter', utm_medium: 'email', utm_campaign: `dec_${serial % 4}` })}`,
  },
  { weight: 5, url: () => `${SITE}/`, referrer: () => 'https://www.avito.ru/moskva/remont' },
];
const TOTAL_WEIGHT = SOURCES.reduce((sum, s) => sum + s.weight, 0);

function source(): Source {
  let x = Math.random() * TOTAL_WEIGHT;
  for (const s of SOURCES) {
    x -= s.weight;
    if (x < 0) return s;
  }
  return SOURCES[0] as Source;
}

export interface PageView {
  body: string;
  userAgent: string;
}

const VID = /"vid":"([0-9a-f-]{36})"/;

/** Generates page views and remembers the visitor ids the server gives out, to send them back later. */
export class PageViews {
  private readonly visitors: string[] = [];
  private cursor = 0;
  readonly counts = { new: 0, nextPage: 0, newAd: 0 };

  constructor(
    private readonly publicKey: string,
    private readonly remember = 20_000,
  ) {}

  next(): PageView {
    serial += 1;
    const r = Math.random();
    const vid = this.visitors.length > 0 ? pick(this.visitors) : undefined;
    const body: Record<string, unknown> = {
      k: this.publicKey,
      l: 'ru-RU',
      s: pick(['1920x1080', '1536x864', '412x915']),
      sv: 1,
    };
    if (vid && r < MIX.nextPage) {
      this.counts.nextPage += 1;
      body.vid = vid;
      body.u = `${SITE}${pick(PAGES)}`;
      body.r = `${SITE}/`;
    } else {
      const s = source();
      if (vid && r < MIX.nextPage + MIX.newAd) {
        this.counts.newAd += 1;
        body.vid = vid;
      } else this.counts.new += 1;
      body.u = s.url();
      if (s.referrer) body.r = s.referrer();
    }
    if (serial % 10 < 7) {
      body.ga = `${digits(9)}.${1_700_000_000 + (serial % 10_000_000)}`;
      body.gs = `_ga_R7X2K9PQ1=GS2.1.s${1_732_456_789 + (serial % 100_000)}`;
      body.ym = `17${digits(14)}`;
    }
    return { body: JSON.stringify(body), userAgent: pick(CHROME_AGENTS) };
  }

  /** Checks an answer: undefined when it is a 200 with a number to swap, else a short description. */
  check(status: number, body: string): string | undefined {
    if (status !== 200) return `${status} ${body.slice(0, 200)}`;
    if (!body.includes('"swap":[{')) return `200 without a swap: ${body.slice(0, 200)}`;
    const vid = VID.exec(body)?.[1];
    if (vid) this.rememberVisitor(vid);
    return undefined;
  }

  /** Keeps a visitor id from an answer, to send it back in a later page view. */
  rememberVisitor(vid: string): void {
    if (this.visitors.length < this.remember) this.visitors.push(vid);
    else this.visitors[this.cursor++ % this.remember] = vid;
  }
}
