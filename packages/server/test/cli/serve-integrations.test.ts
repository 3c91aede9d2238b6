import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeIntegrations, startFakeIntegrations } from '../helpers/fake-integrations.js';

const serverDir = resolve(import.meta.dirname, '../..');
const main = join(serverDir, 'dist/cli/main.js');
const TOKEN = `rt_serveint_${randomBytes(24).toString('hex').slice(0, 32)}`;

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `serve` as an operator runs it delivers the outbox in the background: a call reaches a webhook by itself. */
describe('serve delivers outbound integrations', () => {
  let dir: string;
  let child: ChildProcess;
  let address: string;
  let fake: FakeIntegrations;

  beforeAll(async () => {
    if (!existsSync(main)) execFileSync('npm', ['run', 'build'], { cwd: serverDir, stdio: 'ignore' });
    fake = await startFakeIntegrations();
    dir = mkdtempSync(join(tmpdir(), 'ringtrace-serve-int-'));
    const logFile = join(dir, 'ringtrace.log');
    let stderr = '';
    child = spawn(process.execPath, [main, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: dir,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_FILE: logFile,
        RINGTRACE_ADMIN_TOKEN: TOKEN,
        // The fake receiver listens on 127.0.0.1.
        INTEGRATION_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    address = await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${stderr}`);
      if (!existsSync(logFile)) return undefined;
      const line = readFileSync(logFile, 'utf8')
        .split('\n')
        .find((l) => l.includes('ringtrace listening'));
      return line ? (JSON.parse(line) as { address: string }).address : undefined;
    }, 'the server to listen');
  }, 120_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await waitFor(() => (child.exitCode !== null ? true : undefined), 'the server to stop');
    }
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${address}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown> & { id: string };
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  it('sends call.started to a signed webhook within seconds, without anyone asking', async () => {
    const project = await api('POST', '/projects', { name: 'Serve', siteNumbers: ['+74951234567'] });
    const destination = await api('POST', `/projects/${project.id}/destinations`, {
      name: 'Office',
      kind: 'phone',
      target: '+74951112233',
    });
    await api('PATCH', `/projects/${project.id}`, { defaultDestinationId: destination.id });
    const number = await api('POST', `/projects/${project.id}/numbers`, { number: '+74957654321' });
    await api('POST', `/projects/${project.id}/static-channels`, {
      name: 'Billboard',
      kind: 'offline',
      offlineMedium: 'billboard',
      numberId: number.id,
    });
    const path = '/hooks/serve';
    const hookSecret = `whsec_${randomBytes(24).toString('base64')}`;
    fake.webhookSecrets.set(path, hookSecret);
    await api('POST', `/projects/${project.id}/integrations`, {
      kind: 'webhook',
      name: 'CRM',
      events: ['call.started'],
      settings: { url: `${fake.origin}${path}`, secret: hookSecret },
    });
    const pbxSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const account = (await api('POST', `/projects/${project.id}/provider-accounts`, {
      provider: 'generic',
      name: 'PBX',
      credentials: { secret: pbxSecret },
    })) as unknown as { webhookUrls: { events: string } };
    const eventsPath = new URL(account.webhookUrls.events).pathname;

    const raw = JSON.stringify({
      event: 'call.started',
      callId: 'serve-1',
      caller: '+79161234567',
      called: '+74957654321',
      at: new Date().toISOString(),
    });
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const ts = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', Buffer.from(pbxSecret.slice('whsec_'.length), 'base64'))
      .update(`${id}.${ts}.${raw}`)
      .digest('base64');
    const started = await fetch(`${address}${eventsPath}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': `v1,${signature}`,
      },
      body: raw,
    });
    expect(started.status).toBe(200);
    const { callId } = (await started.json()) as { callId: string };

    const received = await waitFor(
      () => fake.webhooks.find((w) => w.path === path),
      'the webhook to arrive',
      10_000,
    );
    expect(fake.rejectedWebhooks).toEqual([]);
    expect(received.body).toMatchObject({
      type: 'call.started',
      projectId: project.id,
      data: {
        call: { id: callId, status: 'ringing' },
        attribution: { channel: 'offline', gaClientId: null },
      },
    });
    expect(Math.abs(received.signedAt - Date.now() / 1000)).toBeLessThan(30);
  });
});
