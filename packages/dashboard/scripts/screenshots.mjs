#!/usr/bin/env node
// Regenerates PNGs of the dashboard's main pages into docs/screenshots/: starts the built server on a
// scratch SQLite database, fills it with a realistic project through the public API (calls arrive as signed
// Twilio webhooks), and photographs the pages in headless Chromium (never downloaded: /usr/bin/chromium or
// CHROMIUM_PATH). Run after `npm run build`: node packages/dashboard/scripts/screenshots.mjs
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import twilio from 'twilio';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'packages/server/dist/cli/main.js');
const OUT = join(ROOT, 'docs/screenshots');
const TOKEN = `rt_shots000_${'s'.repeat(32)}`;
const EMAIL = 'marketer@example.com';
const PASSWORD = 'screenshots-2026';
const AUTH_TOKEN = 'f7c3a1e9d2b84c56a0e1f2d3c4b5a697';
const GENERIC_SECRET = 'screenshots-generic-secret';

/** Standard Webhooks signature of the generic call webhook. */
const signGeneric = (id, timestamp, body) =>
  `v1,${createHmac('sha256', GENERIC_SECRET).update(`${id}.${timestamp}.${body}`).digest('base64')}`;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const PUBLIC = 'https://calls.ulybka.example.ru';
/** A webhook URL of the public address, as the local server's. */
const local = (url) => `${origin}${new URL(url).pathname}${new URL(url).search}`;
const dataDir = mkdtempSync(join(tmpdir(), 'rt-shots-'));
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  PORT: String(port),
  HOST: '127.0.0.1',
  // As a deployment has it (the pages show webhook URLs and the site snippet built from it); requests to it are
  // sent to the local server instead (local() below), signed for the public URL as the provider would.
  PUBLIC_URL: PUBLIC,
  RINGTRACE_ADMIN_TOKEN: TOKEN,
  LOG_LEVEL: 'warn',
};
const created = spawnSync(
  process.execPath,
  [CLI, 'user', 'create', '--email', EMAIL, '--password', PASSWORD, '--role', 'admin', '--all-projects'],
  { env, encoding: 'utf8' },
);
if (created.status !== 0) throw new Error(`user create: ${created.stderr}`);
const server = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

async function call(method, path, body) {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body && { 'content-type': 'application/json' }) },
    ...(body && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not start');
}

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

async function seed() {
  const project = await call('POST', '/api/v1/projects', {
    name: 'Клиника «Улыбка»',
    siteNumbers: ['+7 (495) 123-45-67'],
  });
  await call('POST', '/api/v1/projects', { name: 'Okna Veka', siteNumbers: ['8 800 555-35-35'] });
  const base = `/api/v1/projects/${project.id}`;
  const dest = await call('POST', `${base}/destinations`, {
    name: 'Reception',
    kind: 'phone',
    target: '+74957778899',
  });
  await call('PATCH', base, { defaultDestinationId: dest.id });
  const imported = await call('POST', `${base}/numbers/import`, {
    numbers: [
      '+74957654321',
      '+74957654322',
      '+74957654323',
      '+74959990011',
      '+74959990012',
      '+74959990013',
    ].map((number, i) => ({
      number,
      label: i < 3 ? `Pool ${i + 1}` : i < 5 ? 'Offline' : 'ProDoctorov',
      monthlyCost: 450,
    })),
  });
  const [n1, n2, n3, board, radio, listing] = imported.imported;
  await call('POST', `${base}/pools`, {
    name: 'Google Ads',
    numberIds: [n1.id, n2.id],
    match: { all: [{ field: 'utm_source', op: 'equals', value: 'google' }] },
    holdSeconds: 900,
    priority: 0,
  });
  await call('POST', `${base}/pools`, {
    name: 'Whole site',
    numberIds: [n3.id],
    holdSeconds: 900,
    priority: 100,
  });
  await call('POST', `${base}/static-channels`, {
    name: 'Billboard, MKAD 42 km',
    kind: 'offline',
    offlineMedium: 'billboard',
    numberId: board.id,
  });
  await call('POST', `${base}/static-channels`, {
    name: 'ProDoctorov listing',
    kind: 'online',
    source: 'prodoctorov.ru',
    medium: 'referral',
    numberId: listing.id,
  });
  await call('POST', `${base}/static-channels`, {
    name: 'Radio “Europa Plus”',
    kind: 'offline',
    offlineMedium: 'radio',
    numberId: radio.id,
  });
  const account = await call('POST', `${base}/provider-accounts`, {
    provider: 'twilio',
    name: 'Twilio',
    credentials: { authToken: AUTH_TOKEN },
  });

  // Three weeks of history for the report and its charts, first (the calls log pages by arrival): calls from a
  // PBX's generic webhook (which may date them in the past); ad spend and deals won follow below.
  const generic = await call('POST', `${base}/provider-accounts`, {
    provider: 'generic',
    name: 'Office PBX',
    credentials: { secret: GENERIC_SECRET },
  });
  const DAY = 86_400_000;
  const history = [];
  for (let d = 20; d >= 1; d--) {
    const day = Date.now() - d * DAY;
    const paid = 1 + ((d * 7) % 4);
    for (let i = 0; i < paid; i++) history.push([day + (9 + i) * 3_600_000, listing.number, i % 3 === 2]);
    if (d % 3 === 0) history.push([day + 15 * 3_600_000, board.number, false]);
    if (d % 4 === 1) history.push([day + 16 * 3_600_000, radio.number, d % 8 === 1]);
    if (d % 7 === 0) history.push([day + 11 * 3_600_000, n3.number, false]);
  }
  for (const [i, [at, called, missed]] of history.entries()) {
    const body = JSON.stringify({
      event: 'call.ended',
      callId: `pbx-${i}`,
      caller: `+7916${String(5_550_000 + i * 37).padStart(7, '0')}`,
      called,
      at: at + (missed ? 0 : 120_000),
      status: missed ? 'no-answer' : 'answered',
      ...(missed ? {} : { talkSeconds: 60 + ((i * 53) % 240) }),
    });
    const id = `msg_${i}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await fetch(local(generic.webhookUrls.events), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signGeneric(id, timestamp, body),
      },
      body,
    });
    if (!res.ok) throw new Error(`generic webhook: ${res.status} ${await res.text()}`);
  }
  // Visits that lease numbers, then calls to them; a third visit exhausts the Google pool.
  const visit = async (u) => {
    const res = await fetch(`${origin}/t/visit`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME, 'x-forwarded-for': '203.0.113.7' },
      body: JSON.stringify({ k: project.publicKey, u, r: 'https://www.google.com/' }),
    });
    return res.json();
  };
  // A crawler and a script the tracker filters out: the Numbers page counts them.
  for (const userAgent of [
    'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
    'curl/8.5.0',
  ]) {
    await fetch(`${origin}/t/visit`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': userAgent },
      body: JSON.stringify({ k: project.publicKey, u: `${origin}/`, r: '' }),
    });
  }
  const hooks = account.webhookUrls;
  let sid = 0;
  const post = async (hook, params) => {
    const url = hooks[hook];
    await fetch(local(url), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
  };
  const ring = async (from, to, outcome) => {
    const CallSid = `CA${String(++sid).padStart(32, '0')}`;
    const common = {
      CallSid,
      AccountSid: `AC${'1'.repeat(32)}`,
      From: from,
      To: to,
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    };
    await post('voice', { ...common, CallStatus: 'ringing' });
    if (outcome === 'answered') {
      await post('dial', {
        ...common,
        CallStatus: 'completed',
        DialCallStatus: 'completed',
        DialCallDuration: '95',
      });
      await post('recording', {
        ...common,
        RecordingSid: `RE${String(sid).padStart(32, '0')}`,
        RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE${sid}`,
        RecordingStatus: 'completed',
        RecordingDuration: '95',
      });
    } else if (outcome) {
      await post('dial', {
        ...common,
        CallStatus: 'completed',
        DialCallStatus: outcome,
        DialCallDuration: '0',
      });
    }
  };
  const a = await visit(
    'https://ulybka.example.ru/implants?utm_source=google&utm_medium=cpc&utm_campaign=implants_msk&utm_term=импланты',
  );
  const b = await visit('https://ulybka.example.ru/?utm_source=google&utm_medium=cpc&utm_campaign=brand');
  await visit('https://ulybka.example.ru/?utm_source=google&utm_medium=cpc&utm_campaign=brand');
  await visit('https://ulybka.example.ru/prices');
  await ring('+79161234567', `+${a.swap[0].to}`, 'answered');
  await ring('+79035550011', `+${b.swap[0].to}`, 'no-answer');
  await ring('+79261112233', '+74959990011', 'answered');
  await ring('+78123334455', '+74959990012', 'busy');
  await ring('+79161234567', `+${a.swap[0].to}`, undefined);

  const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
  await call('POST', `${base}/spend`, {
    adNetwork: 'google_ads',
    rows: Array.from({ length: 14 }, (_, d) => ({
      date: isoDay(Date.now() - d * DAY),
      campaign: 'implants_msk',
      cost: 2_400,
    })),
  });
  await call('POST', `${base}/spend`, {
    adNetwork: 'billboard',
    rows: [{ date: isoDay(Date.now() - 13 * DAY), cost: 45_000 }],
  });
  await call('POST', `${base}/spend`, {
    adNetwork: 'radio',
    rows: [{ date: isoDay(Date.now() - 13 * DAY), cost: 30_000 }],
  });
  const answered = (await call('GET', `${base}/calls?limit=200&status=answered`)).filter((c) => c.channel);
  const won = [
    ['paid', 38_000],
    ['referral', 52_000],
    ['referral', 24_500],
    ['referral', 18_000],
    ['offline', 61_000],
    ['offline', 12_000],
  ];
  const taken = {};
  for (const [i, [channel, revenue]] of won.entries()) {
    taken[channel] = (taken[channel] ?? -1) + 1;
    const source = answered.filter((c) => c.channel === channel)[taken[channel] * 4];
    if (!source) continue;
    const closed = Math.min(Date.now(), source.startedAt + DAY);
    await call('POST', `${base}/deals`, {
      externalId: `deal-${i}`,
      title: `Treatment plan ${i + 1}`,
      status: 'won',
      revenue,
      callId: source.id,
      createdAt: source.startedAt,
      closedAt: closed,
    });
  }

  // People who use the dashboard besides the operator.
  await call('POST', '/api/v1/users', {
    email: 'anna@ulybka.example.ru',
    name: 'Anna Petrova',
    role: 'analyst',
    projectIds: [project.id],
  });
  await call('POST', '/api/v1/users', {
    email: 'agency@example.com',
    name: 'Agency',
    role: 'admin',
    projectIds: [project.id],
  });

  // Where calls go once they end; added last, so the calls above owe them nothing (and nothing is sent).
  await call('POST', `${base}/integrations`, {
    kind: 'webhook',
    name: 'Clinic CRM',
    events: ['call.ended', 'pool.exhausted'],
    settings: { url: 'https://crm.ulybka.example.ru/hooks/ringtrace' },
  });
  await call('POST', `${base}/integrations`, {
    kind: 'ga4',
    name: 'Google Analytics',
    settings: {
      measurementId: 'G-7QX2K9PL1M',
      apiSecret: 'screenshots-mp-secret',
      value: 1500,
      currency: 'RUB',
    },
  });
  await call('POST', `${base}/integrations`, {
    kind: 'amocrm',
    name: 'amoCRM',
    settings: { baseUrl: 'https://ulybka.amocrm.ru', accessToken: 'screenshots-long-lived-token' },
  });
  return project;
}

let browser;
try {
  await waitForServer();
  const project = await seed();
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  const shoot = async (lang, pages) => {
    const context = await browser.newContext({
      viewport: { width: 1360, height: 860 },
      locale: lang === 'ru' ? 'ru-RU' : 'en-GB',
      timezoneId: 'Europe/Moscow',
    });
    await context.addInitScript((l) => localStorage.setItem('rt_lang', l), lang);
    const page = await context.newPage();
    for (const [name, act] of pages) {
      await act(page);
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
      console.log(`docs/screenshots/${name}.png`);
    }
    await context.close();
  };
  const p = `${origin}/projects/${project.id}`;
  await shoot('en', [
    ['sign-in', (page) => page.goto(`${origin}/`).then(() => page.getByLabel('Email').waitFor())],
    [
      'projects',
      async (page) => {
        await page.getByLabel('Email').fill(EMAIL);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Projects' }).waitFor();
      },
    ],
    [
      'setup-scenario',
      (page) => page.goto(`${p}/setup`).then(() => page.getByText('Scenario').first().waitFor()),
    ],
    [
      'setup-dynamic',
      async (page) => {
        await page.getByRole('button', { name: 'Next' }).click();
        await page.getByLabel('Pool numbers (one per line)').fill('+7 495 765-43-24\n+7 495 765-43-25');
        await page.getByLabel('Phone number or SIP URI').fill('+7 495 777-88-99');
      },
    ],
    [
      'numbers',
      async (page) => {
        await page.goto(`${p}/numbers`);
        await page
          .getByText(/of \d+ busy/)
          .first()
          .waitFor();
      },
    ],
    [
      'calls',
      async (page) => {
        await page.goto(`${p}/calls`);
        await page.getByRole('table', { name: 'Calls' }).waitFor();
      },
    ],
    [
      'call-details',
      async (page) => {
        await page
          .getByRole('button', { name: /Call details/ })
          .nth(4) // the answered Google Ads call, with its visit
          .click();
        await page.getByRole('dialog').getByText('Why:').waitFor();
      },
    ],
    [
      'report',
      async (page) => {
        await page.goto(`${p}/report`);
        await page.getByRole('img', { name: /ROMI by channel/ }).waitFor();
      },
    ],
    [
      'integrations',
      async (page) => {
        await page.goto(`${p}/integrations`);
        await page.getByRole('article', { name: 'Clinic CRM' }).waitFor();
      },
    ],
    [
      'pool-sizing',
      async (page) => {
        await page.goto(`${p}/pool-sizing`);
        await page.getByText('Your pools').waitFor();
        await page.getByRole('button', { name: 'Calculate' }).click();
        await page.getByText(/Numbers needed for 95% accuracy/).waitFor();
      },
    ],
    [
      'users',
      async (page) => {
        await page.goto(`${origin}/users`);
        await page.getByRole('table', { name: 'Users' }).getByText('anna@ulybka.example.ru').waitFor();
      },
    ],
  ]);
  await shoot('ru', [
    [
      'calls-ru',
      async (page) => {
        await page.goto(`${origin}/`);
        await page.getByLabel('Эл. почта').fill(EMAIL);
        await page.getByLabel('Пароль').fill(PASSWORD);
        await page.getByRole('button', { name: 'Войти' }).click();
        await page.getByRole('heading', { name: 'Проекты' }).waitFor();
        await page.goto(`${p}/calls`);
        await page.getByRole('table').waitFor();
      },
    ],
    [
      'report-ru',
      async (page) => {
        await page.goto(`${p}/report`);
        await page.getByRole('img', { name: /ROMI по каналам/ }).waitFor();
      },
    ],
    [
      'numbers-ru',
      async (page) => {
        await page.goto(`${p}/numbers`);
        await page.getByText('занято', { exact: false }).first().waitFor();
      },
    ],
    [
      'setup-install-ru',
      async (page) => {
        await page.goto(`${p}/setup`);
        await page.getByTestId('snippet').waitFor();
      },
    ],
  ]);
} finally {
  await browser?.close();
  server.kill();
  rmSync(dataDir, { recursive: true, force: true });
}
