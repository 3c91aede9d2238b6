// The dashboard's export links are plain GETs: the session cookie must authenticate them, with no CSRF header
// (a GET changes nothing) and no API key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createProject } from '../helpers/factories.js';

describe.each(testDatabases())('CSV exports by session cookie on $name', (database) => {
  let t: TestApp;
  let project: { id: string };
  let cookie = '';

  beforeAll(async () => {
    t = await createTestApp(await database.open());
    project = await createProject(t);
    const other = await createProject(t);
    await t.deps.services.users.create({
      email: 'analyst@example.com',
      password: 'correct horse battery',
      role: 'analyst',
      projectIds: [project.id],
    });
    const res = await t.call({
      method: 'POST',
      url: '/api/v1/auth/login',
      token: null,
      payload: { email: 'analyst@example.com', password: 'correct horse battery' },
      headers: { 'x-ringtrace-csrf': '1' },
    });
    cookie = /rt_session=([^;]*)/.exec(String(res.headers['set-cookie']))?.[1] ?? '';
    expect(cookie).not.toBe('');
    expect(other.id).not.toBe(project.id);
  });
  afterAll(() => t.close());

  const get = (url: string, withCookie = true) =>
    t.call({
      method: 'GET',
      url,
      token: null,
      headers: withCookie ? { cookie: `rt_session=${cookie}` } : {},
    });

  it('downloads the calls with the filters of the log', async () => {
    const res = await get(`/api/v1/projects/${project.id}/calls/export.csv?status=answered&target=true`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="calls.csv"');
    expect(res.body.replace('\ufeff', '').split('\r\n')[0]).toMatch(/^id,startedAt,caller,/);
  });

  it('downloads the report', async () => {
    const res = await get(
      `/api/v1/projects/${project.id}/reports/csv?groupBy=channel&model=last_non_direct_click&from=2026-01-01&to=2026-01-31`,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('report-channel-2026-01-01-2026-01-31.csv');
  });

  it('refuses without the cookie, and for a project the user cannot see', async () => {
    expect((await get(`/api/v1/projects/${project.id}/calls/export.csv`, false)).statusCode).toBe(401);
    const projects = await t.deps.database.db.selectFrom('project').select('id').execute();
    const foreign = projects.find((p) => p.id !== project.id)?.id;
    expect((await get(`/api/v1/projects/${foreign}/calls/export.csv`)).statusCode).toBe(404);
    expect((await get(`/api/v1/projects/${foreign}/reports/csv`)).statusCode).toBe(404);
  });
});
