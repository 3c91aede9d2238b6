import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createKey, createNumber, createProject } from '../helpers/factories.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A body that would be valid for the route, so that only the tenancy check can refuse it. */
function bodyFor(method: Method, path: string, numberId: string): unknown {
  if (method === 'GET' || method === 'DELETE') return undefined;
  const collection =
    /\/(numbers|destinations|static-channels|pools|provider-accounts|integrations|calls)(\/|$)/.exec(
      path,
    )?.[1] ?? 'projects';
  if (path.endsWith('/import')) return { numbers: [{ number: '+74950000001' }] };
  const create: Record<string, unknown> = {
    numbers: { number: '+74950000002' },
    destinations: { name: 'x', kind: 'phone', target: '+74950000003' },
    'static-channels': { name: 'x', kind: 'online', numberId },
    pools: { name: 'x' },
    'provider-accounts': { provider: 'generic', name: 'x', credentials: { secret: 's' } },
    integrations: { kind: 'webhook', name: 'x', settings: { url: 'https://crm.example.com/hook' } },
    projects: { name: 'x' },
  };
  const update: Record<string, unknown> = {
    numbers: { label: 'x' },
    destinations: { name: 'x' },
    'static-channels': { name: 'x' },
    pools: { name: 'x' },
    'provider-accounts': { name: 'x' },
    integrations: { name: 'x' },
    projects: { name: 'x' },
  };
  return (method === 'POST' ? create : update)[collection];
}

const TABLES: (keyof Database)[] = [
  'project',
  'tracking_number',
  'destination',
  'static_channel',
  'pool',
  'api_key',
  'api_key_project',
  'integration',
  'outbox_event',
];

describe.each(testDatabases())('tenancy on $name', (database) => {
  let t: TestApp;
  let a: { id: string };
  let b: { id: string };
  let keyA: string;
  const idsOfB: Record<string, string> = {};

  const snapshot = async () => {
    const out: Record<string, unknown> = {};
    for (const table of TABLES) out[table] = await t.deps.database.db.selectFrom(table).selectAll().execute();
    // Using a key stamps its last use; that is the one write a refused request may cause.
    for (const key of out.api_key as { last_used_at: unknown }[]) key.last_used_at = null;
    return JSON.stringify(out);
  };

  beforeAll(async () => {
    t = await createTestApp(await database.open());
    a = await createProject(t);
    b = await createProject(t);
    keyA = await createKey(t, { role: 'admin', projectIds: [a.id] });
    const numberB = await createNumber(t, b.id);
    const channelNumberB = await createNumber(t, b.id);
    idsOfB.numbers = numberB.id;
    const dest = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${b.id}/destinations`,
      payload: { name: 'd', kind: 'phone', target: '+74951230000' },
    });
    idsOfB.destinations = dest.json().id;
    const channel = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${b.id}/static-channels`,
      payload: { name: 'c', kind: 'online', numberId: channelNumberB.id },
    });
    idsOfB['static-channels'] = channel.json().id;
    const pool = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${b.id}/pools`,
      payload: { name: 'p', numberIds: [numberB.id] },
    });
    idsOfB.pools = pool.json().id;
    const integration = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${b.id}/integrations`,
      payload: { kind: 'webhook', name: 'w', settings: { url: 'https://crm.example.com/b' } },
    });
    idsOfB.integrations = integration.json().id;
  });
  afterAll(() => t.close());

  it('refuses every project route of project B to a key of project A, and changes nothing', async () => {
    const doc = (await t.call({ method: 'GET', url: '/api/docs/json', token: null })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .map((m) => m.toUpperCase() as Method)
        .filter((m) => ['GET', 'POST', 'PATCH', 'DELETE'].includes(m))
        .map((method) => ({ method, path })),
    );
    const scoped = routes.filter((r) => r.path.includes('{projectId}'));
    expect(scoped.length).toBeGreaterThanOrEqual(20);
    const before = await snapshot();
    for (const { method, path } of scoped) {
      const collection =
        /\/(numbers|destinations|static-channels|pools|provider-accounts|integrations|calls)\//.exec(
          path,
        )?.[1];
      const itemId = collection ? (idsOfB[collection] ?? 'missing') : 'none';
      const payload = bodyFor(method, path, idsOfB.numbers ?? '');
      // B's project in the URL, and also A's project with B's item id in it.
      const urls = [path.replace('{projectId}', b.id).replace('{id}', itemId)];
      if (path.includes('{id}')) urls.push(path.replace('{projectId}', a.id).replace('{id}', itemId));
      for (const url of urls) {
        const res = await t.call({
          method,
          url,
          token: keyA,
          ...(payload === undefined ? {} : { payload: payload as object }),
        });
        expect({ method, url, status: res.statusCode }).toEqual({ method, url, status: 404 });
        expect(res.json().error.code).toBe('not_found');
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it("neither lists nor revokes project B's keys for a key of project A", async () => {
    const keyB = await createKey(t, { role: 'admin', projectIds: [b.id] });
    const list = await t.call({ method: 'GET', url: '/api/v1/api-keys', token: keyA });
    const visible = list.json() as { projectIds: string[]; allProjects: boolean }[];
    expect(visible.every((k) => !k.allProjects && k.projectIds.every((id) => id === a.id))).toBe(true);
    const keysOfB = (await t.call({ method: 'GET', url: '/api/v1/api-keys' }))
      .json()
      .filter((k: { projectIds: string[] }) => k.projectIds.includes(b.id));
    const before = await snapshot();
    for (const key of keysOfB) {
      expect(
        (await t.call({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, token: keyA })).statusCode,
      ).toBe(404);
    }
    expect(await snapshot()).toBe(before);
    expect((await t.call({ method: 'GET', url: `/api/v1/projects/${b.id}`, token: keyB })).statusCode).toBe(
      200,
    );
    const projects = (await t.call({ method: 'GET', url: '/api/v1/projects', token: keyA })).json() as {
      id: string;
    }[];
    expect(projects.map((p) => p.id)).toEqual([a.id]);
  });
});
