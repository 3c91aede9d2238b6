import type { TestApp } from './app.js';

let counter = 0;
/** A valid Moscow number, different on every call. */
export function moscowNumber(): string {
  counter += 1;
  return `+7495${String(1_000_000 + counter).slice(-7)}`;
}

export async function createProject(t: TestApp, body: Record<string, unknown> = {}) {
  const res = await t.call({
    method: 'POST',
    url: '/api/v1/projects',
    payload: { name: `Project ${++counter}`, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`project: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; publicKey: string; country: string; currency: string };
}

export async function createKey(t: TestApp, body: Record<string, unknown>) {
  const res = await t.call({
    method: 'POST',
    url: '/api/v1/api-keys',
    payload: { name: 'k', role: 'admin', ...body },
  });
  if (res.statusCode !== 201) throw new Error(`key: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

export async function createNumber(t: TestApp, projectId: string, body: Record<string, unknown> = {}) {
  const res = await t.call({
    method: 'POST',
    url: `/api/v1/projects/${projectId}/numbers`,
    payload: { number: moscowNumber(), ...body },
  });
  if (res.statusCode !== 201) throw new Error(`number: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; number: string };
}

/**
 * The project every call-webhook test needs: a site number, a default destination, one pool number, one static
 * billboard number, and a provider account (the API answer, so tests can read its webhook URLs).
 */
export async function createCallProject(
  t: TestApp,
  o: { destination: Record<string, unknown>; account: Record<string, unknown> },
) {
  const project = await createProject(t, { siteNumbers: ['+74951234567'] });
  const dest = await t.call({
    method: 'POST',
    url: `/api/v1/projects/${project.id}/destinations`,
    payload: o.destination,
  });
  await t.call({
    method: 'PATCH',
    url: `/api/v1/projects/${project.id}`,
    payload: { defaultDestinationId: dest.json().id },
  });
  const pooled = await createNumber(t, project.id);
  await t.call({
    method: 'POST',
    url: `/api/v1/projects/${project.id}/pools`,
    payload: { name: 'Сайт', numberIds: [pooled.id] },
  });
  const board = await createNumber(t, project.id);
  await t.call({
    method: 'POST',
    url: `/api/v1/projects/${project.id}/static-channels`,
    payload: { name: 'Билборд', kind: 'offline', offlineMedium: 'billboard', numberId: board.id },
  });
  const account = await t.call({
    method: 'POST',
    url: `/api/v1/projects/${project.id}/provider-accounts`,
    payload: o.account,
  });
  return { project, poolNumber: pooled.number, billboardNumber: board.number, account };
}

export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** A page view from a Google Ads click, as the site script reports it. */
export function visitFromGoogleAd(t: TestApp, publicKey: string) {
  return t.call({
    method: 'POST',
    url: '/t/visit',
    token: null,
    payload: JSON.stringify({
      k: publicKey,
      u: 'https://clinic.example.ru/?utm_source=google&utm_medium=cpc&utm_campaign=implants&gclid=abc',
    }),
    headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
  });
}
