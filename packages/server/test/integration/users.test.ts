import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_TTL_MS } from '../../src/modules/users/user.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createProject } from '../helpers/factories.js';

const PASSWORD = 'correct horse battery';
const CSRF = { 'x-ringtrace-csrf': '1' };

describe.each(testDatabases())('dashboard users and sessions on $name', (database) => {
  let t: TestApp;
  let a: { id: string };
  let b: { id: string };

  beforeAll(async () => {
    t = await createTestApp(await database.open());
    a = await createProject(t, { name: 'A' });
    b = await createProject(t, { name: 'B' });
    await t.deps.services.users.create({
      email: 'Admin@Example.com',
      password: PASSWORD,
      role: 'admin',
      allProjects: true,
    });
    await t.deps.services.users.create({
      email: 'analyst@example.com',
      password: PASSWORD,
      role: 'analyst',
      projectIds: [a.id],
    });
  });
  afterAll(() => t.close());

  const login = (email: string, password = PASSWORD, headers: Record<string, string> = CSRF) =>
    t.call({ method: 'POST', url: '/api/v1/auth/login', token: null, payload: { email, password }, headers });
  const cookieOf = (res: { headers: Record<string, unknown> }) => {
    const header = String(res.headers['set-cookie'] ?? '');
    return /rt_session=([^;]*)/.exec(header)?.[1] ?? '';
  };
  const asUser = (cookie: string, options: Parameters<TestApp['call']>[0]) =>
    t.call({
      ...options,
      token: null,
      headers: { cookie: `other=1; rt_session=${cookie}`, ...options.headers },
    });
  const sessions = () => t.deps.database.db.selectFrom('user_session').selectAll().execute();

  it('stores the password as a salted scrypt hash, never in clear', async () => {
    const row = await t.deps.database.db
      .selectFrom('app_user')
      .selectAll()
      .where('email', '=', 'admin@example.com')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it('signs in with email and password: an httpOnly SameSite=Lax cookie, and only a hash of it stored', async () => {
    const res = await login('  ADMIN@example.com ');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toMatchObject({
      kind: 'user',
      role: 'admin',
      allProjects: true,
      email: 'admin@example.com',
    });
    const header = String(res.headers['set-cookie']);
    expect(header).toMatch(/^rt_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=1209600$/);
    const token = cookieOf(res);
    const rows = await sessions();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.find((r) => r.created_at === t.clock.now())).toMatchObject({
      expires_at: t.clock.now() + SESSION_TTL_MS,
    });

    const me = await asUser(token, { method: 'GET', url: '/api/v1/auth/me' });
    expect(me.json()).toMatchObject({ kind: 'user', email: 'admin@example.com', role: 'admin' });
    const projects = await asUser(token, { method: 'GET', url: '/api/v1/projects' });
    expect(
      projects
        .json()
        .map((p: { id: string }) => p.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
  });

  it('refuses a wrong password, an unknown email, and a login without the CSRF header', async () => {
    const before = (await sessions()).length;
    for (const res of [
      await login('admin@example.com', 'wrong password!'),
      await login('nobody@example.com'),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toEqual({ code: 'unauthorized', message: 'wrong email or password' });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const noHeader = await login('admin@example.com', PASSWORD, {});
    expect(noHeader.statusCode).toBe(403);
    expect((await sessions()).length).toBe(before);
  });

  it('requires the CSRF header on writes by cookie, not on reads, and not with a Bearer key', async () => {
    const cookie = cookieOf(await login('admin@example.com'));
    const create = { method: 'POST' as const, url: '/api/v1/projects', payload: { name: 'By cookie' } };
    const forged = await asUser(cookie, create);
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('forbidden');
    const count = () =>
      t.deps.database.db.selectFrom('project').select('id').where('name', '=', 'By cookie').execute();
    expect(await count()).toHaveLength(0);
    const ok = await asUser(cookie, { ...create, headers: CSRF });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(await count()).toHaveLength(1);
    // API keys are unchanged: no header needed.
    const byKey = await t.call({ method: 'POST', url: '/api/v1/projects', payload: { name: 'By key' } });
    expect(byKey.statusCode).toBe(201);
  });

  it('scopes an analyst to its projects, read-only', async () => {
    const cookie = cookieOf(await login('analyst@example.com'));
    const list = await asUser(cookie, { method: 'GET', url: '/api/v1/projects' });
    expect(list.json().map((p: { id: string }) => p.id)).toEqual([a.id]);
    expect((await asUser(cookie, { method: 'GET', url: `/api/v1/projects/${b.id}` })).statusCode).toBe(404);
    expect((await asUser(cookie, { method: 'GET', url: `/api/v1/projects/${a.id}/calls` })).statusCode).toBe(
      200,
    );
    const write = await asUser(cookie, {
      method: 'PATCH',
      url: `/api/v1/projects/${a.id}`,
      payload: { name: 'renamed' },
      headers: CSRF,
    });
    expect(write.statusCode).toBe(403);
    const make = await asUser(cookie, {
      method: 'POST',
      url: '/api/v1/projects',
      payload: { name: 'x' },
      headers: CSRF,
    });
    expect(make.statusCode).toBe(403);
    expect((await asUser(cookie, { method: 'GET', url: '/api/v1/auth/me' })).json()).toMatchObject({
      kind: 'user',
      role: 'analyst',
      allProjects: false,
      projectIds: [a.id],
    });
  });

  it('ends a session at logout and when it expires; unknown cookies get 401', async () => {
    const cookie = cookieOf(await login('admin@example.com'));
    const me = { method: 'GET' as const, url: '/api/v1/auth/me' };
    expect((await asUser(cookie, me)).statusCode).toBe(200);
    const out = await asUser(cookie, { method: 'POST', url: '/api/v1/auth/logout', headers: CSRF });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain(
      'rt_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0',
    );
    expect((await asUser(cookie, me)).statusCode).toBe(401);

    const later = cookieOf(await login('admin@example.com'));
    t.clock.advance(SESSION_TTL_MS - 1000);
    expect((await asUser(later, me)).statusCode).toBe(200); // used: slides the end forward
    t.clock.advance(SESSION_TTL_MS - 1000);
    expect((await asUser(later, me)).statusCode).toBe(200);
    t.clock.advance(SESSION_TTL_MS + 1);
    const expired = await asUser(later, me);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('unauthorized');
    expect((await asUser('x'.repeat(43), me)).statusCode).toBe(401);
    expect((await asUser('garbage', me)).statusCode).toBe(401);
  });

  it('keeps Bearer keys working (a key wins over a cookie) and /me describes the key', async () => {
    const me = await t.call({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: 'rt_session=garbage' },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'api_key', role: 'admin', allProjects: true, email: null });
    expect((await t.call({ method: 'GET', url: '/api/v1/projects', token: null })).statusCode).toBe(401);
  });

  it('refuses a duplicate email, a short password and a user without projects', async () => {
    const users = t.deps.services.users;
    await expect(
      users.create({ email: 'admin@EXAMPLE.com', password: PASSWORD, role: 'admin', allProjects: true }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await expect(
      users.create({ email: 'new@example.com', password: 'short', role: 'admin', allProjects: true }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(
      users.create({ email: 'new@example.com', password: PASSWORD, role: 'analyst' }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('serves the dashboard for page paths, and keeps API and tracker 404s JSON', async () => {
    const page = await t.call({ method: 'GET', url: '/projects/x/calls', token: null });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    for (const url of ['/api/v1/nothing-here', '/t/visit', '/api/nothing']) {
      const res = await t.call({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });
});
