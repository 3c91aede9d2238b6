// What the outbound-integration tests share: a project with a pool number, a billboard number, a generic PBX
// account and the given integrations; calls reported by that PBX (Standard Webhooks signed); the outbox and the
// deliveries as the API shows them.
import { createHmac, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from './app.js';
import { CHROME_UA, createCallProject } from './factories.js';

/** The test apps' PUBLIC_URL, which the PBX account's webhook URLs start with. */
export const PUBLIC_URL = 'https://ct.example.com';
export const GA_CLIENT_ID = '1234567890.1768000000';
export const YM_CLIENT_ID = '1768000000123456789';
export const LANDING_URL =
  'https://clinic.example.ru/implants?utm_source=google&utm_medium=cpc&utm_campaign=implants&utm_term=dental+implants&utm_content=banner-2&gclid=abc';

let counter = 0;

export type IntegrationsProject = Awaited<ReturnType<typeof integrationsProject>>;

/** A project with a pool number, a billboard number and a generic PBX account, plus the given integrations. */
export async function integrationsProject(t: TestApp, integrations: Record<string, unknown>[]) {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const setup = await createCallProject(t, {
    destination: { name: 'Офис', kind: 'phone', target: '+74951112233' },
    account: { provider: 'generic', name: 'PBX', credentials: { secret } },
  });
  const created = [];
  for (const body of integrations) {
    const res = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${setup.project.id}/integrations`,
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(201);
    created.push(res.json());
  }
  const eventsUrl = (setup.account.json().webhookUrls.events as string).slice(PUBLIC_URL.length);
  return { ...setup, pbxSecret: secret, eventsUrl, integrations: created };
}

/** A call event as the PBX reports it through the generic webhook (Standard Webhooks signed). */
export async function pbxEvent(
  t: TestApp,
  p: { pbxSecret: string; eventsUrl: string },
  name: string,
  callId: string,
  caller: string,
  called: string,
  extra: Record<string, unknown> = {},
) {
  const raw = JSON.stringify({
    event: name,
    callId,
    caller,
    called,
    at: new Date(t.clock.now()).toISOString(),
    ...extra,
  });
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const ts = Math.floor(t.clock.now() / 1000);
  const key = Buffer.from(p.pbxSecret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest('base64');
  const res = await t.call({
    method: 'POST',
    url: p.eventsUrl,
    token: null,
    payload: raw,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(ts),
      'webhook-signature': `v1,${signature}`,
    },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { callId: string };
}

export interface CallOptions {
  /** GA and Metrica ids of the visit (defaults: GA_CLIENT_ID, YM_CLIENT_ID; null: none). */
  ga?: string | null;
  ym?: string | null;
  /** The site's GA4 session cookies (`_ga_<stream>=…`), as the site script reports them. */
  gs?: string;
  /** The page the visitor landed on (default LANDING_URL: a Google ad's, with utm tags and gclid=abc). */
  landingUrl?: string;
  /** The pool number (after a visit from a Google ad, default) or the billboard's static number (no visit). */
  number?: 'pool' | 'billboard';
  /** The caller as the PBX reports it (default: a new mobile number); e.g. `anonymous` for a hidden one. */
  caller?: string;
  recordingUrl?: string;
}

/** A visitor from a Google ad calls the pool number (or someone calls the billboard); answered after 6 s, 95 s talk. */
export async function answeredCall(t: TestApp, p: IntegrationsProject, o: CallOptions = {}) {
  if (o.number !== 'billboard') {
    const page = await t.call({
      method: 'POST',
      url: '/t/visit',
      token: null,
      payload: JSON.stringify({
        k: p.project.publicKey,
        u: o.landingUrl ?? LANDING_URL,
        ...(o.ga !== null && { ga: o.ga ?? GA_CLIENT_ID }),
        ...(o.ym !== null && { ym: o.ym ?? YM_CLIENT_ID }),
        ...(o.gs && { gs: o.gs }),
      }),
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
    });
    expect(page.statusCode).toBe(200);
    t.clock.advance(30_000);
  }
  const called = o.number === 'billboard' ? p.billboardNumber : p.poolNumber;
  const pbxCallId = `1768467600.${++counter}`;
  const caller = o.caller ?? `+7916555${String(counter).padStart(4, '0')}`;
  const startedAt = t.clock.now();
  const started = await pbxEvent(t, p, 'call.started', pbxCallId, caller, called);
  // A redelivered start is the same call and owes no second event.
  await pbxEvent(t, p, 'call.started', pbxCallId, caller, called);
  t.clock.advance(6_000);
  await pbxEvent(t, p, 'call.answered', pbxCallId, caller, called);
  t.clock.advance(95_000);
  const ended = {
    status: 'answered',
    talkSeconds: 95,
    ...(o.recordingUrl && { recordingUrl: o.recordingUrl }),
  };
  await pbxEvent(t, p, 'call.ended', pbxCallId, caller, called, ended);
  // A late repeat of the end changes nothing and owes nothing.
  await pbxEvent(t, p, 'call.ended', pbxCallId, caller, called, ended);
  return { callId: started.callId, caller, startedAt };
}

/** An integration's outbox rows, oldest first. */
export const outboxOf = (t: TestApp, integrationId: string) =>
  t.deps.database.db
    .selectFrom('outbox_event')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('id')
    .execute();

export interface DeliveryView {
  id: string;
  type: string;
  status: string;
  attempts: number;
  lastError: string | null;
  note: string | null;
  callId: string | null;
  nextAttemptAt: number | null;
}

/** GET …/deliveries, newest first. */
export async function deliveriesOf(t: TestApp, projectId: string, id: string): Promise<DeliveryView[]> {
  const res = await t.call({
    method: 'GET',
    url: `/api/v1/projects/${projectId}/integrations/${id}/deliveries`,
  });
  expect(res.statusCode).toBe(200);
  return res.json() as DeliveryView[];
}

/** The project's integrations collection. */
export const integrationsUrl = (p: IntegrationsProject) => `/api/v1/projects/${p.project.id}/integrations`;

/** POSTs each body and expects 400 validation_failed naming the setting (details) and matching the message. */
export async function expectRefused(
  t: TestApp,
  p: IntegrationsProject,
  cases: [Record<string, unknown>, string, RegExp][],
) {
  for (const [body, path, message] of cases) {
    const res = await t.call({ method: 'POST', url: integrationsUrl(p), payload: body });
    expect(res.statusCode, JSON.stringify(body)).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('validation_failed');
    expect(error.message, JSON.stringify(body)).toMatch(message);
    expect(error.details?.[0]?.path, JSON.stringify(body)).toBe(path);
  }
}
