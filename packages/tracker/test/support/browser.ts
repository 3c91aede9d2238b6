// Real headless Chromium for the browser suites (Debian's chromium; no browser is downloaded).
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
}

// Runs before any page script: counts the page's fetch calls and how many of them (and of their
// `.json()` reads) are still pending, so tests can wait for the tracker to finish instead of sleeping.
// Handlers added here run before the tracker's own, in the same microtask checkpoint.
const INSTRUMENT = `(() => {
  const state = { calls: [], pending: 0 };
  window.__rt = state;
  const track = (promise) => {
    state.pending++;
    const done = () => { state.pending--; };
    promise.then(done, done);
    return promise;
  };
  const realFetch = window.fetch;
  window.fetch = function (input, init) {
    state.calls.push(String(input));
    return track(realFetch.apply(this, arguments));
  };
  const realJson = Response.prototype.json;
  Response.prototype.json = function () { return track(realJson.call(this)); };
})();`;

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors, except the browser's own network log lines. */
  errors: string[];
  /** Closes the context when the session created it, else parks the page for reuse (errors cleared). */
  close(): Promise<void>;
}

/** A browser context prepared for the tracker tests: every page in it is instrumented. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript(INSTRUMENT);
  return context;
}

// Pages of shared contexts, parked on about:blank for the next test: much cheaper than a new page.
const idle = new WeakMap<BrowserContext, Session[]>();

/**
 * A page in `shared` (made with newContext), reused from an earlier test when one is parked there, or,
 * without `shared`, a page in a fresh context of its own: own storage, cookies and clock. Never use
 * page.addInitScript or page.clock on a shared page; they would outlive the test.
 */
export async function openSession(browser: Browser, shared?: BrowserContext): Promise<Session> {
  const parked = shared && idle.get(shared)?.pop();
  if (parked) return parked;
  const context = shared ?? (await newContext(browser));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // "Failed to load resource: …" is Chromium's network log for any non-2xx or failed request (the 410
    // of an expired lease, a 500, a refused connection). A page script cannot silence it, and it is not
    // a script error; anything else on the console fails the test.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`console.error: ${message.text()}`);
    }
  });
  const session: Session = {
    context,
    page,
    errors,
    close: async () => {
      if (!shared) return context.close();
      await page.goto('about:blank');
      errors.length = 0;
      idle.set(shared, [...(idle.get(shared) ?? []), session]);
    },
  };
  return session;
}

/** Waits until the tracker has made at least `calls` requests and every one of them has settled. */
export async function settled(page: Page, calls = 1): Promise<void> {
  await page.waitForFunction(
    (count) => {
      const state = (window as unknown as { __rt: { calls: string[]; pending: number } }).__rt;
      return state.calls.length >= count && state.pending === 0;
    },
    calls,
    { timeout: 5000 },
  );
}

/** URLs of the fetch calls the page made, in order. */
export function fetchCalls(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __rt: { calls: string[] } }).__rt.calls.slice());
}

/**
 * Elements carrying `data-expect` (expected textContent) or `data-expect-href` whose current value
 * differs. Negative cases carry their original text, so one check covers both kinds.
 */
export function mismatches(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const wrong: string[] = [];
    for (const element of Array.from(document.querySelectorAll('[data-expect],[data-expect-href]'))) {
      const text = element.getAttribute('data-expect');
      const href = element.getAttribute('data-expect-href');
      if (text !== null && element.textContent !== text) {
        wrong.push(`${JSON.stringify(element.textContent)} should be ${JSON.stringify(text)}`);
      }
      if (href !== null && element.getAttribute('href') !== href) {
        wrong.push(`href ${JSON.stringify(element.getAttribute('href'))} should be ${JSON.stringify(href)}`);
      }
    }
    return wrong;
  });
}

/** Polls until every expectation on the page holds; on timeout returns what is still wrong. */
export async function expectationsMet(page: Page, timeout = 5000): Promise<string[]> {
  try {
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('[data-expect],[data-expect-href]')).every(
          (element) =>
            (element.getAttribute('data-expect') === null ||
              element.textContent === element.getAttribute('data-expect')) &&
            (element.getAttribute('data-expect-href') === null ||
              element.getAttribute('href') === element.getAttribute('data-expect-href')),
        ),
      undefined,
      { timeout },
    );
  } catch {
    // Fall through: the caller asserts the list is empty and gets a readable diff.
  }
  return mismatches(page);
}

/** Waits until the element's text is exactly `text`. */
export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([sel, expected]) => document.querySelector(sel as string)?.textContent === expected,
    [selector, text],
    { timeout: 5000 },
  );
}

/** Emulates the tab being hidden or shown again, as the browser reports it to the page. */
export async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

/** Escapes text for an HTML attribute or element body. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
