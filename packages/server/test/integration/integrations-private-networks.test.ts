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

  it('does not call an address on the loopback network, and says how to allow it', async () => {
    const port = new URL(fake.origin).port;
    const literal = await deliverTo(`http://127.0.0.1:${port}/hooks/a`);
    expect(literal).toMatchObject({ status: 'pending', attempts: 1 });
    expect(literal.lastError).toBe(
      'network error: 127.0.0.1 is a private address; set INTEGRATION_ALLOW_PRIVATE_NETWORKS=true to allow private networks',
    );
    // A name is checked on the address it resolves to, as the connection is made.
    const named = await deliverTo(`http://localhost:${port}/hooks/b`);
    expect(named.lastError).toMatch(
      /^network error: localhost is (127\.0\.0\.1|::1), a private address; set INTEGRATION_ALLOW_PRIVATE_NETWORKS=true/,
    );
    const mapped = await deliverTo(`http://[::ffff:127.0.0.1]:${port}/hooks/c`);
    expect(mapped.lastError).toMatch(/is a private address/);
    const metadata = await deliverTo('http://169.254.169.254/latest/meta-data/');
    expect(metadata.lastError).toMatch(/^network error: 169\.254\.169\.254 is a private address/);
    expect(fake.webhooks).toEqual([]);
  });
});
