// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Me } from '../api.js';
import type { Lang } from '../i18n.js';
import { SessionContext } from '../session.js';
import type { ProviderAccount } from '../telephony.js';
import { fakeApi, PROJECT, Providers, type Recorded } from '../test-support.js';
import { IntegrationsPage } from './integrations.js';

afterEach(() => {
  cleanup();
  Reflect.deleteProperty(navigator, 'clipboard');
  Reflect.deleteProperty(document, 'execCommand');
});

const PUBLIC = 'https://ct.example.com';
const CREATED = Date.UTC(2026, 0, 15, 9, 0);

function account(over: Partial<ProviderAccount> & Pick<ProviderAccount, 'id' | 'provider'>): ProviderAccount {
  const base = `${PUBLIC}/webhooks/${over.provider}/${over.id}`;
  return {
    projectId: PROJECT.id,
    name: 'Mango',
    credentialKeys: [],
    allowedSources: [],
    webhookUrls: { events: `${base}/events` },
    createdAt: CREATED,
    ...over,
  };
}

const MANGO = account({
  id: 'acc-mango',
  provider: 'mango',
  name: 'Mango, main office',
  credentialKeys: ['apiKey', 'apiSalt'],
  webhookUrls: {
    base: `${PUBLIC}/webhooks/mango/acc-mango`,
    call: `${PUBLIC}/webhooks/mango/acc-mango/events/call`,
    summary: `${PUBLIC}/webhooks/mango/acc-mango/events/summary`,
  },
});
const GENERIC = account({
  id: 'acc-pbx',
  provider: 'generic',
  name: 'Office Asterisk',
  credentialKeys: ['secret'],
  allowedSources: ['203.0.113.7', '198.51.100.0/24'],
});

/** The provider-accounts API in memory; `reject` answers a write with an error instead. */
function server(options: { reject?: (r: Recorded) => ApiError | undefined } = {}) {
  let accounts = [MANGO, GENERIC];
  return fakeApi((r) => {
    const refused = options.reject?.(r);
    if (refused) throw refused;
    const id = r.path.split('/provider-accounts/')[1];
    // The outbound integrations below (outbound-integrations.test.tsx): none here.
    if (r.method === 'GET' && r.path.endsWith('/integrations')) return [];
    if (r.method === 'GET') return accounts;
    if (r.method === 'POST') {
      const body = r.body as { provider: 'zadarma'; name: string; credentials: Record<string, string> };
      const created = account({
        id: 'acc-new',
        provider: body.provider,
        name: body.name,
        credentialKeys: Object.keys(body.credentials).sort(),
        allowedSources: (r.body as { allowedSources?: string[] }).allowedSources ?? [],
      });
      accounts = [...accounts, created];
      return created;
    }
    if (r.method === 'PATCH') {
      accounts = accounts.map((a) => (a.id === id ? { ...a, ...(r.body as Partial<ProviderAccount>) } : a));
      return accounts.find((a) => a.id === id);
    }
    accounts = accounts.filter((a) => a.id !== id);
    return undefined;
  });
}

const ANALYST: Me = {
  kind: 'user',
  id: 'u2',
  role: 'analyst',
  allProjects: false,
  projectIds: [PROJECT.id],
  email: 'analyst@example.com',
  name: 'analyst',
};

function renderPage(api: ReturnType<typeof server>, { lang, me }: { lang?: Lang; me?: Me } = {}) {
  const page = <IntegrationsPage project={PROJECT} />;
  // The read-only view replaces the admin session of Providers with an analyst's.
  const withSession = (children: ReactNode) =>
    me ? (
      <SessionContext.Provider value={{ api, me, signOut: () => undefined }}>
        {children}
      </SessionContext.Provider>
    ) : (
      children
    );
  return render(
    <Providers api={api} {...(lang ? { lang } : {})}>
      {withSession(page)}
    </Providers>,
  );
}

const card = (name: string) => screen.findByRole('article', { name });

describe('IntegrationsPage', () => {
  it('lists provider accounts with their webhook URLs, hints and credential keys, never secrets', async () => {
    renderPage(server());
    expect(screen.getByRole('heading', { level: 1, name: 'Integrations' })).toBeTruthy();
    const mango = await card('Mango, main office');
    expect(mango.textContent).toContain('Mango Office');
    expect(within(mango).getByText('apiKey')).toBeTruthy();
    expect(within(mango).getByText('apiSalt')).toBeTruthy();
    expect(mango.textContent).toContain('(values are never shown)');
    expect(mango.textContent).toContain('any address');
    const base = within(mango).getByLabelText('base URL') as HTMLInputElement;
    expect(base.value).toBe(`${PUBLIC}/webhooks/mango/acc-mango`);
    expect(base.readOnly).toBe(true);
    expect(base.getAttribute('aria-describedby')).toBeTruthy();
    expect(mango.textContent).toContain('external system address (Адрес внешней системы)');
    expect(mango.textContent).toContain('For reference only');
    expect(within(mango).getByRole('button', { name: 'Copy the summary URL' })).toBeTruthy();

    const pbx = await card('Office Asterisk');
    expect(pbx.textContent).toContain('Generic webhook (any PBX)');
    expect(pbx.textContent).toContain('203.0.113.7, 198.51.100.0/24');
    expect((within(pbx).getByLabelText('events URL') as HTMLInputElement).value).toBe(
      `${PUBLIC}/webhooks/generic/acc-pbx/events`,
    );
    expect(pbx.textContent).toContain('Standard Webhooks');
    // 09:00 UTC is 12:00 in the project's Moscow time.
    expect(pbx.textContent).toMatch(/15\/01\/2026.*12:00/);
  });

  it('copies a URL to the clipboard, or selects it where there is no clipboard API', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderPage(server());
    const pbx = await card('Office Asterisk');
    fireEvent.click(within(pbx).getByRole('button', { name: 'Copy the events URL' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(`${PUBLIC}/webhooks/generic/acc-pbx/events`));
    expect(await within(pbx).findByRole('button', { name: 'Copy the events URL' })).toHaveProperty(
      'textContent',
      'Copied',
    );

    // Plain http: no clipboard API, and here the old copy command fails too.
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    Object.defineProperty(document, 'execCommand', { value: () => false, configurable: true });
    const mango = await card('Mango, main office');
    fireEvent.click(within(mango).getByRole('button', { name: 'Copy the base URL' }));
    expect(await within(mango).findByText(/Selected: press Ctrl\+C/)).toBeTruthy();
    expect(document.activeElement).toBe(within(mango).getByLabelText('base URL'));
  });

  it('connects a Zadarma account with its own credential fields and shows its URLs at once', async () => {
    const api = server();
    renderPage(api);
    const form = await screen.findByRole('region', { name: 'Connect a provider' });
    fireEvent.click(within(form).getByLabelText('Zadarma'));
    const credentials = within(form).getByRole('group', { name: 'Credentials from Zadarma' });
    const fields = within(credentials)
      .getAllByRole('textbox')
      .map((el) => el.id);
    expect(fields).toHaveLength(2); // Key and the time zone; the secret is a password field
    expect(within(form).queryByLabelText('Auth Token')).toBeNull();
    const secret = within(credentials).getByLabelText('Secret') as HTMLInputElement;
    expect(secret.type).toBe('password');
    expect((within(credentials).getByLabelText('Key') as HTMLInputElement).type).toBe('text');
    expect(within(credentials).getByLabelText('Time zone of the Zadarma account (optional)')).toBeTruthy();

    fireEvent.change(within(credentials).getByLabelText('Key'), { target: { value: ' zd-key ' } });
    fireEvent.change(secret, { target: { value: 'zd-secret-value' } });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Zadarma' } });
    fireEvent.change(within(form).getByLabelText('Allowed webhook sources (optional)'), {
      target: { value: '185.45.152.42\n\n 185.45.152.0/24 \n' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Connect' }));

    const created = await card('Zadarma');
    expect(api.requests.filter((r) => r.method === 'POST')).toEqual([
      {
        method: 'POST',
        path: '/api/v1/projects/p1/provider-accounts',
        body: {
          provider: 'zadarma',
          name: 'Zadarma',
          credentials: { apiKey: 'zd-key', apiSecret: 'zd-secret-value' },
          allowedSources: ['185.45.152.42', '185.45.152.0/24'],
        },
      },
    ]);
    expect((within(created).getByLabelText('events URL') as HTMLInputElement).value).toBe(
      `${PUBLIC}/webhooks/zadarma/acc-new/events`,
    );
    expect(created.textContent).toContain('NOTIFY_START, NOTIFY_ANSWER and NOTIFY_END');
    expect(screen.getByRole('status').textContent).toContain('“Zadarma” is connected');
    // The focus moves in an effect, which may run a moment after the card is on screen.
    await waitFor(() =>
      expect(document.activeElement).toBe(within(created).getByRole('heading', { name: 'Zadarma' })),
    );
    // The form is empty again, and the secret is nowhere on the page.
    expect(secret.value).toBe('');
    expect(document.body.innerHTML).not.toContain('zd-secret-value');
  });

  it('shows the server’s validation error next to the form and keeps what was typed', async () => {
    const api = server({
      reject: (r) =>
        r.method === 'POST'
          ? new ApiError(
              400,
              'validation_failed',
              'allowedSources: "10.0.0.0/99" is not an IP address or a CIDR range',
            )
          : undefined,
    });
    renderPage(api);
    const form = await screen.findByRole('region', { name: 'Connect a provider' });
    fireEvent.click(within(form).getByLabelText('Generic webhook (any PBX)'));
    fireEvent.change(within(form).getByLabelText('Secret'), { target: { value: 'whsec_abc' } });
    const sources = within(form).getByLabelText('Allowed webhook sources (optional)') as HTMLTextAreaElement;
    fireEvent.change(sources, { target: { value: '10.0.0.0/99' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Connect' }));

    const alert = await within(form).findByRole('alert');
    expect(alert.textContent).toBe(
      'The server did not accept this: allowedSources: "10.0.0.0/99" is not an IP address or a CIDR range',
    );
    expect(sources.value).toBe('10.0.0.0/99');
    expect(api.requests.find((r) => r.method === 'POST')?.body).toEqual({
      provider: 'generic',
      name: 'Generic webhook (any PBX)',
      credentials: { secret: 'whsec_abc' },
      allowedSources: ['10.0.0.0/99'],
    });
  });

  it('refuses more than 50 allowed sources before asking the server', async () => {
    const api = server();
    renderPage(api);
    const form = await screen.findByRole('region', { name: 'Connect a provider' });
    fireEvent.change(within(form).getByLabelText('Auth Token'), { target: { value: 'tw-token' } });
    const many = Array.from({ length: 51 }, (_, i) => `10.0.0.${i}`).join('\n');
    fireEvent.change(within(form).getByLabelText('Allowed webhook sources (optional)'), {
      target: { value: many },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Connect' }));
    expect((await within(form).findByRole('alert')).textContent).toContain(
      'At most 50 addresses or ranges; there are 51.',
    );
    expect(api.requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('edits the allowed sources in place, sending only what changed', async () => {
    const api = server();
    renderPage(api);
    const pbx = await card('Office Asterisk');
    fireEvent.click(within(pbx).getByRole('button', { name: 'Edit Office Asterisk' }));
    const edit = within(pbx).getByRole('group', { name: 'Edit Office Asterisk' });
    expect(document.activeElement).toBe(within(edit).getByLabelText('Name'));
    const sources = within(edit).getByLabelText('Allowed webhook sources') as HTMLTextAreaElement;
    expect(sources.value).toBe('203.0.113.7\n198.51.100.0/24');
    fireEvent.change(sources, { target: { value: '203.0.113.7\n2001:db8::/32' } });
    fireEvent.click(within(edit).getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(pbx.textContent).toContain('203.0.113.7, 2001:db8::/32'));
    expect(api.requests.filter((r) => r.method === 'PATCH')).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/projects/p1/provider-accounts/acc-pbx',
        body: { allowedSources: ['203.0.113.7', '2001:db8::/32'] },
      },
    ]);
    expect(within(pbx).queryByRole('group', { name: 'Edit Office Asterisk' })).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('Saved “Office Asterisk”.');
  });

  it('disconnects an account only after a confirmation that says recorded calls stay', async () => {
    const api = server();
    renderPage(api);
    const mango = await card('Mango, main office');
    fireEvent.click(within(mango).getByRole('button', { name: 'Disconnect Mango, main office' }));
    expect(api.requests.some((r) => r.method === 'DELETE')).toBe(false);
    const confirm = within(mango).getByRole('group', { name: 'Disconnect Mango, main office' });
    expect(confirm.textContent).toContain('Calls already recorded stay.');
    expect(confirm.textContent).toContain('recordings can no longer be played');
    const yes = within(confirm).getByRole('button', { name: 'Yes, disconnect Mango, main office' });
    expect(document.activeElement).toBe(yes);
    fireEvent.click(yes);

    await waitFor(() => expect(screen.queryByRole('article', { name: 'Mango, main office' })).toBeNull());
    expect(api.requests.filter((r) => r.method === 'DELETE')).toEqual([
      { method: 'DELETE', path: '/api/v1/projects/p1/provider-accounts/acc-mango', body: undefined },
    ]);
    expect(screen.getByRole('status').textContent).toBe('Disconnected “Mango, main office”.');
    expect(screen.getByRole('article', { name: 'Office Asterisk' })).toBeTruthy();
  });

  it('shows a read-only user the accounts and their URLs without any form', async () => {
    const api = server();
    renderPage(api, { me: ANALYST });
    const mango = await card('Mango, main office');
    expect(within(mango).getByLabelText('base URL')).toBeTruthy();
    expect(within(mango).getByRole('button', { name: 'Copy the base URL' })).toBeTruthy();
    expect(screen.getByText(/only an admin of this project can connect/)).toBeTruthy();
    expect(document.querySelector('form')).toBeNull();
    expect(screen.queryByRole('region', { name: 'Connect a provider' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Edit/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Disconnect/ })).toBeNull();
  });

  it('warns when the webhook URLs point to a local address that no provider can reach', async () => {
    const local = account({ id: 'acc-local', provider: 'generic', name: 'Test PBX' });
    local.webhookUrls = { events: 'http://localhost:8080/webhooks/generic/acc-local/events' };
    renderPage(fakeApi((r) => (r.path.endsWith('/integrations') ? [] : [local, GENERIC])));
    const warned = await card('Test PBX');
    expect(within(warned).getByRole('status').textContent).toContain('set PUBLIC_URL');
    expect(within(await card('Office Asterisk')).queryByText(/PUBLIC_URL/)).toBeNull();
  });

  it('says so when nothing is connected yet', async () => {
    renderPage(fakeApi(() => []));
    expect(await screen.findByText(/No provider is connected yet/)).toBeTruthy();
    expect(await screen.findByRole('region', { name: 'Connect a provider' })).toBeTruthy();
  });

  it('speaks Russian, errors with a known code included', async () => {
    const api = server({
      reject: (r) =>
        r.method === 'POST' ? new ApiError(403, 'forbidden', 'this key may read this project') : undefined,
    });
    renderPage(api, { lang: 'ru' });
    expect(screen.getByRole('heading', { level: 1, name: 'Интеграции' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 2, name: 'Провайдеры телефонии' })).toBeTruthy();
    const mango = await card('Mango, main office');
    expect(mango.textContent).toContain('с любого адреса');
    expect(mango.textContent).toContain('«Адрес внешней системы»');
    expect(within(mango).getByRole('button', { name: 'Копировать адрес base' })).toBeTruthy();

    const form = await screen.findByRole('region', { name: 'Подключить провайдера' });
    fireEvent.click(within(form).getByLabelText('Mango Office'));
    const credentials = within(form).getByRole('group', { name: 'Ключи доступа Mango Office' });
    fireEvent.change(within(credentials).getByLabelText('Уникальный код АТС'), { target: { value: 'k' } });
    fireEvent.change(within(credentials).getByLabelText('Ключ для создания подписи'), {
      target: { value: 's' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Подключить' }));
    expect((await within(form).findByRole('alert')).textContent).toBe(
      'Вы можете просматривать этот проект, но не изменять его.',
    );
  });
});
