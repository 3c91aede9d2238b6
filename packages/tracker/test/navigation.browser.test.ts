// Single-page-app navigations in real Chromium: each new path or query is reported as a page view of the
// same visitor, with the page before it as referrer, and the number shown stays (or follows the answer).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { settled, waitForText } from './support/browser.js';
import {
  type FakeServer,
  type FakeServerOptions,
  FIRST,
  PROJECT_KEY,
  SECOND,
} from './support/fake-server.js';
import { browserHarness } from './support/harness.js';

const harness = browserHarness();
const newSession = harness.newSession;

const startServer = harness.startPhoneServer;

/** A page that shows its first number, with its first /t/visit answered. */
async function landed(options?: FakeServerOptions): Promise<{ server: FakeServer; page: Page }> {
  const server = await startServer(options);
  const { page } = await newSession();
  await page.goto(`${server.url}/p/page?utm_source=google&utm_medium=cpc`);
  await waitForText(page, '#phone', FIRST);
  await settled(page);
  return { server, page };
}

/** [u, r, vid] of every /t/visit the server received. */
const reported = (server: FakeServer): unknown[][] =>
  server.to('/t/visit').map((request) => [request.json?.u, request.json?.r, request.json?.vid]);

/** Waits until the server has answered `count` page views. */
async function visits(server: FakeServer, count: number): Promise<void> {
  await expect.poll(() => server.to('/t/visit').length, { timeout: 5000 }).toBe(count);
}

describe('SPA navigations are page views of the same visitor', () => {
  it('pushState to a new path reports it with the previous URL as referrer and keeps the number', async () => {
    const { server, page } = await landed();
    const landing = `${server.url}/p/page?utm_source=google&utm_medium=cpc`;
    const [first] = server.visitAnswers();
    await page.evaluate(() => history.pushState({ step: 2 }, '', '/p/page/prices'));
    await visits(server, 2);
    await settled(page, 2);
    await page.evaluate(() => history.pushState({ step: 3 }, '', '/p/page/contacts?city=msk'));
    await visits(server, 3);
    await settled(page, 3);
    expect(reported(server)).toEqual([
      [landing, '', undefined],
      [`${server.url}/p/page/prices`, landing, first?.vid],
      [`${server.url}/p/page/contacts?city=msk`, `${server.url}/p/page/prices`, first?.vid],
    ]);
    // Every field of a page view, as for the landing page.
    expect(server.to('/t/visit')[2]?.json).toEqual({
      k: PROJECT_KEY,
      vid: first?.vid,
      u: `${server.url}/p/page/contacts?city=msk`,
      r: `${server.url}/p/page/prices`,
      l: expect.any(String),
      s: expect.stringMatching(/^\d+x\d+$/),
      sv: 2,
    });
    // Same visitor, same lease, same number on the page.
    expect(new Set(server.visitAnswers().map((answer) => answer.lease))).toEqual(new Set([first?.lease]));
    expect(await page.textContent('#phone')).toBe(FIRST);
    expect(await page.getAttribute('#link', 'href')).toBe('tel:+74957654321');
  });

  it('replaceState with a new URL, back and forward count; the same URL, a #fragment or a failed call do not', async () => {
    const { server, page } = await landed();
    const base = `${server.url}/p/page`;
    const landing = `${base}?utm_source=google&utm_medium=cpc`;
    await page.evaluate(() => {
      history.replaceState({ router: 1 }, ''); // a router storing its state: same URL
      history.replaceState({ router: 2 }, '', location.href);
      history.pushState(null, '', '#reviews'); // an anchor
      location.hash = 'faq';
      history.replaceState(null, '', '/p/page?tab=2'); // a new query
    });
    await visits(server, 2);
    await settled(page, 2);
    // The referrer is the page view reported before, so without the fragments that were not reported.
    expect(reported(server).slice(1)).toEqual([[`${base}?tab=2`, landing, expect.any(String)]]);

    await page.evaluate(() => history.pushState(null, '', '/p/page/next'));
    await visits(server, 3);
    await settled(page, 3);
    // Back: popstate to the entry replaced above. Forward again.
    await page.goBack({ waitUntil: 'commit' });
    await visits(server, 4);
    await settled(page, 4);
    await page.goForward({ waitUntil: 'commit' });
    await visits(server, 5);
    await settled(page, 5);
    // Back and forth within one page changes only the fragment: not a page view.
    await page.evaluate(() => {
      history.pushState(null, '', '#top');
      history.back();
    });
    await page.waitForFunction(() => location.hash === '', undefined, { timeout: 5000 });
    // A pushState the browser refuses (another origin) throws to the page as before and reports nothing.
    const refused = await page.evaluate(() => {
      try {
        history.pushState(null, '', 'https://example.com/');
        return 'no error';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(refused).toBe('SecurityError');
    await page.evaluate(() => history.pushState(null, '', '/p/page/last'));
    await visits(server, 6);
    expect(
      reported(server)
        .slice(2)
        .map(([u, r]) => [u, r]),
    ).toEqual([
      [`${base}/next`, `${base}?tab=2`],
      [`${base}?tab=2`, `${base}/next`],
      [`${base}/next`, `${base}?tab=2`],
      [`${base}/last`, `${base}/next`],
    ]);
  });

  it("keeps the page's history API working: this, arguments, return values, other wrappers", async () => {
    const server = await startServer();
    const { page } = await newSession('own context');
    // Another script wrapped pushState before ours (a router, an analytics tag): it still runs once.
    await page.addInitScript(() => {
      const calls: unknown[][] = [];
      (window as unknown as { calls: unknown[][] }).calls = calls;
      const original = history.pushState;
      history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
        calls.push([this === history, ...args]);
        return original.apply(this, args);
      };
    });
    await page.goto(`${server.url}/p/page`);
    await waitForText(page, '#phone', FIRST);
    const result = await page.evaluate(() => {
      const returned = history.pushState({ id: 7 }, 'title', '/p/page/a');
      const { pushState } = history;
      let unbound = 'no error';
      try {
        pushState({ id: 8 }, '', '/p/page/b'); // without `this`: the browser's own TypeError, as before
      } catch (error) {
        unbound = (error as Error).name;
      }
      history.replaceState.call(history, { id: 9 }, '', '/p/page/c');
      return {
        returned,
        unbound,
        state: history.state,
        path: location.pathname,
        calls: (window as unknown as { calls: unknown[][] }).calls,
      };
    });
    expect(result).toEqual({
      returned: undefined,
      unbound: 'TypeError',
      state: { id: 9 },
      path: '/p/page/c',
      calls: [
        [true, { id: 7 }, 'title', '/p/page/a'],
        [false, { id: 8 }, '', '/p/page/b'],
      ],
    });
    await visits(server, 3);
    expect(server.to('/t/visit').map((request) => new URL(String(request.json?.u)).pathname)).toEqual([
      '/p/page',
      '/p/page/a',
      '/p/page/c',
    ]);
  });

  it('a navigation before the first answer waits for it and carries its visitor id: one visitor, one lease', async () => {
    const server = await startServer();
    let release = (): void => {};
    server.visitGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { page } = await newSession();
    await page.goto(`${server.url}/p/page`);
    await expect.poll(() => server.arrived.get('/t/visit'), { timeout: 5000 }).toBe(1);
    await page.evaluate(() => history.pushState(null, '', '/p/page/quick'));
    release();
    await visits(server, 2);
    const [first, second] = server.visitAnswers();
    expect(server.to('/t/visit')[0]?.json?.vid).toBeUndefined();
    expect(server.to('/t/visit')[1]?.json?.vid).toBe(first?.vid);
    expect(second?.lease).toBe(first?.lease);
    await waitForText(page, '#phone', FIRST);
  });

  it('a lost page view changes nothing: the number and the heartbeat stay', async () => {
    const { server, page } = await landed({ hb: 0.2 });
    const lease = server.visitAnswers()[0]?.lease;
    for (const failure of [500, 'not json', '{"swap":"x"}']) {
      server.visitFailure = failure;
      await page.evaluate(() => history.pushState(null, '', `/p/page/${Math.random()}`));
      await expect
        .poll(() => server.to('/t/visit').at(-1)?.answer, { timeout: 5000 })
        .toContain(String(failure === 500 ? 'internal' : failure));
    }
    const pings = server.to('/t/ping').length;
    await expect.poll(() => server.to('/t/ping').length, { timeout: 5000 }).toBeGreaterThan(pings + 1);
    expect(server.to('/t/ping').at(-1)?.json?.lease).toBe(lease);
    expect(await page.textContent('#phone')).toBe(FIRST);
  });

  it('shows the number of the new answer when it differs (a new lease after a navigation)', async () => {
    const { server, page } = await landed({ hb: 0.2 });
    // The server ended the lease (a new visit from a new ad click may lend another number, too).
    server.expire(server.visitAnswers()[0]?.lease ?? '');
    server.pingFailure = 500; // no 410 path: only the navigation brings the new number
    await page.evaluate(() => history.pushState(null, '', '/p/page?gclid=new-click'));
    await waitForText(page, '#phone', SECOND);
    expect(await page.getAttribute('#link', 'href')).toBe('tel:+74957654322');
    server.pingFailure = undefined;
    const renewed = server.visitAnswers()[1]?.lease;
    expect(renewed).not.toBe(server.visitAnswers()[0]?.lease);
    await expect.poll(() => server.to('/t/ping').at(-1)?.json?.lease, { timeout: 5000 }).toBe(renewed);
  });
});
