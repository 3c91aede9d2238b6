import { describe, expect, it } from 'vitest';
import { fetchCalls, type Session, settled, setVisibility, waitForText } from './support/browser.js';
import {
  FakeServer,
  type FakeServerOptions,
  FIRST,
  html,
  ORIGINAL,
  PROJECT_KEY,
  RU_TARGET,
  SECOND,
} from './support/fake-server.js';
import { browserHarness } from './support/harness.js';

const harness = browserHarness();
const newSession = harness.newSession;

const startServer = harness.startPhoneServer;

const pings = async (session: Session): Promise<number> =>
  (await fetchCalls(session.page)).filter((url) => url.endsWith('/t/ping')).length;

describe('POST /t/visit', () => {
  it('reports the landing URL, referrer and analytics ids as a simple CORS request', async () => {
    const server = await startServer();
    const { context, page } = await newSession();
    await context.addCookies([
      { name: '_ga', value: 'GA1.1.123456789.1700000000', url: server.url },
      { name: '_ga_X1Y2Z3', value: 'GS1.1.1700000000.1.0.1700000000.0.0.0', url: server.url },
      { name: '_ga_Q7W8', value: 'GS2.1.s1700000100$o2$g1$t1700000200$j0$l0$h0', url: server.url },
      { name: '_ym_uid', value: '1700000000123456789', url: server.url },
    ]);
    const landing = `${server.url}/p/page?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_content=ad1&utm_term=%D1%80%D0%B5%D0%BC%D0%BE%D0%BD%D1%82&gclid=Cj0KCQiA`;
    await page.goto(landing, { referer: 'http://www.google.com/search?q=x' });
    await waitForText(page, '#phone', FIRST);

    const [visit] = server.to('/t/visit');
    const referrer = await page.evaluate(() => document.referrer);
    expect(referrer).not.toBe('');
    expect(visit?.json).toEqual({
      k: PROJECT_KEY,
      u: landing,
      r: referrer,
      ga: '123456789.1700000000',
      gs: '_ga_X1Y2Z3=GS1.1.1700000000 _ga_Q7W8=GS2.1.s1700000100',
      ym: '1700000000123456789',
      l: await page.evaluate(() => navigator.language),
      s: expect.stringMatching(/^\d+x\d+$/),
      sv: 2,
    });
    const u = new URL(String(visit?.json?.u));
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      utm_source: 'google',
      utm_medium: 'cpc',
      utm_campaign: 'brand',
      utm_content: 'ad1',
      utm_term: 'ремонт',
      gclid: 'Cj0KCQiA',
    });
    // text/plain and no credentials: no preflight, and the site's cookies never reach the API.
    expect(visit?.headers['content-type']).toBe('text/plain;charset=UTF-8');
    expect(visit?.headers.cookie).toBeUndefined();
    expect(server.requests.filter((request) => request.method === 'OPTIONS')).toEqual([]);
  });

  it('keeps the visitor id in localStorage and a cookie; a reload sends it and keeps the number', async () => {
    const server = await startServer();
    const { context, page } = await newSession();
    await page.goto(`${server.url}/p/page`);
    await waitForText(page, '#phone', FIRST);
    const vid = server.visitAnswers()[0]?.vid;
    expect(vid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.evaluate(() => localStorage.getItem('rt_vid'))).toBe(vid);
    expect((await context.cookies()).find((cookie) => cookie.name === 'rt_vid')?.value).toBe(vid);

    await page.reload();
    await waitForText(page, '#phone', FIRST);
    expect(server.to('/t/visit')[1]?.json?.vid).toBe(vid);

    // Storage cleared (or blocked): the cookie mirror still identifies the visitor.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await waitForText(page, '#phone', FIRST);
    expect(server.to('/t/visit')[2]?.json?.vid).toBe(vid);
    expect(await page.evaluate(() => localStorage.getItem('rt_vid'))).toBe(vid);
  });

  it('gives two visitors two different numbers', async () => {
    const server = await startServer();
    const first = await newSession();
    const second = await newSession('own context');
    await first.page.goto(`${server.url}/p/page`);
    await waitForText(first.page, '#phone', FIRST);
    await second.page.goto(`${server.url}/p/page`);
    await waitForText(second.page, '#phone', SECOND);
    expect(await second.page.getAttribute('#link', 'href')).toBe('tel:+74957654322');
    const [a, b] = server.visitAnswers();
    expect(a?.vid).not.toBe(b?.vid);
  });

  it('talks to the origin of the script, or to data-api, across origins without a preflight', async () => {
    const site = await startServer();
    const api = await startServer();
    site.pages.set(
      'script-elsewhere',
      html(`<p id="phone">${ORIGINAL}</p>`, `src="${api.url}/rt.js" data-project="${PROJECT_KEY}"`),
    );
    site.pages.set(
      'data-api',
      html(
        `<p id="phone">${ORIGINAL}</p>`,
        `src="/rt.js" data-project="${PROJECT_KEY}" data-api="${api.url}/"`,
      ),
    );
    const one = await newSession();
    await one.page.goto(`${site.url}/p/script-elsewhere`);
    await waitForText(one.page, '#phone', FIRST);
    const two = await newSession();
    await two.page.goto(`${site.url}/p/data-api`);
    // Same browser, same site origin: the stored visitor id comes along and keeps its number.
    await waitForText(two.page, '#phone', FIRST);
    expect(api.to('/t/visit')[1]?.json?.vid).toBe(api.visitAnswers()[0]?.vid);

    expect(site.to('/t/visit')).toEqual([]);
    expect(api.to('/t/visit').map((request) => request.headers.origin)).toEqual([site.url, site.url]);
    expect(api.requests.filter((request) => request.method === 'OPTIONS')).toEqual([]);
  });

  it('reports the visit once when the script is included twice', async () => {
    const server = await startServer();
    const tag = `<script src="/rt.js" data-project="${PROJECT_KEY}"></script>`;
    server.pages.set(
      'twice',
      `<!doctype html><html><head>${tag}${tag}</head><body><p id="phone">${ORIGINAL}</p></body></html>`,
    );
    const { page } = await newSession();
    await page.goto(`${server.url}/p/twice`);
    await waitForText(page, '#phone', FIRST);
    await settled(page);
    expect(server.to('/rt.js')).toHaveLength(2);
    expect(server.to('/t/visit')).toHaveLength(1);
  });
});

describe('when something fails, the page keeps its own number and nothing is logged', () => {
  const cases: { name: string; visit?: number | string; project?: string; refused?: true }[] = [
    { name: 'server error 500', visit: 500 },
    { name: 'unknown project 400', project: 'pk_wrong' },
    { name: 'a 200 that is not JSON', visit: '<html>proxy error</html>' },
    { name: 'JSON of the wrong shape', visit: '{"swap":"all","hb":"x"}' },
    { name: 'null JSON', visit: 'null' },
    { name: 'swap entries of the wrong shape', visit: '{"swap":[null,1,{"from":74951234567},{"to":"x"}]}' },
    { name: 'the API refuses connections', refused: true },
  ];

  it.each(cases)('$name', async ({ visit, project = PROJECT_KEY, refused }) => {
    const server = await startServer();
    server.visitFailure = visit;
    let api = '';
    if (refused) {
      const closed = await new FakeServer().start();
      await closed.close();
      api = ` data-api="${closed.url}"`;
    }
    server.pages.set(
      'page',
      html(`<p id="phone">${ORIGINAL}</p>`, `src="/rt.js" data-project="${project}"${api}`),
    );
    const { page } = await newSession();
    await page.goto(`${server.url}/p/page`);
    await settled(page);
    expect(await page.textContent('#phone')).toBe(ORIGINAL);
    expect(server.to('/t/visit')).toHaveLength(refused ? 0 : 1);
  });

  it('an exhausted pool: no number, no heartbeat', async () => {
    const server = await startServer({ targets: [{ ...RU_TARGET, pool: [] }] });
    const session = await newSession('own context');
    await session.page.clock.install();
    await session.page.goto(`${server.url}/p/page`);
    await settled(session.page);
    await session.page.clock.runFor(120_000);
    expect(await session.page.textContent('#phone')).toBe(ORIGINAL);
    expect(await fetchCalls(session.page)).toEqual([`${server.url}/t/visit`]);
  });

  it('storage and cookies that throw', async () => {
    const server = await startServer();
    const session = await newSession('own context');
    await session.page.addInitScript(() => {
      const deny = (): never => {
        throw new DOMException('denied', 'SecurityError');
      };
      Object.defineProperty(window, 'localStorage', { get: deny });
      Object.defineProperty(document, 'cookie', { get: deny, set: deny });
    });
    await session.page.goto(`${server.url}/p/page`);
    // Nothing can be stored, but the visit still works and the number is still swapped.
    await waitForText(session.page, '#phone', FIRST);
    expect(server.to('/t/visit')[0]?.json?.vid).toBeUndefined();
  });

  it('a fetch of the page that throws instead of rejecting', async () => {
    const server = await startServer();
    const session = await newSession('own context');
    await session.page.addInitScript(() => {
      window.fetch = () => {
        throw new TypeError('blocked by the page');
      };
    });
    await session.page.goto(`${server.url}/p/page`);
    await session.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    // Nothing reaches the server, nothing is thrown into the page (checked after each test), the number stays.
    expect(await session.page.textContent('#phone')).toBe(ORIGINAL);
    expect(server.to('/t/visit')).toEqual([]);
  });
});

describe('POST /t/ping', () => {
  /** A page on a paused fake clock that shows its first number: time moves only by clock.runFor. */
  async function leased(options?: FakeServerOptions): Promise<{ server: FakeServer; session: Session }> {
    const server = await startServer(options);
    const session = await newSession('own context');
    const start = Date.now();
    await session.page.clock.install({ time: start });
    await session.page.clock.pauseAt(start + 1000);
    await session.page.goto(`${server.url}/p/page`);
    await waitForText(session.page, '#phone', FIRST);
    await settled(session.page);
    // Frozen: however slow this machine is, no time has passed on the page.
    expect(await session.page.evaluate(() => Date.now())).toBe(start + 1000);
    return { server, session };
  }

  it('runs every hb seconds while visible, pauses while hidden, pings once on return', async () => {
    const { server, session } = await leased({ hb: 30 });
    const { page } = session;
    await page.clock.runFor(29_000);
    expect(await pings(session)).toBe(0);
    await page.clock.runFor(1_000);
    expect(await pings(session)).toBe(1);
    await page.clock.runFor(60_000);
    expect(await pings(session)).toBe(3);

    await setVisibility(page, 'hidden');
    await page.clock.runFor(600_000);
    expect(await pings(session)).toBe(3);

    await setVisibility(page, 'visible');
    expect(await pings(session)).toBe(4);
    await page.clock.runFor(30_000);
    expect(await pings(session)).toBe(5);

    await settled(page, 6);
    const lease = server.visitAnswers()[0]?.lease;
    expect(server.to('/t/ping').map((request) => [request.json, request.status])).toEqual(
      Array(5).fill([{ k: PROJECT_KEY, lease }, 204]),
    );
  });

  it('on 410 asks for a new number and shows it, for the same visitor', async () => {
    const { server, session } = await leased();
    const [first] = server.visitAnswers();
    server.expire(first?.lease ?? '');
    await session.page.clock.runFor(30_000);
    await waitForText(session.page, '#phone', SECOND);
    expect(await session.page.getAttribute('#link', 'href')).toBe('tel:+74957654322');
    expect(server.to('/t/ping').map((request) => request.status)).toEqual([410]);
    const visits = server.to('/t/visit');
    expect(visits).toHaveLength(2);
    expect(visits[1]?.json?.vid).toBe(first?.vid);

    // The heartbeat goes on with the new lease.
    await settled(session.page, 3);
    await session.page.clock.runFor(30_000);
    await settled(session.page, 4);
    expect(server.to('/t/ping').at(-1)?.json?.lease).toBe(server.visitAnswers()[1]?.lease);
  });

  it('on 410 when no new number comes, puts the original number back', async () => {
    const { server, session } = await leased();
    server.expire(server.visitAnswers()[0]?.lease ?? '');
    server.visitFailure = 503;
    await session.page.clock.runFor(30_000);
    await waitForText(session.page, '#phone', ORIGINAL);
    expect(await session.page.getAttribute('#link', 'href')).toBe('tel:+74951234567');
  });

  it('ignores other ping failures and keeps the number', async () => {
    const { server, session } = await leased();
    server.pingFailure = 500;
    await session.page.clock.runFor(60_000);
    await settled(session.page, 3);
    expect(server.to('/t/ping').map((request) => request.status)).toEqual([500, 500]);
    expect(server.to('/t/visit')).toHaveLength(1);
    expect(await session.page.textContent('#phone')).toBe(FIRST);
  });

  it('uses the hb period of the answer on real timers', async () => {
    const server = await startServer({ hb: 0.2 });
    const { page } = await newSession();
    await page.goto(`${server.url}/p/page`);
    await waitForText(page, '#phone', FIRST);
    await expect.poll(() => server.to('/t/ping').length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
  });
});
