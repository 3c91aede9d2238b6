// Consent in real Chromium: with data-consent="required" (or data-respect-gpc under Global Privacy
// Control) the script sends nothing, stores nothing and swaps nothing until the page calls
// ringtrace.consent(), directly or queued before the script loaded.
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { fetchCalls, settled, waitForText } from './support/browser.js';
import { type FakeServer, FIRST, ORIGINAL, PROJECT_KEY } from './support/fake-server.js';
import { browserHarness } from './support/harness.js';

const TAG = `src="/rt.js" data-project="${PROJECT_KEY}"`;

/** A page with the script tag's `attributes` and an inline script before it in the head. */
function page(attributes: string, before = ''): string {
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Test</title>
<script>${before}</script><script async ${attributes}></script></head>
<body><p id="phone">${ORIGINAL}</p><a id="link" href="tel:+74951234567">call</a></body></html>`;
}

const harness = browserHarness();
const newSession = harness.newSession;
let server: FakeServer;

beforeEach(async () => {
  server = await harness.startServer();
});

/** Waits until the script has started: `window.ringtrace` is its API object, no longer the page's queue. */
async function scriptRan(p: Page): Promise<void> {
  await p.waitForFunction(
    () => {
      const rt = (window as unknown as { ringtrace?: unknown }).ringtrace;
      return typeof rt === 'object' && rt !== null && !Array.isArray(rt);
    },
    undefined,
    { timeout: 5000 },
  );
}

/** What the script has done to the page and its storage so far. */
const footprint = (p: Page) =>
  p.evaluate(() => ({
    phone: document.getElementById('phone')?.textContent,
    href: document.getElementById('link')?.getAttribute('href'),
    stored: localStorage.getItem('rt_vid'),
    cookie: document.cookie.includes('rt_vid'),
    historyWrapped: !String(history.pushState).includes('[native code]'),
  }));

const NOTHING = {
  phone: ORIGINAL,
  href: 'tel:+74951234567',
  stored: null,
  cookie: false,
  historyWrapped: false,
};

const consent = (p: Page) =>
  p.evaluate(() => (window as unknown as { ringtrace: { consent(): void } }).ringtrace.consent());

describe('data-consent="required"', () => {
  it('sends, stores and swaps nothing until ringtrace.consent(), then works as usual', async () => {
    server.pages.set('page', page(`${TAG} data-consent="required"`));
    const { page: p } = await newSession();
    await p.goto(`${server.url}/p/page?gclid=abc`, { referer: 'https://www.google.com/' });
    await scriptRan(p);
    // Without consent the visit would have been sent by now: it goes out as the script starts.
    await p.evaluate(() => (window as unknown as { ringtrace: { swap(): void } }).ringtrace.swap());
    expect(await fetchCalls(p)).toEqual([]);
    expect(await footprint(p)).toEqual(NOTHING);
    // The visitor moves on in the SPA before deciding: still nothing.
    await p.evaluate(() => history.pushState(null, '', '/p/page/prices'));
    expect(await fetchCalls(p)).toEqual([]);

    await consent(p);
    await consent(p); // twice: still one start
    await waitForText(p, '#phone', FIRST);
    await settled(p, 2);
    // The landing page (with its ad click and the search referrer), then the page the visitor is on.
    const referrer = await p.evaluate(() => document.referrer);
    expect(server.to('/t/visit').map((request) => [request.json?.u, request.json?.r])).toEqual([
      [`${server.url}/p/page?gclid=abc`, referrer],
      [`${server.url}/p/page/prices`, `${server.url}/p/page?gclid=abc`],
    ]);
    expect(await footprint(p)).toEqual({
      phone: FIRST,
      href: 'tel:+74957654321',
      stored: server.visitAnswers()[0]?.vid,
      cookie: true,
      historyWrapped: true,
    });
    await p.evaluate(() => history.pushState(null, '', '/p/page/contacts'));
    await settled(p, 3);
    expect(server.to('/t/visit')).toHaveLength(3);
  });

  it.each([
    ['a name', "ringtrace.push('consent');"],
    ['an array', "ringtrace.push(['consent']);"],
    ['unknown calls too', "ringtrace.push('nope', 42, null, {}, ['swap']); ringtrace.push('consent');"],
  ])('runs calls queued before the script loaded: %s', async (_name, calls) => {
    server.pages.set(
      'page',
      page(`${TAG} data-consent="required"`, `window.ringtrace = window.ringtrace || []; ${calls}`),
    );
    const { page: p } = await newSession();
    await p.goto(`${server.url}/p/page`);
    await waitForText(p, '#phone', FIRST);
    await settled(p);
    expect(server.to('/t/visit')).toHaveLength(1);
  });

  it('takes the same queue call after the script has loaded, also through a tag manager loader', async () => {
    const loader = `(function (d) {
      var s = d.createElement('script');
      s.async = true;
      s.src = '/rt.js';
      s.setAttribute('data-project', '${PROJECT_KEY}');
      s.setAttribute('data-consent', 'required');
      d.head.appendChild(s);
    })(document);`;
    server.pages.set('gtm', page('src="data:text/javascript,"', loader));
    const { page: p } = await newSession();
    await p.goto(`${server.url}/p/gtm`);
    await scriptRan(p);
    expect(await fetchCalls(p)).toEqual([]);
    // What a consent manager's callback would run, not knowing whether the script has loaded.
    await p.evaluate(() => {
      const w = window as unknown as { ringtrace?: unknown[] };
      w.ringtrace = w.ringtrace || [];
      w.ringtrace.push('consent');
    });
    await waitForText(p, '#phone', FIRST);
    await settled(p);
    expect(server.to('/t/visit')).toHaveLength(1);
  });

  it('a second copy of the script with a queue on the page still reports once', async () => {
    const tag = `<script src="/rt.js" data-project="${PROJECT_KEY}" data-consent="required"></script>`;
    server.pages.set(
      'twice',
      `<!doctype html><html><head><script>(window.ringtrace = window.ringtrace || []).push('consent');</script>${tag}${tag}</head><body><p id="phone">${ORIGINAL}</p></body></html>`,
    );
    const { page: p } = await newSession();
    await p.goto(`${server.url}/p/twice`);
    await waitForText(p, '#phone', FIRST);
    await settled(p);
    await consent(p);
    expect(server.to('/rt.js')).toHaveLength(2);
    expect(server.to('/t/visit')).toHaveLength(1);
  });
});

describe('Global Privacy Control', () => {
  /** A page in a browser context whose navigator sends GPC (`gpc`), with the given tag attributes. */
  async function open(gpc: boolean, attributes: string): Promise<Page> {
    server.pages.set('page', page(attributes));
    const session = await newSession('own context');
    if (gpc) {
      await session.page.addInitScript(() =>
        Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
      );
    }
    await session.page.goto(`${server.url}/p/page`);
    await scriptRan(session.page);
    return session.page;
  }

  it('with data-respect-gpc, a visitor sending GPC counts as not having consented', async () => {
    const p = await open(true, `${TAG} data-respect-gpc`);
    expect(
      await p.evaluate(() => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl),
    ).toBe(true);
    expect(await fetchCalls(p)).toEqual([]);
    expect(await footprint(p)).toEqual(NOTHING);
    // An explicit consent given on the site itself still starts the script.
    await consent(p);
    await waitForText(p, '#phone', FIRST);
  });

  it.each([
    ['GPC without data-respect-gpc', true, TAG],
    ['data-respect-gpc without GPC', false, `${TAG} data-respect-gpc`],
  ])('%s: tracked as usual', async (_name, gpc, attributes) => {
    const p = await open(gpc, attributes);
    await waitForText(p, '#phone', FIRST);
    expect(server.to('/t/visit')).toHaveLength(1);
  });
});
