import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createProject } from '../helpers/factories.js';

describe.each(testDatabases())('bad input on $name', (database) => {
  let t: TestApp;
  let projectId: string;
  const count = async () =>
    (await t.deps.database.db.selectFrom('tracking_number').select('id').execute()).length;

  beforeAll(async () => {
    t = await createTestApp(await database.open(), { BODY_LIMIT_BYTES: '4096' });
    projectId = (await createProject(t)).id;
  });
  afterAll(() => t.close());

  const cases: {
    name: string;
    request: () => Parameters<TestApp['call']>[0];
    status: number;
    code: string;
  }[] = [
    {
      name: 'malformed JSON',
      request: () => ({
        method: 'POST',
        url: `/api/v1/projects/${projectId}/numbers`,
        payload: '{"number": "+7495',
        headers: { 'content-type': 'application/json' },
      }),
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'a number where a string belongs',
      request: () => ({
        method: 'POST',
        url: `/api/v1/projects/${projectId}/numbers`,
        payload: { number: 74951234567 },
      }),
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'an unknown field',
      request: () => ({
        method: 'POST',
        url: `/api/v1/projects/${projectId}/numbers`,
        payload: { number: '+74951234567', colour: 'red' },
      }),
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'an oversized body',
      request: () => ({
        method: 'POST',
        url: `/api/v1/projects/${projectId}/numbers/import`,
        payload: { numbers: Array.from({ length: 400 }, (_, i) => ({ number: `+7495${1000000 + i}` })) },
      }),
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'an unsupported content type',
      request: () => ({
        method: 'POST',
        url: `/api/v1/projects/${projectId}/numbers`,
        payload: '<number/>',
        headers: { 'content-type': 'application/xml' },
      }),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'an unknown project id',
      request: () => ({
        method: 'POST',
        url: '/api/v1/projects/0193aaaa-0000-7000-8000-000000000000/numbers',
        payload: { number: '+74951234567' },
      }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'an unknown number id',
      request: () => ({
        method: 'PATCH',
        url: `/api/v1/projects/${projectId}/numbers/nope`,
        payload: { label: 'x' },
      }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'a missing key',
      request: () => ({
        method: 'POST',
        url: `/api/v1/projects/${projectId}/numbers`,
        payload: { number: '+74951234567' },
        token: null,
      }),
      status: 401,
      code: 'unauthorized',
    },
    {
      name: 'a wrong key',
      request: () => ({
        method: 'POST',
        url: `/api/v1/projects/${projectId}/numbers`,
        payload: { number: '+74951234567' },
        token: `rt_AAAAAAAA_${'B'.repeat(32)}`,
      }),
      status: 401,
      code: 'unauthorized',
    },
    {
      name: 'a garbled authorization header',
      request: () => ({
        method: 'GET',
        url: '/api/v1/projects',
        token: null,
        headers: { authorization: 'Basic Zm9vOmJhcg==' },
      }),
      status: 401,
      code: 'unauthorized',
    },
    {
      name: 'an unknown route',
      request: () => ({ method: 'GET', url: '/api/v1/nothing-here' }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'an empty PATCH',
      request: () => ({ method: 'PATCH', url: `/api/v1/projects/${projectId}`, payload: {} }),
      status: 400,
      code: 'validation_failed',
    },
    {
      name: 'a limit out of range',
      request: () => ({ method: 'GET', url: `/api/v1/projects/${projectId}/numbers?limit=100000` }),
      status: 400,
      code: 'validation_failed',
    },
  ];

  it.each(cases)('answers $name with $status $code and stores nothing', async ({ request, status, code }) => {
    const before = await count();
    const res = await t.call(request());
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = res.json();
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    expect(await count()).toBe(before);
  });

  it('answers text PostgreSQL cannot store (a NUL character) with a 400, not a 500', async () => {
    const res = await t.call({
      method: 'PATCH',
      url: `/api/v1/projects/${projectId}`,
      payload: { name: 'Клиника\u0000' },
    });
    // SQLite stores any string; PostgreSQL refuses NUL in text, which is the client's fault.
    if (database.name === 'sqlite') expect(res.statusCode).toBe(200);
    else {
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
  });

  it('hides internals of a 500', async () => {
    vi.spyOn(t.deps.services.numbers, 'list').mockRejectedValueOnce(
      new Error('secret database password in stack'),
    );
    const res = await t.call({ method: 'GET', url: `/api/v1/projects/${projectId}/numbers` });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal_error', message: 'internal error' } });
  });
});
