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
