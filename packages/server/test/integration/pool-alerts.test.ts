import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { CHROME_UA, createNumber, createProject } from '../helpers/factories.js';
import { type FakeIntegrations, startFakeIntegrations } from '../helpers/fake-integrations.js';

const HOUR = 3_600_000;
let counter = 0;

// A full pool raises `pool.exhausted` for the project's webhooks that ask for it, at most once an hour per pool;
// with either lease state (in memory, or shared in the database) on every database.
const cases = testDatabases().flatMap((database) =>
  (['memory', 'shared'] as const).map((state) => ({ name: database.name, state, database })),
);

describe.each(cases)('pool alerts on $name, $state lease state', ({ database, state }) => {
  let t: TestApp;
  let fake: FakeIntegrations;

  beforeAll(async () => {
    fake = await startFakeIntegrations();
    t = await createTestApp(await database.open(), { TRACKER_STATE: state });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** A project whose one-number pool falls back to another number, and a webhook for `events`. */
  async function project(events: string[]) {
    const project = await createProject(t, { siteNumbers: ['+74951234567'] });
    const [member, fallback] = [await createNumber(t, project.id), await createNumber(t, project.id)];
    const pool = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/pools`,
      payload: {
        name: 'Яндекс Директ',
        numberIds: [member.id],
        // Longer than the alert interval: the first visitor keeps the number throughout.
        holdSeconds: 7200,
        exhaustionPolicy: 'fallback',
        fallbackNumberId: fallback.id,
      },
    });
    expect(pool.statusCode, pool.body).toBe(201);
    const path = `/hooks/pool-${++counter}`;
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    fake.webhookSecrets.set(path, secret);
    const hook = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/integrations`,
      payload: {
        kind: 'webhook',
        name: 'Alerts',
        events,
        settings: { url: `${fake.origin}${path}`, secret },
      },
    });
    expect(hook.statusCode, hook.body).toBe(201);
    return { project, poolId: pool.json().id as string, path, fallback: fallback.number.slice(1) };
  }

  /** A new visitor's page view; answers the number shown. */
  async function newVisitor(publicKey: string): Promise<string | undefined> {
    const res = await t.call({
      method: 'POST',
      url: '/t/visit',
      token: null,
      payload: JSON.stringify({ k: publicKey, u: 'https://okna.example.ru/' }),
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
      remoteAddress: `10.9.${counter}.${Math.floor(Math.random() * 250)}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().swap[0]?.to;
  }

  /** Writes the counts (and so the alerts), then delivers; answers what the webhook received. */
  async function alertsAt(path: string) {
    await t.deps.services.tracking.flush();
    await t.deps.services.outboxDispatcher.dispatchOnce();
    return fake.webhooks.filter((w) => w.path === path);
  }

  it('tells the webhook once an hour that a pool was found full, signed like every event', async () => {
    const p = await project(['pool.exhausted']);
    await newVisitor(p.project.publicKey);
    expect(await alertsAt(p.path)).toEqual([]);

    expect(await newVisitor(p.project.publicKey)).toBe(p.fallback);
    const [alert, ...more] = await alertsAt(p.path);
    expect(more).toEqual([]);
    expect(alert?.headers['ringtrace-event-type']).toBe('pool.exhausted');
    expect(alert?.body).toEqual({
      id: alert?.headers['webhook-id'],
      type: 'pool.exhausted',
      projectId: p.project.id,
      occurredAt: t.clock.now(),
      data: {
        pool: {
          id: p.poolId,
          name: 'Яндекс Директ',
          numbers: 1,
          holdSeconds: 7200,
          exhaustionPolicy: 'fallback',
          exhaustedCount: 1,
        },
      },
    });
    expect(fake.rejectedWebhooks.filter((r) => r.path === p.path)).toEqual([]);

    // Within the hour more full-pool page views are counted, not alerted again.
    t.clock.advance(HOUR - 60_000);
    await newVisitor(p.project.publicKey);
    await newVisitor(p.project.publicKey);
    expect(await alertsAt(p.path)).toHaveLength(1);
    const pool = await t.call({ method: 'GET', url: `/api/v1/projects/${p.project.id}/pools/${p.poolId}` });
    expect(pool.json().exhaustedCount).toBe(3);

    t.clock.advance(60_000);
    await newVisitor(p.project.publicKey);
    const alerts = await alertsAt(p.path);
    expect(alerts).toHaveLength(2);
    expect(alerts[1]?.body).toMatchObject({ data: { pool: { id: p.poolId, exhaustedCount: 4 } } });
  });

  it('sends nothing to webhooks that did not ask for it', async () => {
    const p = await project(['call.started', 'call.ended']);
    await newVisitor(p.project.publicKey);
    await newVisitor(p.project.publicKey);
    expect(await alertsAt(p.path)).toEqual([]);
    const rows = await t.deps.database.db
      .selectFrom('outbox_event')
      .select('type')
      .where('project_id', '=', p.project.id)
      .execute();
    expect(rows).toEqual([]);
  });

  it('offers the alert to webhooks only', async () => {
    const project = await createProject(t);
    const res = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/integrations`,
      payload: {
        kind: 'ga4',
        name: 'GA4',
        events: ['call.ended', 'pool.exhausted'],
        settings: { measurementId: 'G-ABCDEF1', apiSecret: 's' },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'validation_failed',
      message: 'a ga4 integration takes only call.started, call.ended',
    });
  });
});
