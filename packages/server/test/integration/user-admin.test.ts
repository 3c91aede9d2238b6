import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../src/modules/users/login-throttle.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createKey, createProject } from '../helpers/factories.js';

const PASSWORD = 'correct horse battery';
const CSRF = { 'x-ringtrace-csrf': '1' };

describe.each(testDatabases())('managing dashboard users on $name', (database) => {
  let t: TestApp;
  let a: { id: string };
  let b: { id: string };
  let root: string; // cookie of the installation-wide admin
  let rootId: string;
  let projectAdmin: string; // cookie of an admin of project A only
  let ip = 0;
  let marketerPassword = '';

  const login = (email: string, password = PASSWORD, remoteAddress = `10.1.0.${++ip % 250}`) =>
    t.call({
      method: 'POST',
      url: '/api/v1/auth/login',
      token: null,
      payload: { email, password },
      headers: CSRF,
      remoteAddress,
    });
  const cookieOf = async (email: string, password = PASSWORD) => {
    const res = await login(email, password);
    if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
    return /rt_session=([^;]*)/.exec(String(res.headers['set-cookie']))?.[1] ?? '';
  };
  const as = (cookie: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.call({
      method,
      url,
      token: null,
      headers: { cookie: `rt_session=${cookie}`, ...CSRF },
      ...(payload ? { payload } : {}),
    });
  const userRow = (email: string) =>
    t.deps.database.db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst();
  const projectsOf = async (userId: string) =>
    (
      await t.deps.database.db
        .selectFrom('user_project')
        .select('project_id')
        .where('user_id', '=', userId)
        .execute()
    )
      .map((r) => r.project_id)
      .sort();

  beforeAll(async () => {
    t = await createTestApp(await database.open());
    a = await createProject(t, { name: 'A' });
    b = await createProject(t, { name: 'B' });
    rootId = (
      await t.deps.services.users.create({
        email: 'root@example.com',
        password: PASSWORD,
        role: 'admin',
        allProjects: true,
      })
    ).id;
    await t.deps.services.users.create({
      email: 'lead@example.com',
      password: PASSWORD,
      role: 'admin',
      projectIds: [a.id],
    });
    await t.deps.services.users.create({
      email: 'b-analyst@example.com',
      password: PASSWORD,
      role: 'analyst',
      projectIds: [b.id],
    });
    root = await cookieOf('root@example.com');
    projectAdmin = await cookieOf('lead@example.com');
  });
  afterAll(() => t.close());

  it('invites a user with a generated password that signs in once handed over', async () => {
    const res = await as(root, 'POST', '/api/v1/users', {
      email: 'Marketer@Example.com',
      role: 'analyst',
      projectIds: [a.id],
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.user).toMatchObject({ email: 'marketer@example.com', role: 'analyst', projectIds: [a.id] });
    expect(body.temporaryPassword).toMatch(/^[\w-]{16}$/);
    marketerPassword = body.temporaryPassword;
    const row = await userRow('marketer@example.com');
    expect(row?.password_hash).toMatch(/^scrypt\$/);
    expect(row?.password_hash).not.toContain(body.temporaryPassword);
    expect((await login('marketer@example.com', body.temporaryPassword)).statusCode).toBe(200);

    // With a password of the admin's choosing, none is echoed back.
    const chosen = await as(root, 'POST', '/api/v1/users', {
      email: 'boss@example.com',
      role: 'admin',
      allProjects: true,
      password: 'boss-password-1',
    });
    expect(chosen.statusCode, chosen.body).toBe(201);
    expect(chosen.json().temporaryPassword).toBeNull();
    expect(
      (
        await as(root, 'POST', '/api/v1/users', {
          email: 'boss@example.com',
          role: 'analyst',
          projectIds: [a.id],
        })
      ).statusCode,
    ).toBe(409);
  });

  it('lists everyone to an installation admin, and only their projects’ users to a project admin', async () => {
    const all = (await as(root, 'GET', '/api/v1/users')).json() as { email: string }[];
    expect(all.map((u) => u.email)).toEqual(
      expect.arrayContaining([
        'root@example.com',
        'lead@example.com',
        'b-analyst@example.com',
        'marketer@example.com',
      ]),
    );
    const mine = (await as(projectAdmin, 'GET', '/api/v1/users')).json() as { email: string }[];
    expect(mine.map((u) => u.email).sort()).toEqual(['lead@example.com', 'marketer@example.com']);
  });

  it('lets a project admin manage only within their projects', async () => {
    const foreign = await as(projectAdmin, 'POST', '/api/v1/users', {
      email: 'x@example.com',
      role: 'analyst',
      projectIds: [b.id],
    });
    expect(foreign.statusCode).toBe(404); // project B is invisible to them
    const wide = await as(projectAdmin, 'POST', '/api/v1/users', {
      email: 'x@example.com',
      role: 'admin',
      allProjects: true,
    });
    expect(wide.statusCode).toBe(403);
    expect(wide.json().error.code).toBe('forbidden');
    expect(await userRow('x@example.com')).toBeUndefined();
    const bAnalyst = await userRow('b-analyst@example.com');
    expect(
      (await as(projectAdmin, 'PATCH', `/api/v1/users/${bAnalyst?.id}`, { role: 'admin' })).statusCode,
    ).toBe(404);
    expect((await as(projectAdmin, 'DELETE', `/api/v1/users/${bAnalyst?.id}`)).statusCode).toBe(404);
    expect((await userRow('b-analyst@example.com'))?.role).toBe('analyst');
  });

  it('changes a role and projects, effective on the user’s next request', async () => {
    const marketer = await userRow('marketer@example.com');
    const session = await cookieOf('boss@example.com', 'boss-password-1'); // any installation admin will do
    const theirs = await cookieOf('marketer@example.com', marketerPassword);
    expect((await as(theirs, 'GET', '/api/v1/auth/me')).json()).toMatchObject({
      role: 'analyst',
      projectIds: [a.id],
    });
    const res = await as(session, 'PATCH', `/api/v1/users/${marketer?.id}`, {
      role: 'admin',
      projectIds: [a.id, b.id],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ role: 'admin', projectIds: expect.arrayContaining([a.id, b.id]) });
    expect((await userRow('marketer@example.com'))?.role).toBe('admin');
    expect(await projectsOf(marketer?.id ?? '')).toEqual([a.id, b.id].sort());
    const me = (await as(theirs, 'GET', '/api/v1/auth/me')).json();
    expect(me).toMatchObject({ role: 'admin' });
    expect(me.projectIds.sort()).toEqual([a.id, b.id].sort());
  });

  it('refuses changing one’s own role or removing oneself, and analysts manage no one', async () => {
    const self = await as(root, 'PATCH', `/api/v1/users/${rootId}`, { role: 'analyst' });
    expect(self.statusCode).toBe(403);
    expect((await as(root, 'PATCH', `/api/v1/users/${rootId}`, { name: 'Root' })).statusCode).toBe(200);
    expect((await as(root, 'DELETE', `/api/v1/users/${rootId}`)).statusCode).toBe(403);
    const analyst = await cookieOf('b-analyst@example.com');
    const res = await as(analyst, 'GET', '/api/v1/users');
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
    const analystKey = await createKey(t, { role: 'analyst', allProjects: true });
    expect((await t.call({ method: 'GET', url: '/api/v1/users', token: analystKey })).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(200); // the admin key
  });

  it('removes a user with their sessions', async () => {
    const cookie = await cookieOf('boss@example.com', 'boss-password-1');
    const boss = await userRow('boss@example.com');
    const res = await as(root, 'DELETE', `/api/v1/users/${boss?.id}`);
    expect(res.statusCode).toBe(204);
    expect(await userRow('boss@example.com')).toBeUndefined();
    const sessions = await t.deps.database.db
      .selectFrom('user_session')
      .select('id')
      .where('user_id', '=', boss?.id ?? '')
      .execute();
    expect(sessions).toEqual([]);
    expect((await as(cookie, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
  });

  it('resets a password and ends the user’s sessions', async () => {
    const old = await cookieOf('lead@example.com');
    const lead = await userRow('lead@example.com');
    const res = await as(root, 'PATCH', `/api/v1/users/${lead?.id}`, { password: 'a-new-password' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await as(old, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await login('lead@example.com', 'a-new-password')).statusCode).toBe(200);
  });

  it('limits failed sign-ins per account with a 429 and a machine-readable code', async () => {
    await t.deps.services.users.create({
      email: 'target@example.com',
      password: PASSWORD,
      role: 'analyst',
      projectIds: [a.id],
    });
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++)
      expect((await login('target@example.com', 'wrong-password')).statusCode).toBe(401);
    // From yet another address, even with the right password: the account is paused.
    const res = await login('TARGET@example.com', PASSWORD);
    expect(res.statusCode).toBe(429);
    expect(res.json().error).toMatchObject({
      code: 'rate_limited',
      details: { scope: 'account', retryAfterSeconds: 900 },
    });
    expect(res.headers['retry-after']).toBe('900');
    t.clock.advance(LOGIN_LIMITS.windowMs);
    expect((await login('target@example.com', PASSWORD)).statusCode).toBe(200);
  });

  it('limits failed sign-ins per client address across accounts', async () => {
    const address = '203.0.113.99';
    for (let i = 0; i < LOGIN_LIMITS.perIp; i++)
      expect((await login(`nobody${i}@example.com`, 'wrong-password', address)).statusCode).toBe(401);
    const res = await login('root@example.com', PASSWORD, address);
    expect(res.statusCode).toBe(429);
    expect(res.json().error).toMatchObject({ code: 'rate_limited', details: { scope: 'ip' } });
    expect((await login('root@example.com', PASSWORD, '203.0.113.100')).statusCode).toBe(200);
  });
});
