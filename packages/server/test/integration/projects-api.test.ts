import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createKey, createProject } from '../helpers/factories.js';

describe.each(testDatabases())('projects and API keys on $name', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(await database.open());
  });
  afterAll(() => t.close());

  it('answers the health check without a key', async () => {
    const res = await t.call({ method: 'GET', url: '/healthz', token: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
  });

  it('creates a project with country defaults and reads it back from the database', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/api/v1/projects',
      payload: { name: 'Стоматология на Арбате', siteNumbers: ['8 (495) 123-45-67', '+7 495 123 45 67'] },
    });
    expect(res.statusCode).toBe(201);
    const project = res.json();
    expect(project).toMatchObject({
      name: 'Стоматология на Арбате',
      country: 'RU',
      timezone: 'Europe/Moscow',
      currency: 'RUB',
      siteNumbers: ['+74951234567'],
      settings: {
        repeatCallerDays: 30,
        repeatCallerAttribution: 'first',
        targetCall: { minTalkSeconds: 30 },
      },
    });
    expect(project.publicKey).toMatch(/^pk_/);
    const row = await t.deps.database.db
      .selectFrom('project')
      .selectAll()
      .where('id', '=', project.id)
      .executeTakeFirstOrThrow();
    expect(row.site_numbers).toBe('["+74951234567"]');
    expect(row.created_at).toBe(t.clock.now());
  });

  it('updates settings by merging, and refuses unknown time zones and currencies with every reason', async () => {
    const { id } = await createProject(t);
    const ok = await t.call({
      method: 'PATCH',
      url: `/api/v1/projects/${id}`,
      payload: { settings: { targetCall: { minTalkSeconds: 45 } }, timezone: 'Asia/Yekaterinburg' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().settings.targetCall).toEqual({
      answeredOnly: true,
      minTalkSeconds: 45,
      firstCallOnly: false,
    });
    const bad = await t.call({
      method: 'PATCH',
      url: `/api/v1/projects/${id}`,
      payload: { timezone: 'Mars/Olympus', currency: 'XYZ', siteNumbers: ['12'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    expect(bad.json().error.details.problems).toHaveLength(3);
    const row = await t.deps.database.db
      .selectFrom('project')
      .select('timezone')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.timezone).toBe('Asia/Yekaterinburg');
  });

  it('lists only the projects a key may see, and lets an analyst read but not write', async () => {
    const a = await createProject(t);
    const b = await createProject(t);
    const analyst = await createKey(t, { role: 'analyst', projectIds: [a.id] });
    const list = await t.call({ method: 'GET', url: '/api/v1/projects', token: analyst });
    expect(list.json().map((p: { id: string }) => p.id)).toEqual([a.id]);
    expect(
      (await t.call({ method: 'GET', url: `/api/v1/projects/${a.id}`, token: analyst })).statusCode,
    ).toBe(200);
    expect(
      (await t.call({ method: 'GET', url: `/api/v1/projects/${b.id}`, token: analyst })).statusCode,
    ).toBe(404);
    const write = await t.call({
      method: 'PATCH',
      url: `/api/v1/projects/${a.id}`,
      token: analyst,
      payload: { name: 'x' },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.code).toBe('forbidden');
    const create = await t.call({
      method: 'POST',
      url: '/api/v1/projects',
      token: analyst,
      payload: { name: 'x' },
    });
    expect(create.statusCode).toBe(403);
  });

  it('creates keys no stronger than their creator, shows the token once, and revokes them', async () => {
    const a = await createProject(t);
    const b = await createProject(t);
    const scoped = await createKey(t, { role: 'admin', projectIds: [a.id] });
    const wider = await t.call({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: scoped,
      payload: { name: 'x', role: 'admin', allProjects: true },
    });
    expect(wider.statusCode).toBe(403);
    const other = await t.call({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: scoped,
      payload: { name: 'x', role: 'admin', projectIds: [b.id] },
    });
    expect(other.statusCode).toBe(404);
    const made = await t.call({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: scoped,
      payload: { name: 'ci', role: 'analyst', projectIds: [a.id] },
    });
    expect(made.statusCode).toBe(201);
    const { key, token } = made.json();
    expect(token).toMatch(/^rt_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/);
    const stored = await t.deps.database.db
      .selectFrom('api_key')
      .selectAll()
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    expect(JSON.stringify(stored)).not.toContain(token.slice(12));
    const listed = await t.call({ method: 'GET', url: '/api/v1/api-keys', token: scoped });
    expect(JSON.stringify(listed.json())).not.toContain(token);
    expect(
      (await t.call({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, token: scoped })).statusCode,
    ).toBe(204);
    const after = await t.call({ method: 'GET', url: '/api/v1/projects', token });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthorized');
  });

  it('deletes a project with everything it owns', async () => {
    const p = await createProject(t);
    await t.call({
      method: 'POST',
      url: `/api/v1/projects/${p.id}/numbers`,
      payload: { number: '+74959998877' },
    });
    expect((await t.call({ method: 'DELETE', url: `/api/v1/projects/${p.id}` })).statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: `/api/v1/projects/${p.id}` })).statusCode).toBe(404);
    const left = await t.deps.database.db
      .selectFrom('tracking_number')
      .select('id')
      .where('project_id', '=', p.id)
      .execute();
    expect(left).toEqual([]);
  });

  it('serves an OpenAPI document generated from the routes', async () => {
    const res = await t.call({ method: 'GET', url: '/api/docs/json', token: null });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/projects',
        '/api/v1/projects/{projectId}/numbers/import',
        '/api/v1/projects/{projectId}/pools/{id}',
      ]),
    );
    expect((await t.call({ method: 'GET', url: '/api/docs', token: null })).statusCode).toBeLessThan(400);
  });
});
