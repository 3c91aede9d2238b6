// What the script does to the page, in real Chromium: formats, tel: links, what it must not touch,
// content added or changed later.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTracker } from '../build.mjs';
import {
  escapeHtml,
  expectationsMet,
  launch,
  newContext,
  openSession,
  type Session,
  waitForText,
} from './support/browser.js';
import { FakeServer, html } from './support/fake-server.js';

// A fresh fake server per test lends the first number of each pool:
// 74951234567 → 74957654321, 78001234567 → 78007654321, 15551234567 → 15559876543.
const NBSP = '\u00a0';

/** [HTML as the site prints it, expected text after the swap] */
const FORMATS: [string, string][] = [
  ['+7 (495) 123-45-67', '+7 (495) 765-43-21'],
  ['8 495 123-45-67', '8 495 765-43-21'],
  ['84951234567', '84957654321'],
  ['+7 495 123 45 67', '+7 495 765 43 21'],
  ['+74951234567', '+74957654321'],
  ['8 (495) 123 45 67', '8 (495) 765 43 21'],
  ['(495) 123-45-67', '(495) 765-43-21'],
  ['8&nbsp;495&nbsp;123&nbsp;45&nbsp;67', `8${NBSP}495${NBSP}765${NBSP}43${NBSP}21`],
  ['8–495–123–45–67', '8–495–765–43–21'],
  ['Звоните: 8 (495) 123-45-67, с 9:00 до 18:00', 'Звоните: 8 (495) 765-43-21, с 9:00 до 18:00'],
  ['8-800-123-45-67', '8-800-765-43-21'],
  ['8 (800) 123-45-67', '8 (800) 765-43-21'],
  ['+7 800 123 45 67', '+7 800 765 43 21'],
  ['+1 (555) 123-4567', '+1 (555) 987-6543'],
  ['(555) 123-4567', '(555) 987-6543'],
  ['555.123.4567', '555.987.6543'],
  ['1-555-123-4567', '1-555-987-6543'],
  ['555 123 4567', '555 987 6543'],
  ['8 495 123-45-67 или 8 800 123-45-67', '8 495 765-43-21 или 8 800 765-43-21'],
  // Left alone: longer digit runs, other numbers.
  ['184951234567', '184951234567'],
  ['849512345670', '849512345670'],
  ['ИНН 4951234567123', 'ИНН 4951234567123'],
  ['8 (495) 123-45-68', '8 (495) 123-45-68'],
];

/** [href as the site prints it, expected href] */
const LINKS: [string, string][] = [
  ['tel:+74951234567', 'tel:+74957654321'],
  ['tel:84951234567', 'tel:84957654321'],
  ['tel:+7-495-123-45-67', 'tel:+7-495-765-43-21'],
  ['tel:+7%20(495)%20123-45-67', 'tel:+7 (495) 765-43-21'],
  ['tel:88001234567', 'tel:88007654321'],
  ['tel:+15551234567', 'tel:+15559876543'],
  ['tel:+74951234568', 'tel:+74951234568'],
  ['https://example.com/?phone=84951234567', 'https://example.com/?phone=84951234567'],
];

let browser: Browser;
let context: BrowserContext;
let server: FakeServer;
let session: Session;

beforeAll(async () => {
  await buildTracker();
  browser = await launch();
  // Each test's server listens on a new port, so pages of different tests never share localStorage.
  context = await newContext(browser);
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  server = await new FakeServer().start();
  session = await openSession(browser, context);
});

afterEach(async () => {
  const errors = session.errors.slice();
  await session.close();
  await server.close();
  expect(errors).toEqual([]);
});

describe('swapping numbers on the page', () => {
  it('rewrites every common format, digit for digit, and leaves longer digit runs alone', async () => {
    const rows = FORMATS.map(
      ([source, expected]) => `<li data-expect="${escapeHtml(expected)}">${source}</li>`,
    ).join('');
    const links = LINKS.map(
      ([href, expected]) => `<a href="${escapeHtml(href)}" data-expect-href="${escapeHtml(expected)}">x</a>`,
    ).join('');
    server.pages.set('formats', html(`<ul>${rows}</ul>${links}`));
    await session.page.goto(`${server.url}/p/formats`);
    expect(await expectationsMet(session.page)).toEqual([]);
  });

  it('leaves code, structured data, form values, editors and opted-out regions untouched', async () => {
    const { page } = session;
    await page.goto(`${server.url}/fixtures/site.html`);
    expect(await expectationsMet(page)).toEqual([]);
    const untouched = await page.evaluate(() => ({
      input: (document.getElementById('input') as HTMLInputElement).value,
      inputAttribute: document.getElementById('input')?.getAttribute('value'),
      placeholder: (document.getElementById('input') as HTMLInputElement).placeholder,
      textarea: (document.getElementById('textarea') as HTMLTextAreaElement).value,
      select: (document.getElementById('select') as HTMLSelectElement).value,
      template: (document.getElementById('tpl') as HTMLTemplateElement).content.textContent,
      sitePhone: (window as unknown as { sitePhone: string }).sitePhone,
      title: document.title,
    }));
    expect(untouched).toEqual({
      input: '8 (495) 123-45-67',
      inputAttribute: '8 (495) 123-45-67',
      placeholder: '+7 (495) 123-45-67',
      textarea: 'Перезвоните на 8 (495) 123-45-67',
      select: '8 (495) 123-45-67',
      template: '8 (495) 123-45-67',
      sitePhone: '84951234567',
      // The document title is visible text too (the tab, bookmarks).
      title: 'Ремонт квартир — 8 (495) 765-43-21',
    });
  });
});

describe('numbers split across elements', () => {
  it('swaps them in small inline containers, in the same text nodes, so the markup stays', async () => {
    const { page } = session;
    await page.goto(`${server.url}/fixtures/site.html`);
    // Every split case of the fixture carries data-expect: swapped in links, spans, paragraphs and
    // headings; left alone across layout blocks, in long text, and where a piece is opted out.
    expect(await expectationsMet(page)).toEqual([]);
    const markup = await page.evaluate(() =>
      ['split', 'split-link', 'split-spans', 'split-digits'].map(
        (id) => document.getElementById(id)?.innerHTML,
      ),
    );
    expect(markup).toEqual([
      '<span>+7 (495)</span> 765-43-21',
      '<span class="code">+7 (495)</span> <b>765-43-21</b>',
      '<span>8 800</span><span>765-43-21</span>',
      'Звоните: <strong>8 (495) 76<em>5</em>-43-21</strong>, пн–пт',
    ]);
  });

  it('swaps split numbers added or changed later, also when only one piece changes', async () => {
    const { page } = session;
    server.pages.set('split', html('<div id="app"></div><p id="ready">84951234567</p>'));
    await page.goto(`${server.url}/p/split`);
    await waitForText(page, '#ready', '84957654321');

    await page.evaluate(() => {
      document
        .getElementById('app')
        ?.insertAdjacentHTML(
          'beforeend',
          '<a id="late" href="tel:+74951234567"><span>+7 (495)</span> <b id="late-tail">123-45-67</b></a>',
        );
    });
    await waitForText(page, '#late', '+7 (495) 765-43-21');
    expect(await page.getAttribute('#late', 'href')).toBe('tel:+74957654321');

    // A framework re-rendering one piece with the original digits: the whole number is swapped again.
    await page.evaluate(() => {
      (document.getElementById('late-tail')?.firstChild as Text).data = '123-45-67';
    });
    await waitForText(page, '#late', '+7 (495) 765-43-21');
    // …and a piece added into an existing element, completing the number there.
    await page.evaluate(() => {
      const tail = document.createElement('b');
      tail.textContent = '123-45-67';
      const span = document.createElement('span');
      span.id = 'assembled';
      span.textContent = '8 800 ';
      document.getElementById('app')?.append(span);
      span.append(tail);
    });
    await waitForText(page, '#assembled', '8 800 765-43-21');
    expect(await page.innerHTML('#late')).toBe('<span>+7 (495)</span> <b id="late-tail">765-43-21</b>');
  });
});

describe('content added or changed later', () => {
  it('swaps added nodes, changed text and changed links, without looping on its own writes', async () => {
    const { page } = session;
    server.pages.set(
      'spa',
      html(`<div id="app"><p id="status">Загрузка…</p><a id="call" href="#">Позвонить</a></div>
        <div id="legal" data-rt-noswap></div><p id="ready">8 (495) 123-45-67</p>`),
    );
    await page.goto(`${server.url}/p/spa`);
    await waitForText(page, '#ready', '8 (495) 765-43-21');

    // Count the writes the tracker makes from here on: each change must cost exactly one rewrite.
    await page.evaluate(() => {
      const state = { writes: 0 };
      (window as unknown as { writes: typeof state }).writes = state;
      new MutationObserver((records) => {
        state.writes += records.filter((record) => record.type === 'characterData').length;
      }).observe(document.body, { characterData: true, subtree: true });
    });

    await page.evaluate(() => {
      document
        .getElementById('app')
        ?.insertAdjacentHTML(
          'beforeend',
          '<section><h2 id="late">Звоните: +7 (495) 123-45-67</h2></section>',
        );
    });
    await waitForText(page, '#late', 'Звоните: +7 (495) 765-43-21');

    // A framework updating an existing text node in place (characterData).
    await page.evaluate(() => {
      const text = document.getElementById('status')?.firstChild as Text;
      text.data = 'Наш телефон 8 800 123-45-67';
    });
    await waitForText(page, '#status', 'Наш телефон 8 800 765-43-21');

    // A framework re-rendering the original number over the swapped one: swapped again.
    await page.evaluate(() => {
      const late = document.getElementById('late') as HTMLElement;
      late.textContent = 'Звоните: +7 (495) 123-45-67';
    });
    await waitForText(page, '#late', 'Звоните: +7 (495) 765-43-21');

    // A link whose href is set later.
    await page.evaluate(() => document.getElementById('call')?.setAttribute('href', 'tel:+74951234567'));
    await page.waitForFunction(
      () => document.getElementById('call')?.getAttribute('href') === 'tel:+74957654321',
      undefined,
      { timeout: 5000 },
    );

    // Content added inside an opted-out region stays as it is.
    await page.evaluate(() => {
      const legal = document.getElementById('legal') as HTMLElement;
      legal.innerHTML = '<p id="legal-text">ИНН, тел. 8 (495) 123-45-67</p>';
      (document.getElementById('app') as HTMLElement).insertAdjacentHTML(
        'beforeend',
        '<p id="marker">8 (495) 123-45-67</p>',
      );
    });
    await waitForText(page, '#marker', '8 (495) 765-43-21');
    expect(await page.textContent('#legal-text')).toBe('ИНН, тел. 8 (495) 123-45-67');

    // Let the mutation callbacks flush (they run before any timer task), then count text writes:
    // the page's own status update (1) plus one swap for each change that brought the number in
    // (#late inserted, #status updated, #late re-rendered, #marker inserted): 5. A tracker reacting to
    // its own writes, or rewriting unchanged text, would make more.
    const writes = await page.evaluate(
      () =>
        new Promise<number>((resolve) =>
          setTimeout(() => resolve((window as unknown as { writes: { writes: number } }).writes.writes), 0),
        ),
    );
    expect(writes).toBe(5);
  });

  it('ringtrace.swap() rescans on demand, e.g. after a region loses data-rt-noswap', async () => {
    const { page } = session;
    server.pages.set(
      'manual',
      html('<p id="held" data-rt-noswap>8 (495) 123-45-67</p><p id="ready">84951234567</p>'),
    );
    await page.goto(`${server.url}/p/manual`);
    await waitForText(page, '#ready', '84957654321');
    await page.evaluate(() => document.getElementById('held')?.removeAttribute('data-rt-noswap'));
    expect(await page.textContent('#held')).toBe('8 (495) 123-45-67');
    await page.evaluate(() => (window as unknown as { ringtrace: { swap(): void } }).ringtrace.swap());
    expect(await page.textContent('#held')).toBe('8 (495) 765-43-21');
  });

  it('swaps content the parser adds after the answer arrived', async () => {
    const { page } = session;
    // The server sends the top of the page, and the rest only after the number was swapped in it.
    let release = (): void => {};
    server.streams.set('slow', {
      head: `${html('').replace('</body></html>', '')}<p id="top">8 (495) 123-45-67</p>${' '.repeat(2048)}\n`,
      tail: '<p id="bottom">Или +7 495 123 45 67</p></body></html>',
      release: new Promise<void>((resolve) => {
        release = resolve;
      }),
    });
    await page.goto(`${server.url}/s/slow`, { waitUntil: 'commit' });
    await waitForText(page, '#top', '8 (495) 765-43-21');
    expect(await page.evaluate(() => document.readyState)).toBe('loading');
    release();
    await waitForText(page, '#bottom', 'Или +7 495 765 43 21');
  });
});
