// The whole SIP path: caller SIPp (127.0.0.81) → Ringtrace proxy with the real call service and database
// (127.0.0.82) → the company PBX played by callee SIPp (127.0.0.83). Each outcome must leave the right call record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import { migrateOrThrow } from '../../src/db/migrate.js';
import { sipCallRouting } from '../../src/sip/call-routing.js';
import { type SipProxy, startSipProxy } from '../../src/sip/sip-proxy.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createProject } from '../helpers/factories.js';
import { freePortBlock, type Peers, placeCall } from './harness.js';
import { explainRun as explain } from './sipp.js';

const peers: Peers = { caller: '127.0.0.81', proxy: '127.0.0.82', callee: '127.0.0.83', base: 0 };
const DID = '+74951234567';

describe('SIP calls leave call records', () => {
  let t: TestApp;
  let projectId: string;

  beforeAll(async () => {
    peers.base = await freePortBlock([peers.caller, peers.proxy, peers.callee], 17060);
    const database = connectDatabase('sqlite::memory:');
    await migrateOrThrow(database.db);
    t = await createTestApp(database);
    projectId = (await createProject(t)).id;
    const dest = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/destinations`,
      payload: { name: 'АТС', kind: 'sip', target: `sip:101@${peers.callee}:${peers.base + 2}` },
    });
    const number = await t.call({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/numbers`,
      payload: { number: DID },
    });
    await t.call({
      method: 'PATCH',
      url: `/api/v1/projects/${projectId}/numbers/${number.json().id}`,
      payload: { destinationId: dest.json().id },
    });
    await t.call({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/static-channels`,
      payload: { name: 'Радио', kind: 'offline', offlineMedium: 'radio', numberId: number.json().id },
    });
  });
  afterAll(() => t.close());

  async function proxy(ringTimeoutMs = 10_000): Promise<SipProxy> {
    const p = await startSipProxy({
      address: peers.proxy,
      port: peers.base,
      ringTimeoutMs,
      ...sipCallRouting({ calls: t.deps.services.calls, allowedSources: new Set(), log: t.deps.log }),
    });
    return p;
  }
  const latestCall = async () =>
    t.deps.database.db
      .selectFrom('call')
      .selectAll()
      .where('provider', '=', 'sip')
      .orderBy('id', 'desc')
      .executeTakeFirst();
  const settled = async () => {
    // onCallEnd runs after SIPp exits; wait until the record leaves its in-flight states.
    await expect
      .poll(async () => (await latestCall())?.status, { timeout: 5000 })
      .not.toMatch(/ringing|in-progress/);
    return latestCall();
  };

  it('answered: attributed, forwarded to the PBX, answered with talk time', async () => {
    const p = await proxy();
    try {
      const { caller, callee } = await placeCall(peers, peers.base, {
        uac: 'uac-call',
        uas: 'uas-answer',
        talkMs: 1200,
      });
      expect(caller.code, explain(caller)).toBe(0);
      expect(callee?.code, callee && explain(callee)).toBe(0);
      const call = await settled();
      expect(call).toMatchObject({
        project_id: projectId,
        caller: '+79161234567',
        tracking_number: DID,
        destination: `sip:101@${peers.callee}:${peers.base + 2}`,
        status: 'answered',
        channel: 'offline',
        source: 'radio',
        confidence: 100,
      });
      expect(call?.answered_at).toBeGreaterThanOrEqual(call?.started_at ?? 0);
      expect(call?.ended_at).toBeGreaterThan(call?.answered_at ?? 0);
      expect(call?.talk_seconds).toBeGreaterThanOrEqual(1);
    } finally {
      await p.close();
    }
  });

  it('busy: the PBX answers 486', async () => {
    const p = await proxy();
    try {
      const { caller } = await placeCall(peers, peers.base, { uac: 'uac-expect-busy', uas: 'uas-busy' });
      expect(caller.code, explain(caller)).toBe(0);
      expect(await settled()).toMatchObject({
        status: 'busy',
        answered_at: null,
        talk_seconds: null,
        is_target: 0,
      });
    } finally {
      await p.close();
    }
  });

  it('an anonymous caller is recorded under the number their network asserts (P-Asserted-Identity)', async () => {
    const p = await proxy();
    try {
      const { caller } = await placeCall(peers, peers.base, {
        uac: 'uac-anonymous-expect-busy',
        uas: 'uas-busy',
      });
      expect(caller.code, explain(caller)).toBe(0);
      expect(await settled()).toMatchObject({ caller: '+79031234567', status: 'busy' });
    } finally {
      await p.close();
    }
  });

  it('a provider that forwards to a fixed URI: the number dialled is found in To', async () => {
    const p = await proxy();
    try {
      const { caller } = await placeCall(peers, peers.base, {
        uac: 'uac-forwarded-expect-busy',
        uas: 'uas-busy',
      });
      expect(caller.code, explain(caller)).toBe(0);
      expect(await settled()).toMatchObject({ tracking_number: DID, status: 'busy', caller: '+79161234567' });
    } finally {
      await p.close();
    }
  });

  it('canceled: the caller hangs up while it rings (487)', async () => {
    const p = await proxy();
    try {
      const { caller } = await placeCall(peers, peers.base, { uac: 'uac-cancel', uas: 'uas-ring' });
      expect(caller.code, explain(caller)).toBe(0);
      expect(await settled()).toMatchObject({ status: 'canceled', answered_at: null });
    } finally {
      await p.close();
    }
  });

  it('no answer: the ring timeout ends it', async () => {
    const p = await proxy(800);
    try {
      const { caller } = await placeCall(peers, peers.base, { uac: 'uac-expect-no-answer', uas: 'uas-ring' });
      expect(caller.code, explain(caller)).toBe(0);
      const call = await settled();
      expect(call).toMatchObject({ status: 'no-answer', answered_at: null });
      expect(call?.wait_seconds).toBeGreaterThanOrEqual(0);
    } finally {
      await p.close();
    }
  });

  it('unknown number: 404 and no record', async () => {
    const before = (await t.deps.database.db.selectFrom('call').select('id').execute()).length;
    const p = await proxy();
    try {
      const { caller } = await placeCall(peers, peers.base, {
        uac: 'uac-expect-not-found',
        service: '74990000000',
      });
      expect(caller.code, explain(caller)).toBe(0);
      expect((await t.deps.database.db.selectFrom('call').select('id').execute()).length).toBe(before);
    } finally {
      await p.close();
    }
  });
});
