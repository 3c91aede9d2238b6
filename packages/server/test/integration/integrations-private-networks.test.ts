import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/databases.js';
import { createProject } from '../helpers/factories.js';
import { type FakeIntegrations, startFakeIntegrations } from '../helpers/fake-integrations.js';

// The address guard of outbound integrations (modules/integrations/address-guard.ts), with the setting as it is by
// default: the receiver below listens on 127.0.0.1, which an integration must not be able to reach. The guard is
// the same whatever the database, so one database is enough.
const [database] = testDatabases();

describe('outbound integrations and private networks', () => {
  let t: TestApp;
  let fake: FakeIntegrations;

  beforeAll(async () => {
    fake = await startFakeIntegrations();
    t = await createTestApp(await (database as NonNullable<typeof database>).open(), {
      INTEGRATION_ALLOW_PRIVATE_NETWORKS: 'false',
      INTEGRATION_TIMEOUT_SECONDS: '2',
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** A webhook integration to `url` owed one event; answers the event as the delivery log shows it after a round. */
  async function deliverTo(url: string) {
    const project = await createProject(t);
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const created = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/integrations`,
      payload: { kind: 'webhook', name: 'Hook', settings: { url, secret } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    await t.deps.services.integrations.enqueue(t.deps.database.db, {
      projectId: project.id,
      type: 'call.ended',
      integrationIds: [id],
      occurredAt: t.clock.now(),
      data: { call: { id: 'c1' }, attribution: {} } as never,
    });
    expect(await t.deps.services.outboxDispatcher.dispatchOnce()).toBe(1);
    const log = await t.call({
      method: 'GET',
      url: `/api/v1/projects/${project.id}/integrations/${id}/deliveries`,
    });
    return log.json()[0] as { status: string; attempts: number; lastError: string | null };
  }

  it('refuses a private address typed into a URL, and says how to allow it', async () => {
    const project = await createProject(t);
    const port = new URL(fake.origin).port;
    const create = (kind: string, settings: Record<string, unknown>) =>
      t.call({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/integrations`,
        payload: { kind, name: 'x', settings },
      });
    for (const [url, address] of [
      [`http://127.0.0.1:${port}/hooks/a`, '127.0.0.1'],
      [`http://[::ffff:127.0.0.1]:${port}/hooks/b`, '::ffff:7f00:1'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
      ['https://10.0.0.5/crm', '10.0.0.5'],
    ] as const) {
      const res = await create('webhook', { url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toEqual({
        code: 'validation_failed',
        message: `settings.url points at ${address}, a private address; set INTEGRATION_ALLOW_PRIVATE_NETWORKS=true to allow private networks`,
        details: [{ path: '/settings/url', message: 'a private address' }],
      });
    }
    // Bitrix24's webhook URL is a secret, and checked all the same.
    const bitrix = await create('bitrix24', { webhookUrl: 'https://192.168.1.20/rest/1/abcdef123456/' });
    expect(bitrix.statusCode).toBe(400);
    expect(bitrix.json().error.details).toEqual([
      { path: '/settings/webhookUrl', message: 'a private address' },
    ]);
  });

  it('does not call a name that resolves to a private address, and says how to allow it', async () => {
    const port = new URL(fake.origin).port;
    // A name is checked on the address it resolves to, as the connection is made.
    const named = await deliverTo(`http://localhost:${port}/hooks/b`);
    expect(named).toMatchObject({ status: 'pending', attempts: 1 });
    expect(named.lastError).toMatch(
      /^network error: localhost is (127\.0\.0\.1|::1), a private address; set INTEGRATION_ALLOW_PRIVATE_NETWORKS=true/,
    );
    expect(fake.webhooks).toEqual([]);
  });
});
