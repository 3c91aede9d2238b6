// End to end: the real site script (packages/tracker/dist/rt.js) in real headless Chromium, on a customer
// site of its own origin, against the real server (SQLite) listening on a port. The server runs on a
// ManualClock: leases age only when the test moves `t.clock`, and pages that must ping on cue run on
// Playwright's fake clock, so nothing here sleeps.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchChromium } from '../helpers/chromium.js';
import { testDatabases } from '../helpers/databases.js';
import { createNumber, createProject } from '../helpers/factories.js';

const TRACKER_DIR = fileURLToPath(new URL('../../../tracker/', import.meta.url));
const SITE_NUMBER = '74951234567';
const POOL_NUMBERS = ['74957654321', '74957654322'];
const BILLBOARD = '74959990011';
const HOLD_SECONDS = 30; // the API's minimum; the server answers hb = max(5, min(30, hold / 3)) = 10
const HB_MS = 10_000;
const HOUR = 3_600_000;
const JSON_LD = JSON.stringify({
  '@context': 'https://schema.org',
  '@type': 'LocalBusiness',
  name: 'Окна Века',
  telephone: '+7 (495) 123-45-67',
});

/** Every place the site prints its number, as it reads with `digits` (a Russian E.164 number without +). */
function printed(digits: string) {
  const [, area, a, b, c] = /^7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(digits) ?? [];
  return {
    title: `Окна Века — +7 (${area}) ${a}-${b}-${c}`,
    callText: `+7 (${area}) ${a}-${b}-${c}`,
    callHref: `tel:+${digits}`,
    hero: `Замер бесплатно: 8 ${area} ${a}-${b}-${c}, ежедневно`,
    footer: `© Окна Века, 8\u00a0${area}\u00a0${a}-${b}-${c}`,
    jsonLd: JSON_LD,
  };
}

/** The customer's page, printing its own number in several formats, with the install snippet in the head. */
function sitePage(scriptSrc: string, publicKey: string): string {
  const p = printed(SITE_NUMBER);
  return `<!doctype html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <title>${p.title}</title>
  <link rel="icon" href="data:,">
  <script async src="${scriptSrc}" data-project="${publicKey}"></script>
  <script type="application/ld+json" id="ld">${JSON_LD}</script>
</head>
<body>
  <header><a id="call" href="${p.callHref}">${p.callText}</a></header>
  <main><h1>Пластиковые окна</h1><p id="hero">${p.hero}</p></main>
  <footer id="footer">${p.footer}</footer>
</body>
</html>`;
}

/** What the page shows now, in the shape of `printed()`: one round trip (a string, as this program has no DOM types). */
const SNAPSHOT = `(() => {
  const q = (selector) => document.querySelector(selector);
  return {
    title: document.title,
    callText: q('#call').textContent,
    callHref: q('#call').getAttribute('href'),
    hero: q('#hero').textContent,
    footer: q('#footer').textContent,
    jsonLd: q('#ld').textContent,
  };
})()`;
const snapshot = (page: Page) => page.evaluate(SNAPSHOT) as Promise<ReturnType<typeof printed>>;

/** Polls (no sleeps) until the page shows `digits` in every place, JSON-LD untouched. */
async function expectShows(page: Page, digits: string): Promise<void> {
  await expect.poll(() => snapshot(page), { timeout: 5000 }).toEqual(printed(digits));
}

interface VisitAnswer {
  vid: string;
  visit: string;
  lease?: string;
  hb: number;
  swap: { from: string; to: string; cc?: string }[];
}

interface Visitor {
  context: BrowserContext;
  page: Page;
  /** The answer to the page's first /t/visit. */
  answer: VisitAnswer;
  /** The number the server lent this page (the `to` of its swap). */
  shown: string;
}

describe('dynamic number insertion in a real browser', () => {
  const database = testDatabases().find((d) => d.name === 'sqlite');
  let t: TestApp;
  let api: string;
  let browser: Browser;
  let userAgent: string;
  let site: Server;
  let siteUrl: string;
  let project: { id: string; publicKey: string };
  let poolId: string;
  const opened: BrowserContext[] = [];
  /** Page errors and console errors, except Chromium's network log lines for deliberate non-2xx answers. */
  const errors: string[] = [];

  /** Why setting up failed (no Chromium, say): every test fails with it, none is reported as skipped. */
  let setupError: unknown;

  beforeAll(async () => {
    try {
      await setUp();
    } catch (error) {
      setupError = error;
    }
  });

  async function setUp(): Promise<void> {
    if (!database) throw new Error('no SQLite test database');
    // The server serves the built script from the tracker's dist; build it when it is missing.
    if (!existsSync(join(TRACKER_DIR, 'dist', 'rt.js'))) {
      const build = (await import(pathToFileURL(join(TRACKER_DIR, 'build.mjs')).href)) as {
        buildTracker(): Promise<string>;
      };
      await build.buildTracker();
    }
    // Never skipped: a missing Chromium fails here.
    browser = await launchChromium();
    // The server drops headless browsers as bots (HeadlessChrome in the user agent): present the real
    // Chromium as the desktop browser it is.
    const major = browser.version().split('.')[0];
    userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;

    t = await createTestApp(await database.open());
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    api = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

    project = await createProject(t, { siteNumbers: ['+7 (495) 123-45-67'] });
    const numbers = [];
    for (const digits of POOL_NUMBERS)
      numbers.push(await createNumber(t, project.id, { number: `+${digits}` }));
    const pool = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/pools`,
      payload: {
        name: 'Весь сайт',
        numberIds: numbers.map((n) => n.id),
        holdSeconds: HOLD_SECONDS,
        exhaustionPolicy: 'reuse_oldest',
      },
    });
    expect(pool.statusCode, pool.body).toBe(201);
    poolId = pool.json().id;
    const board = await createNumber(t, project.id, { number: `+${BILLBOARD}` });
    const channel = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/static-channels`,
      payload: {
        name: 'Билборд на МКАД',
        kind: 'offline',
        offlineMedium: 'billboard',
        numberId: board.id,
        swapMatch: { all: [{ field: 'utm_source', op: 'equals', value: 'billboard' }] },
      },
    });
    expect(channel.statusCode, channel.body).toBe(201);

    // The customer's site: another origin (another port), as on a real install.
    const html = sitePage(`${api}/rt.js`, project.publicKey);
    site = createServer((request, response) => {
      if (request.method !== 'GET') return response.writeHead(405).end();
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  }

  afterAll(async () => {
    await browser?.close();
    if (site) {
      site.closeAllConnections();
      await new Promise((resolve) => site.close(resolve));
    }
    await t?.close();
  });

  beforeEach(() => {
    if (setupError) throw setupError;
    // Every lease of earlier tests has ended: each test starts with the whole pool free.
    t.clock.advance(HOUR);
  });

  afterEach(async () => {
    if (setupError) return;
    for (const context of opened.splice(0)) await context.close();
    const seen = errors.splice(0);
    expect(seen).toEqual([]);
    // No page view of a real browser may be taken for a bot or a flood.
    expect(t.deps.services.tracking.drops).toEqual({
      bot: 0,
      unknown_project: 0,
      rate_limited: 0,
      invalid_url: 0,
    });
  });

  const isVisit = (response: Response) => response.url() === `${api}/t/visit`;
  const isPing = (response: Response) => response.url() === `${api}/t/ping`;

  /** Runs `action` and returns the answer of the /t/visit request it causes. */
  async function visitAnswer(page: Page, action: () => Promise<unknown>): Promise<VisitAnswer> {
    const response = page.waitForResponse(isVisit, { timeout: 5000 });
    response.catch(() => undefined); // awaited below; never an unhandled rejection if `action` throws
    await action();
    const res = await response;
    expect(res.status()).toBe(200);
    return (await res.json()) as VisitAnswer;
  }

  /**
   * A new visitor (own context: own storage, cookies and clock) opening `path` of the site. With
   * `fakeClock` the page's timers stand still until the test runs them (page.clock.runFor).
   */
  async function visitor(
    path = '/',
    options: { fakeClock?: boolean; referer?: string; gaCookie?: string } = {},
  ): Promise<Visitor> {
    const context = await browser.newContext({ userAgent, locale: 'ru-RU' });
    opened.push(context);
    if (options.gaCookie) await context.addCookies([{ name: '_ga', value: options.gaCookie, url: siteUrl }]);
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        errors.push(`console.error: ${message.text()}`);
      }
    });
    if (options.fakeClock) {
      const start = Date.now();
      await page.clock.install({ time: start });
      await page.clock.pauseAt(start + 1000);
    }
    const answer = await visitAnswer(page, () =>
      page.goto(`${siteUrl}${path}`, options.referer ? { referer: options.referer } : {}),
    );
    expect(answer.swap).toHaveLength(1);
    const shown = answer.swap[0]?.to ?? '';
    await expectShows(page, shown);
    return { context, page, answer, shown };
  }

  const leaseIdOf = (answer: VisitAnswer) => answer.lease?.split('.')[0] ?? '';
  // Heartbeats, page counts and exhaustion counts reach the tables within a second; the rows are read after a flush.
  const flushed = () => t.deps.services.tracking.flush();
  const leaseRow = async (answer: VisitAnswer) => (
    await flushed(),
    t.deps.database.db
      .selectFrom('lease')
      .selectAll()
      .where('id', '=', leaseIdOf(answer))
      .executeTakeFirstOrThrow()
  );
  const visitRow = async (answer: VisitAnswer) => (
    await flushed(),
    t.deps.database.db
      .selectFrom('visit')
      .selectAll()
      .where('id', '=', answer.visit)
      .executeTakeFirstOrThrow()
  );
  const releasedAt = async (digits: string) =>
    (await flushed(),
    await t.deps.database.db
      .selectFrom('tracking_number')
      .select('released_at')
      .where('e164', '=', `+${digits}`)
      .executeTakeFirstOrThrow()).released_at;

  it('shows the leased number everywhere on the page and records the visit with its tags and lease', async () => {
    const path =
      '/okna?utm_source=google&utm_medium=cpc&utm_campaign=okna_msk&utm_term=%D0%BE%D0%BA%D0%BD%D0%B0';
    const { page, answer, shown } = await visitor(path, {
      referer: 'https://www.google.com/',
      gaCookie: 'GA1.1.1234567.1700000000',
    });

    // A number of the pool, printed like the original in every format (title and tel: link too);
    // the JSON-LD block keeps the business's own number (checked by expectShows).
    expect(POOL_NUMBERS).toContain(shown);
    expect(answer.swap).toEqual([{ from: SITE_NUMBER, to: shown, cc: '7' }]);
    expect(answer.hb).toBe(HB_MS / 1000);
    expect(answer.lease).toMatch(/^[0-9a-f-]{36}\.[\w-]{22}$/);

    // Content the site adds later (a callback widget) is swapped too.
    await page.evaluate(
      `document.body.insertAdjacentHTML('beforeend', '<p id="late">Перезвоним: 8 (495) 123-45-67</p>')`,
    );
    const [, area, a, b, c] = /^7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(shown) ?? [];
    await expect
      .poll(() => page.textContent('#late'), { timeout: 5000 })
      .toBe(`Перезвоним: 8 (${area}) ${a}-${b}-${c}`);

    // The visitor id is kept by the page, first-party.
    expect(await page.evaluate(`localStorage.getItem('rt_vid')`)).toBe(answer.vid);

    expect(await visitRow(answer)).toMatchObject({
      project_id: project.id,
      visitor_id: answer.vid,
      landing_url: `${siteUrl}${path}`,
      referrer_host: 'google.com',
      utm_source: 'google',
      utm_medium: 'cpc',
      utm_campaign: 'okna_msk',
      utm_term: 'окна',
      channel: 'paid',
      source: 'google',
      medium: 'cpc',
      browser: 'Chrome',
      device_type: 'desktop',
      language: 'ru-RU',
      ga_client_id: '1234567.1700000000',
      is_returning: 0,
      page_views: 1,
      pool_id: poolId,
    });
    const now = t.clock.now();
    expect(await leaseRow(answer)).toMatchObject({
      project_id: project.id,
      visit_id: answer.visit,
      visitor_id: answer.vid,
      pool_id: poolId,
      shared: 0,
      started_at: now,
      last_seen_at: now,
      expires_at: now + HOLD_SECONDS * 1000,
    });
    expect(await releasedAt(shown)).toBe(now + HOLD_SECONDS * 1000);
  });

  it('keeps the number across a reload, in the same visit and lease', async () => {
    const path = '/?utm_source=yandex&utm_medium=cpc&utm_campaign=brand';
    const { page, answer, shown } = await visitor(path);
    t.clock.advance(5_000);
    const again = await visitAnswer(page, () => page.reload());
    await expectShows(page, shown);
    expect(again).toMatchObject({ vid: answer.vid, visit: answer.visit, lease: answer.lease });
    expect(again.swap[0]?.to).toBe(shown);
    expect(await visitRow(answer)).toMatchObject({ page_views: 2, last_seen_at: t.clock.now() });
    expect((await leaseRow(answer)).expires_at).toBe(t.clock.now() + HOLD_SECONDS * 1000);
  });

  it('counts SPA navigations in the visit; a new ad click in the new URL starts a new visit', async () => {
    const path = '/okna?utm_source=google&utm_medium=cpc&utm_campaign=okna_msk';
    const { page, answer, shown } = await visitor(path);
    t.clock.advance(5_000);
    const next = await visitAnswer(page, () => page.evaluate(`history.pushState({}, '', '/okna/prices')`));
    expect(next).toMatchObject({ vid: answer.vid, visit: answer.visit, lease: answer.lease });
    // The page view touches the visit row; the writer may store touches a moment after the answer.
    const seenAt = t.clock.now();
    await expect
      .poll(async () => {
        const row = await visitRow(answer);
        return [row.page_views, row.last_seen_at, row.landing_url, row.utm_campaign];
      })
      .toEqual([2, seenAt, `${siteUrl}${path}`, 'okna_msk']);
    await expectShows(page, shown);

    t.clock.advance(5_000);
    const clicked = `/okna?utm_source=yandex&utm_medium=cpc&utm_campaign=okna_spb&yclid=42`;
    const click = await visitAnswer(page, () => page.evaluate(`history.pushState({}, '', '${clicked}')`));
    expect(click.vid).toBe(answer.vid);
    expect(click.visit).not.toBe(answer.visit);
    expect(await visitRow(click)).toMatchObject({
      visitor_id: answer.vid,
      landing_url: `${siteUrl}${clicked}`,
      referrer: `${siteUrl}/okna/prices`,
      utm_source: 'yandex',
      utm_campaign: 'okna_spb',
      channel: 'paid',
      page_views: 1,
    });
    expect((await visitRow(answer)).page_views).toBe(2);
    await expectShows(page, click.swap[0]?.to ?? '');
  });

  it('shows the static channel’s number for ?utm_source=billboard, without a lease or heartbeat', async () => {
    const { answer, shown } = await visitor('/?utm_source=billboard&utm_medium=offline');
    expect(shown).toBe(BILLBOARD);
    expect(answer.lease).toBeUndefined();
    const leases = await t.deps.database.db
      .selectFrom('lease')
      .select('id')
      .where('visit_id', '=', answer.visit)
      .execute();
    expect(leases).toEqual([]);
    expect(await visitRow(answer)).toMatchObject({ utm_source: 'billboard', pool_id: null });
  });

  it('gives two visitors different numbers, and a third one (pool exhausted) the longest-held, shared', async () => {
    const first = await visitor('/');
    t.clock.advance(1_000);
    const second = await visitor('/');
    expect(second.shown).not.toBe(first.shown);
    expect([first.shown, second.shown].sort()).toEqual(POOL_NUMBERS);
    expect(second.answer.vid).not.toBe(first.answer.vid);
    const poolUrl = `/api/v1/projects/${project.id}/pools/${poolId}`;
    expect((await t.call({ method: 'GET', url: poolUrl })).json()).toMatchObject({ exhaustedCount: 0 });

    t.clock.advance(1_000);
    const third = await visitor('/');
    // reuse_oldest: the number released soonest (the first visitor's) is lent again, marked shared.
    expect(third.shown).toBe(first.shown);
    expect(await leaseRow(third.answer)).toMatchObject({ shared: 1, pool_id: poolId });
    expect(await leaseRow(second.answer)).toMatchObject({ shared: 0 });
    expect((await t.call({ method: 'GET', url: poolUrl })).json()).toMatchObject({
      exhaustedCount: 1,
      lastExhaustedAt: t.clock.now(),
    });
    // Every page still shows its own number.
    await expectShows(first.page, first.shown);
    await expectShows(second.page, second.shown);
  });

  it('keeps an open page’s lease alive by heartbeats and frees a closed page’s number after the hold', async () => {
    let pings = 0;
    const open = await visitor('/', { fakeClock: true });
    open.page.on('request', (request) => {
      if (request.url() === `${api}/t/ping`) pings += 1;
    });
    t.clock.advance(1_000);
    const closed = await visitor('/');
    expect(closed.shown).not.toBe(open.shown);
    await closed.context.close();

    // The page's heartbeat every hb = 10 s of its own (fake) time; the server's time moves alongside.
    // Four beats take the open page 40 s past its start, 10 s beyond the 30 s hold.
    await open.page.clock.runFor(HB_MS - 1);
    expect(pings).toBe(0);
    for (let beat = 1; beat <= 4; beat++) {
      t.clock.advance(beat === 1 ? HB_MS - 1_000 : HB_MS);
      const answered = open.page.waitForResponse(isPing, { timeout: 5000 });
      await open.page.clock.runFor(beat === 1 ? 1 : HB_MS);
      expect((await answered).status()).toBe(204);
      expect(pings).toBe(beat);
      const now = t.clock.now();
      expect(await leaseRow(open.answer)).toMatchObject({
        started_at: now - beat * HB_MS,
        last_seen_at: now,
        expires_at: now + HOLD_SECONDS * 1000,
      });
      expect(await releasedAt(open.shown)).toBe(now + HOLD_SECONDS * 1000);
    }

    // The closed page's lease ended 30 s after its last sign of life; its number is free again and goes
    // to the next visitor, unshared. Without the heartbeats the open page's number (released a second
    // earlier) would have been the one lent.
    expect(t.clock.now()).toBeGreaterThan((await leaseRow(closed.answer)).expires_at);
    const next = await visitor('/');
    expect(next.shown).toBe(closed.shown);
    expect(await leaseRow(next.answer)).toMatchObject({ shared: 0 });
    await expectShows(open.page, open.shown);
    await next.context.close();

    // A tab that slept past the hold: its next ping is answered 410, and the script asks again and shows
    // the number it now gets, for the same visitor.
    t.clock.advance((HOLD_SECONDS + 1) * 1000);
    const expired = open.page.waitForResponse(isPing, { timeout: 5000 });
    const revisit = open.page.waitForResponse(isVisit, { timeout: 5000 });
    await open.page.clock.runFor(HB_MS);
    expect((await expired).status()).toBe(410);
    const renewed = (await (await revisit).json()) as VisitAnswer;
    expect(renewed).toMatchObject({ vid: open.answer.vid, visit: open.answer.visit });
    expect(renewed.lease).toBeDefined();
    expect(renewed.lease).not.toBe(open.answer.lease);
    expect(POOL_NUMBERS).toContain(renewed.swap[0]?.to);
    await expectShows(open.page, renewed.swap[0]?.to ?? '');
    expect(await leaseRow(renewed)).toMatchObject({ visitor_id: open.answer.vid, shared: 0 });
  });
});
