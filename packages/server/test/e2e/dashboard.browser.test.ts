// End to end through the dashboard: a user signs in in real headless Chromium, creates a project and a
// dynamic pool with the setup wizard, installs the snippet the wizard shows on a customer site of its own
// origin, a visitor there sees a pool number, Twilio reports a call to that number, and the call appears in
// the dashboard's live log without a reload, the number shows as leased, the report and its charts count the
// call, both CSV exports download under the session cookie, and an invited analyst signs in. The server runs
// on SQLite and a ManualClock (nothing sleeps).
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Download, Page } from 'playwright-core';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchChromium } from '../helpers/chromium.js';
import { testDatabases } from '../helpers/databases.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const TRACKER_DIR = join(ROOT, 'packages/tracker');
const DASHBOARD_DIR = join(ROOT, 'packages/dashboard');
const PUBLIC_URL = 'https://ct.example.com';
const AUTH_TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const EMAIL = 'marketer@example.com';
const PASSWORD = 'okna-veka-2026';
const POOL_NUMBERS = ['+74957654321', '+74957654322'];

/** The customer's page: their own number, and whatever the dashboard told them to paste into the head. */
const sitePage = (snippet: string) => `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Окна Века</title><link rel="icon" href="data:,">
${snippet}
</head><body><p>Звоните: <a id="phone" href="tel:+74951234567">+7 (495) 123-45-67</a></p></body></html>`;

/** `+74957654321` as the dashboard prints it. */
const formatRu = (e164: string) => e164.replace(/^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/, '+7 ($1) $2-$3-$4');

async function readDownload(download: Download): Promise<string> {
  const path = await download.path();
  return readFileSync(path, 'utf8');
}

async function buildIfMissing(): Promise<void> {
  if (!existsSync(join(TRACKER_DIR, 'dist', 'rt.js'))) {
    const tracker = (await import(pathToFileURL(join(TRACKER_DIR, 'build.mjs')).href)) as {
      buildTracker(): Promise<string>;
    };
    await tracker.buildTracker();
  }
  if (!existsSync(join(DASHBOARD_DIR, 'dist', 'index.html'))) {
    const { build } = await import('vite');
    await build({ configFile: join(DASHBOARD_DIR, 'vite.config.ts'), logLevel: 'warn' });
  }
}

describe('the dashboard in a real browser', () => {
  const database = testDatabases().find((d) => d.name === 'sqlite');
  let t: TestApp;
  let api: string;
  let browser: Browser;
  let userAgent: string;
  let site: Server | undefined;
  const errors: string[] = [];
  let setupError: unknown;

  beforeAll(async () => {
    try {
      if (!database) throw new Error('no SQLite test database');
      await buildIfMissing();
      // Never skipped: a missing Chromium fails here, and the test below reports it.
      browser = await launchChromium();
      const major = browser.version().split('.')[0];
      userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
      t = await createTestApp(await database.open(), { PUBLIC_URL });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      api = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      await t.deps.services.users.create({
        email: EMAIL,
        password: PASSWORD,
        role: 'admin',
        allProjects: true,
      });
    } catch (error) {
      setupError = error;
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (site) {
      site.closeAllConnections();
      await new Promise((resolve) => site?.close(resolve));
    }
    await t?.close();
  });

  const watch = (page: Page, name: string) => {
    page.on('pageerror', (error) => errors.push(`${name} pageerror: ${error.message}`));
    page.on('console', (message) => {
      // The first /auth/me of a signed-out browser is a deliberate 401.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        errors.push(`${name} console.error: ${message.text()}`);
    });
  };

  it('sets up a dynamic pool, shows a swapped number on the site and the call in the live log', async () => {
    if (setupError) throw setupError;
    const context = await browser.newContext({ userAgent, locale: 'en-GB' });
    const page = await context.newPage();
    watch(page, 'dashboard');

    // Sign in.
    await page.goto(`${api}/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    const cookies = await context.cookies(api);
    expect(cookies.find((c) => c.name === 'rt_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // Create a project; the wizard opens.
    await page.getByLabel('Project name').fill('Окна Века');
    await page.getByLabel('Phone number printed on the site').fill('+7 (495) 123-45-67');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Set up call tracking' }).waitFor();
    const projectId = /\/projects\/([^/]+)\/setup$/.exec(new URL(page.url()).pathname)?.[1] ?? '';
    expect(projectId).not.toBe('');

    // A dynamic pool of two numbers, forwarded to the office.
    await page.getByLabel(/Dynamic: a pool of numbers/).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await expect
      .poll(() => page.getByLabel('Number on the site to replace').inputValue())
      .toBe('+74951234567');
    await page.getByLabel('Pool numbers (one per line)').fill(POOL_NUMBERS.join('\n'));
    await page.getByLabel(/Hold time/).fill('5');
    await page.getByLabel('Phone number or SIP URI').fill('+7 495 777-88-99');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText(/Tilda: Site settings/).waitFor();
    const snippet = (await page.getByTestId('snippet').first().textContent()) ?? '';
    const project = (await t.call({ method: 'GET', url: `/api/v1/projects/${projectId}` })).json();
    expect(snippet).toBe(`<script async src="${api}/rt.js" data-project="${project.publicKey}"></script>`);
    const pools = (await t.call({ method: 'GET', url: `/api/v1/projects/${projectId}/pools` })).json();
    expect(pools).toHaveLength(1);
    expect(pools[0]).toMatchObject({ holdSeconds: 300, exhaustionPolicy: 'reuse_oldest' });
    expect(pools[0].numberIds).toHaveLength(2);

    // The customer's site, on another origin, with the snippet pasted in.
    const html = sitePage(snippet);
    site = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    });
    await new Promise<void>((resolve) => site?.listen(0, '127.0.0.1', resolve));
    const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const visitorContext = await browser.newContext({ userAgent, locale: 'ru-RU' });
    const visitor = await visitorContext.newPage();
    watch(visitor, 'site');
    await visitor.goto(`${siteUrl}/?utm_source=google&utm_medium=cpc&utm_campaign=okna`);
    await expect
      .poll(() => visitor.getAttribute('#phone', 'href'), { timeout: 10_000 })
      .not.toBe('tel:+74951234567');
    const shown = ((await visitor.getAttribute('#phone', 'href')) ?? '').replace('tel:', '');
    expect(POOL_NUMBERS).toContain(shown);
    const [, area, a, b, c] = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(shown) ?? [];
    expect(await visitor.textContent('#phone')).toBe(`+7 (${area}) ${a}-${b}-${c}`);

    // Open the calls log before the call comes in: it must appear without a reload.
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.getByText(/No calls yet/).waitFor();

    // Twilio reports the call to the shown number.
    const account = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/provider-accounts`,
      payload: { provider: 'twilio', name: 'Twilio', credentials: { authToken: AUTH_TOKEN } },
    });
    expect(account.statusCode, account.body).toBe(201);
    const voiceUrl = account.json().webhookUrls.voice as string;
    const params = {
      CallSid: `CA${'e'.repeat(32)}`,
      AccountSid: `AC${'1'.repeat(32)}`,
      From: '+79161234567',
      To: shown,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    };
    t.clock.advance(20_000);
    const webhook = await t.call({
      method: 'POST',
      url: voiceUrl.slice(PUBLIC_URL.length),
      token: null,
      payload: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, voiceUrl, params),
      },
    });
    expect(webhook.statusCode, webhook.body).toBe(200);
    expect(webhook.body).toContain('+74957778899');

    // The live log shows it, attributed to the visit with full confidence.
    const row = page.getByRole('row', { name: /\+7 \(916\) 123-45-67/ });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain(`+7 (${area}) ${a}-${b}-${c}`);
    expect(await row.textContent()).toContain('paid ads');
    expect(await row.textContent()).toContain('100%');
    await row.getByRole('button', { name: /Call details/ }).click();
    const panel = page.getByRole('dialog', { name: 'Call details' });
    await panel.getByText('utm_campaign=okna', { exact: false }).waitFor();
    expect(await panel.textContent()).toContain('+7 (495) 777-88-99');

    // The numbers inventory shows the pool, with the visitor's number leased (their page is open) and the other
    // free; then the pool's usage: one of two busy.
    await page.getByRole('link', { name: 'Numbers' }).click();
    const shownRow = page.getByRole('row', { name: new RegExp(`\\+7 \\(${area}\\) ${a}-${b}-${c}`) });
    await shownRow.getByText('leased: page open').waitFor();
    const otherNumber = POOL_NUMBERS.find((n) => n !== shown) ?? '';
    const otherRow = page.locator(`tr:has(td.phone:text-is("${formatRu(otherNumber)}"))`);
    expect(await otherRow.textContent()).toContain('free');
    await page.getByRole('row', { name: /1 of 2 busy/ }).waitFor();

    // The end-to-end report counts it (the server's clock is in January 2026: pick that range).
    await page.getByRole('link', { name: 'Report' }).click();
    await page.getByLabel('From', { exact: true }).fill('2026-01-01');
    await page.getByLabel('To', { exact: true }).fill('2026-01-31');
    const total = page.getByRole('table', { name: 'End-to-end report' }).locator('tfoot tr');
    await expect
      .poll(async () => (await total.locator('td').nth(1).textContent()) ?? '', { timeout: 10_000 })
      .toBe('1');

    // The charts count it too: one call, from paid ads, on one day of January.
    const callsChart = page.getByRole('img', { name: /Calls by channel over time/ });
    await expect
      .poll(async () => (await callsChart.locator('desc').textContent()) ?? '', { timeout: 10_000 })
      .toBe('Total 1; the largest channel: paid ads.');
    expect(await callsChart.locator('rect[data-series="paid"]').count()).toBe(1);

    // CSV exports are plain links that the session cookie authenticates.
    const [reportCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(reportCsv.suggestedFilename()).toBe('report-channel-2026-01-01-2026-01-31.csv');
    expect(await readDownload(reportCsv)).toMatch(/paid/);
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.getByLabel('Status').selectOption('ringing');
    const [callsCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export calls (CSV)' }).click(),
    ]);
    const csvText = await readDownload(callsCsv);
    expect(csvText.split('\r\n')[0]).toContain('id,startedAt,caller');
    expect(csvText).toContain('+79161234567');

    // An admin invites an analyst to the project; the analyst signs in with the one-time password.
    await page.getByRole('link', { name: 'Users' }).click();
    const invite = page.getByRole('group', { name: 'Invite a user' });
    await invite.getByLabel('Email').fill('analyst@example.com');
    await invite.getByLabel('Окна Века').check();
    await invite.getByRole('button', { name: 'Invite' }).click();
    const temporary = (await page.getByTestId('temporary-password').textContent()) ?? '';
    expect(temporary).toMatch(/^[\w-]{16}$/);
    await page.getByRole('row', { name: /analyst@example\.com/ }).waitFor();
    const analystContext = await browser.newContext({ userAgent, locale: 'en-GB' });
    const analyst = await analystContext.newPage();
    watch(analyst, 'analyst');
    await analyst.goto(`${api}/`);
    await analyst.getByLabel('Email').fill('analyst@example.com');
    await analyst.getByLabel('Password').fill(temporary);
    await analyst.getByRole('button', { name: 'Sign in' }).click();
    await analyst.getByRole('link', { name: 'Окна Века' }).waitFor();
    expect(await analyst.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await analystContext.close();

    await visitorContext.close();
    await context.close();
    expect(errors).toEqual([]);
  }, 60_000);
});
