import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.js';
import { migrationState } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { testDatabases } from '../helpers/databases.js';

describe.each(testDatabases())('storage on $name', (database) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await database.open();
  });
  afterAll(() => handle.close());

  it('has applied every migration', async () => {
    const state = await migrationState(handle.db, handle.schema);
    expect(state.pending).toEqual([]);
    expect(state.applied).toEqual(Object.keys(migrations));
  });

  it('reads epoch-millisecond times and money back as exact numbers', async () => {
    const at = Date.UTC(2031, 11, 31, 23, 59, 59, 999);
    await handle.db
      .insertInto('project')
      .values({
        id: 'p1',
        name: 'Клиника «Здоровье»',
        timezone: 'Europe/Moscow',
        currency: 'RUB',
        country: 'RU',
        public_key: 'pk_1',
        site_numbers: '[]',
        default_destination_id: null,
        settings: '{}',
        created_at: at,
        updated_at: at,
      })
      .execute();
    await handle.db
      .insertInto('spend')
      .values({
        id: 's1',
        project_id: 'p1',
        day: '2031-12-31',
        ad_network: 'yandex_direct',
        campaign: null,
        ad_group: null,
        ad: null,
        keyword: null,
        impressions: 10,
        clicks: 2,
        cost_minor: 9_007_199_254_740, // 90 billion roubles in kopecks: far beyond 32 bits
        currency: 'RUB',
        import_id: null,
        created_at: at,
      })
      .execute();
    const project = await handle.db.selectFrom('project').selectAll().executeTakeFirstOrThrow();
    expect(project.created_at).toBe(at);
    expect(project.name).toBe('Клиника «Здоровье»');
    const total = await handle.db
      .selectFrom('spend')
      .select((eb) => [eb.fn.sum<number>('cost_minor').as('sum'), eb.fn.countAll<number>().as('n')])
      .executeTakeFirstOrThrow();
    expect(total).toEqual({ sum: 9_007_199_254_740, n: 1 });
  });

  it('enforces one project per tracking number across the installation', async () => {
    const row = {
      project_id: 'p1',
      e164: '+74951234567',
      label: '',
      provider: 'other',
      provider_ref: null,
      status: 'active' as const,
      monthly_cost_minor: 0,
      cost_currency: 'RUB',
      destination_id: null,
      pool_id: null,
      released_at: 0,
      created_at: 1,
      updated_at: 1,
    };
    await handle.db
      .insertInto('tracking_number')
      .values({ ...row, id: 'n1' })
      .execute();
    await expect(
      handle.db
        .insertInto('tracking_number')
        .values({ ...row, id: 'n2' })
        .execute(),
    ).rejects.toThrow();
  });

  it('keeps a provider call id unique, so webhook retries cannot duplicate a call', async () => {
    const call = {
      project_id: 'p1',
      provider: 'twilio',
      provider_call_id: 'CA123',
      caller: '+79161234567',
      tracking_number: '+74951234567',
      tracking_number_id: 'n1',
      destination: null,
      started_at: 1,
      answered_at: null,
      ended_at: null,
      wait_seconds: null,
      talk_seconds: null,
      status: 'ringing' as const,
      recording_url: null,
      visit_id: null,
      static_channel_id: null,
      pool_id: null,
      channel: null,
      source: null,
      medium: null,
      confidence: null,
      attribution: null,
      first_time_caller: 1,
      is_target: 0,
      created_at: 1,
      updated_at: 1,
    };
    await handle.db
      .insertInto('call')
      .values({ ...call, id: 'c1' })
      .execute();
    await expect(
      handle.db
        .insertInto('call')
        .values({ ...call, id: 'c2' })
        .execute(),
    ).rejects.toThrow();
  });

  it('rolls a failed transaction back whole', async () => {
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await trx.updateTable('project').set({ name: 'changed' }).where('id', '=', 'p1').execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const project = await handle.db.selectFrom('project').select('name').executeTakeFirstOrThrow();
    expect(project.name).toBe('Клиника «Здоровье»');
  });
});
