// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type Me } from '../api.js';
import type { Lang } from '../i18n.js';
import type { Delivery, Integration } from '../outbound.js';
import { SessionContext } from '../session.js';
import { fakeApi, PROJECT, Providers, type Recorded } from '../test-support.js';
import { IntegrationsPage } from './integrations.js';

afterEach(cleanup);

const CREATED = Date.UTC(2026, 0, 15, 9, 0);
const BASE = '/api/v1/projects/p1/integrations';

function integration(over: Partial<Integration> & Pick<Integration, 'id' | 'kind' | 'name'>): Integration {
  return {
    projectId: PROJECT.id,
    enabled: true,
    events: ['call.ended'],
    settings: {},
    secretKeys: [],
    createdAt: CREATED,
    updatedAt: CREATED,
    ...over,
  };
}

const HOOK = integration({
  id: 'int-hook',
  kind: 'webhook',
  name: 'CRM webhook',
  events: ['call.started', 'call.ended'],
  settings: { url: 'https://crm.example.com/ringtrace' },
  secretKeys: ['secret'],
});
const GA4 = integration({
  id: 'int-ga4',
  kind: 'ga4',
  name: 'GA4 leads',
  settings: { measurementId: 'G-ABC1234', eventName: 'generate_lead' },
  secretKeys: ['apiSecret'],
});
const METRICA = integration({
  id: 'int-ym',
  kind: 'metrica',
  name: 'Metrica',
  enabled: false,
  settings: { counterId: '12345678' },
  secretKeys: ['oauthToken'],
});

const FAILED: Delivery = {
  id: 'ev-failed',
  type: 'call.ended',
  status: 'failed',
  attempts: 20,
  lastError: 'HTTP 500: upstream down',
  note: null,
  callId: 'c1',
  createdAt: Date.UTC(2026, 0, 16, 7, 30),
  nextAttemptAt: null,
  deliveredAt: null,
  failedAt: Date.UTC(2026, 0, 17, 10, 0),
};
const SKIPPED: Delivery = {
  id: 'ev-skipped',
  type: 'call.started',
  status: 'delivered',
  attempts: 1,
  lastError: null,
  note: 'skipped: no GA client id',
  callId: 'c2',
  createdAt: Date.UTC(2026, 0, 16, 8, 0),
  nextAttemptAt: null,
  deliveredAt: Date.UTC(2026, 0, 16, 8, 0, 5),
  failedAt: null,
};

const GENERATED = 'whsec_c2VjcmV0LWdlbmVyYXRlZC1ieS10aGUtc2VydmVyLTMy';

interface ServerOptions {
  /** Answers a request with an error instead. */
  reject?: (r: Recorded) => ApiError | undefined;
}

/** The integrations API in memory (no provider accounts); `reject` answers a request with an error instead. */
function server(options: ServerOptions = {}) {
  let list = [HOOK, GA4, METRICA];
  let deliveries = [SKIPPED, FAILED];
  return fakeApi((r) => {
    const refused = options.reject?.(r);
    if (refused) throw refused;
    if (r.path.endsWith('/provider-accounts')) return [];
    const [, rest = ''] = r.path.split(`${BASE}`);
    const [, id, sub, eventId] = rest.split('/');
    if (sub === 'deliveries') {
      if (r.method === 'GET') return deliveries;
      const again: Delivery = {
        ...FAILED,
        status: 'pending',
        attempts: 0,
        failedAt: null,
        nextAttemptAt: CREATED,
      };
      deliveries = deliveries.map((d) => (d.id === eventId ? again : d));
      return again;
    }
    if (r.method === 'GET') return list;
    if (r.method === 'POST') {
      const body = r.body as { kind: 'webhook'; name: string; events: Integration['events'] };
      const created = integration({
        id: 'int-new',
        kind: body.kind,
        name: body.name,
        events: body.events,
        settings: { url: 'https://hooks.example.com/calls' },
        secretKeys: ['secret'],
      });
      list = [...list, created];
      return { ...created, secret: GENERATED };
    }
    if (r.method === 'PATCH') {
      list = list.map((i) => (i.id === id ? { ...i, ...(r.body as Partial<Integration>) } : i));
      return list.find((i) => i.id === id);
    }
    list = list.filter((i) => i.id !== id);
    return undefined;
  });
}

/**
 * The integrations API over `initial` for the settings-only kinds (CRMs, Google Ads): a POST answers with what was
 * sent, as created with `secretKeys` set; a PATCH merges settings.
 */
function settingsServer(initial: Integration[], secretKeys: string[], options: ServerOptions = {}) {
  let list = initial;
  return fakeApi((r) => {
    const refused = options.reject?.(r);
    if (refused) throw refused;
    if (r.path.endsWith('/provider-accounts')) return [];
    if (r.path.endsWith('/deliveries')) return [];
    const id = r.path.split(`${BASE}/`)[1];
    if (r.method === 'GET') return list;
    if (r.method === 'POST') {
      const body = r.body as Pick<Integration, 'kind' | 'name' | 'events' | 'settings'>;
      const created = integration({ id: 'int-new', ...body, secretKeys });
      list = [...list, created];
      return created;
    }
    if (r.method === 'PATCH') {
      const patch = r.body as { settings?: Record<string, unknown> };
      list = list.map((i) =>
        i.id === id ? { ...i, settings: { ...i.settings, ...(patch.settings ?? {}) } } : i,
      );
      return list.find((i) => i.id === id);
    }
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

const card = (name: string) => screen.findByRole('article', { name: new RegExp(`^${name}`) });
const addForm = () => screen.findByRole('region', { name: 'Add an integration' });
const section = () => screen.findByRole('region', { name: 'Sending calls to other systems' });

describe('Outbound integrations', () => {
  it('lists the integrations with their settings and which secrets are set, never a secret', async () => {
    renderPage(server());
    const hook = await card('CRM webhook');
    expect(hook.textContent).toContain('Webhook');
    expect(hook.getAttribute('aria-labelledby')).toBeTruthy();
    expect(await screen.findByRole('article', { name: 'CRM webhook on' })).toBe(hook);
    expect(hook.textContent).toContain('a call starts, a call ends');
    expect(within(hook).getByText('https://crm.example.com/ringtrace')).toBeTruthy();
    expect(hook.textContent).toContain('Signing secret: set');
    expect(hook.textContent).toContain('(values are never shown)');
    expect(hook.textContent).toContain('webhook-signature: v1,<base64 HMAC-SHA256 of “id.timestamp.body”>');
    // 09:00 UTC is 12:00 in the project's Moscow time.
    expect(hook.textContent).toMatch(/15\/01\/2026.*12:00/);

    const ga4 = await card('GA4 leads');
    expect(ga4.textContent).toContain('Google Analytics 4');
    expect(ga4.textContent).toContain('a call ends');
    expect(ga4.textContent).not.toContain('a call starts');
    expect(within(ga4).getByText('G-ABC1234')).toBeTruthy();
    expect(within(ga4).getByText('generate_lead')).toBeTruthy();
    expect(ga4.textContent).toContain('Measurement Protocol API secret: set');
    expect(ga4.textContent).not.toContain('webhook-signature');

    const metrica = await card('Metrica');
    expect(metrica.textContent).toContain('Yandex Metrica');
    expect(await screen.findByRole('article', { name: 'Metrica paused' })).toBe(metrica);
    expect(within(metrica).getByText('12345678')).toBeTruthy();
    expect(metrica.textContent).toContain('OAuth token: set');
    expect(within(metrica).getByRole('button', { name: 'Resume Metrica' })).toBeTruthy();
  });

  it('adds a webhook with a generated secret and shows that secret once', async () => {
    const api = server();
    renderPage(api);
    const form = await addForm();
    // A webhook is the default kind, sent the calls' three events.
    expect((within(form).getByLabelText('Webhook') as HTMLInputElement).checked).toBe(true);
    expect((within(form).getByLabelText('a call starts') as HTMLInputElement).checked).toBe(true);
    expect((within(form).getByLabelText('a call ends') as HTMLInputElement).checked).toBe(true);
    const recorded = within(form).getByLabelText(/a call's recording is there/) as HTMLInputElement;
    expect(recorded.checked).toBe(true);
    // Pool alerts are offered to webhooks, and sent only when asked for.
    const poolAlert = within(form).getByLabelText(/a pool runs out of numbers/) as HTMLInputElement;
    expect(poolAlert.checked).toBe(false);
    const secret = within(form).getByLabelText('Signing secret (optional)') as HTMLInputElement;
    expect(secret.type).toBe('password');
    fireEvent.change(within(form).getByLabelText('Receiver URL'), {
      target: { value: ' https://hooks.example.com/calls ' },
    });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Calls to CRM' } });
    fireEvent.click(within(form).getByLabelText('a call starts'));
    fireEvent.click(recorded);
    fireEvent.click(poolAlert);
    fireEvent.click(within(form).getByRole('button', { name: 'Add' }));

    const shown = await screen.findByRole('region', { name: 'Signing secret of “Calls to CRM”' });
    expect(api.requests.filter((r) => r.method === 'POST')).toEqual([
      {
        method: 'POST',
        path: BASE,
        body: {
          kind: 'webhook',
          name: 'Calls to CRM',
          events: ['call.ended', 'pool.exhausted'],
          settings: { url: 'https://hooks.example.com/calls' },
        },
      },
    ]);
    expect((within(shown).getByLabelText('Signing secret') as HTMLInputElement).value).toBe(GENERATED);
    expect(shown.textContent).toContain('Save it now');
    expect(shown.textContent).toContain('it will not be shown again');
    expect(within(shown).getByRole('button', { name: 'Copy the signing secret' })).toBeTruthy();
    await waitFor(() =>
      expect(document.activeElement).toBe(within(shown).getByRole('heading', { name: /Signing secret of/ })),
    );
    const created = await card('Calls to CRM');
    expect(created.textContent).toContain('Signing secret: set');
    expect(created.textContent).not.toContain(GENERATED);
    expect(within(await section()).getByText('“Calls to CRM” is added.')).toBeTruthy();

    // Once dismissed, the secret is nowhere on the page any more.
    fireEvent.click(within(shown).getByRole('button', { name: 'I have saved it' }));
    await waitFor(() => expect(document.body.innerHTML).not.toContain(GENERATED));
    await waitFor(() =>
      expect(document.activeElement).toBe(
        screen.getByRole('heading', { name: 'Sending calls to other systems' }),
      ),
    );
  });

  it('adds GA4 with its own fields and shows the server’s validation error next to the form', async () => {
    const api = server({
      reject: (r) =>
        r.method === 'POST'
          ? new ApiError(
              400,
              'validation_failed',
              'settings.measurementId must be a GA4 measurement id like G-XXXXXXXXXX',
            )
          : undefined,
    });
    renderPage(api);
    const form = await addForm();
    fireEvent.click(within(form).getByLabelText('Google Analytics 4'));
    expect(within(form).queryByLabelText('Receiver URL')).toBeNull();
    // Analytics hear of ended calls only, by default.
    expect((within(form).getByLabelText('a call starts') as HTMLInputElement).checked).toBe(false);
    expect((within(form).getByLabelText('a call ends') as HTMLInputElement).checked).toBe(true);
    // A pool's alert and a recording's news are a webhook's only.
    expect(within(form).queryByLabelText(/a pool runs out of numbers/)).toBeNull();
    expect(within(form).queryByLabelText(/a call's recording is there/)).toBeNull();
    const apiSecret = within(form).getByLabelText('Measurement Protocol API secret') as HTMLInputElement;
    expect(apiSecret.type).toBe('password');
    const id = within(form).getByLabelText('Measurement ID') as HTMLInputElement;
    fireEvent.change(id, { target: { value: 'UA-12345' } });
    fireEvent.change(apiSecret, { target: { value: 'mp-secret' } });
    fireEvent.change(within(form).getByLabelText('Value of a call (optional)'), {
      target: { value: '1500,5' },
    });
    fireEvent.change(within(form).getByLabelText('Currency (ISO 4217, e.g. RUB) (optional)'), {
      target: { value: 'RUB' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Add' }));

    expect((await within(form).findByRole('alert')).textContent).toBe(
      'The server did not accept this: settings.measurementId must be a GA4 measurement id like G-XXXXXXXXXX',
    );
    expect(id.value).toBe('UA-12345');
    expect(api.requests.find((r) => r.method === 'POST')?.body).toEqual({
      kind: 'ga4',
      name: 'Google Analytics 4',
      events: ['call.ended'],
      settings: { measurementId: 'UA-12345', apiSecret: 'mp-secret', value: 1500.5, currency: 'RUB' },
    });
  });

  it('pauses an integration', async () => {
    const api = server();
    renderPage(api);
    const ga4 = await card('GA4 leads');
    fireEvent.click(within(ga4).getByRole('button', { name: 'Pause GA4 leads' }));
    expect(await within(ga4).findByRole('button', { name: 'Resume GA4 leads' })).toBeTruthy();
    expect(await screen.findByRole('article', { name: 'GA4 leads paused' })).toBe(ga4);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toEqual([
      { method: 'PATCH', path: `${BASE}/int-ga4`, body: { enabled: false } },
    ]);
    expect(within(await section()).getByText(/Paused “GA4 leads”/)).toBeTruthy();
  });

  it('edits only what changed, a secret only when typed', async () => {
    const api = server();
    renderPage(api);
    const hook = await card('CRM webhook');
    fireEvent.click(within(hook).getByRole('button', { name: 'Edit CRM webhook' }));
    const edit = within(hook).getByRole('group', { name: 'Edit CRM webhook' });
    await waitFor(() => expect(document.activeElement).toBe(within(edit).getByLabelText('Name')));
    expect((within(edit).getByLabelText('Receiver URL') as HTMLInputElement).value).toBe(
      'https://crm.example.com/ringtrace',
    );
    const secret = within(edit).getByLabelText(
      'Signing secret (set; leave empty to keep it)',
    ) as HTMLInputElement;
    expect(secret.value).toBe('');
    fireEvent.change(within(edit).getByLabelText('Receiver URL'), {
      target: { value: 'https://crm.example.com/v2' },
    });
    fireEvent.click(within(edit).getByLabelText('a call starts'));
    fireEvent.click(within(edit).getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(within(hook).queryByRole('group', { name: 'Edit CRM webhook' })).toBeNull());
    expect(api.requests.filter((r) => r.method === 'PATCH')).toEqual([
      {
        method: 'PATCH',
        path: `${BASE}/int-hook`,
        body: { events: ['call.ended'], settings: { url: 'https://crm.example.com/v2' } },
      },
    ]);
  });

  it('deletes an integration only after a confirmation that says pending deliveries will not be sent', async () => {
    const api = server();
    renderPage(api);
    const hook = await card('CRM webhook');
    fireEvent.click(within(hook).getByRole('button', { name: 'Delete CRM webhook' }));
    expect(api.requests.some((r) => r.method === 'DELETE')).toBe(false);
    const confirm = within(hook).getByRole('group', { name: 'Delete CRM webhook' });
    expect(confirm.textContent).toContain('pending deliveries');
    expect(confirm.textContent).toContain('will not be sent');
    const yes = within(confirm).getByRole('button', { name: 'Yes, delete CRM webhook' });
    await waitFor(() => expect(document.activeElement).toBe(yes));
    fireEvent.click(yes);

    await waitFor(() => expect(screen.queryByRole('article', { name: /^CRM webhook/ })).toBeNull());
    expect(api.requests.filter((r) => r.method === 'DELETE')).toEqual([
      { method: 'DELETE', path: `${BASE}/int-hook`, body: undefined },
    ]);
    expect(within(await section()).getByText('Deleted “CRM webhook”.')).toBeTruthy();
    // The focused confirm button went with the card: the focus stays in the section.
    await waitFor(() =>
      expect(document.activeElement).toBe(
        screen.getByRole('heading', { name: 'Sending calls to other systems' }),
      ),
    );
    expect(await card('GA4 leads')).toBeTruthy();
  });

  it('opens the deliveries, retries a failed one and refreshes', async () => {
    const api = server();
    renderPage(api);
    const hook = await card('CRM webhook');
    const toggle = within(hook).getByRole('button', { name: 'Deliveries' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const table = await within(hook).findByRole('table', { name: 'Deliveries of CRM webhook' });
    expect(api.requests.find((r) => r.path.endsWith('/deliveries'))).toEqual({
      method: 'GET',
      path: `${BASE}/int-hook/deliveries`,
      query: { limit: 50 },
    });
    const [, skipped, failed] = within(table).getAllByRole('row');
    expect(skipped?.textContent).toContain('a call starts');
    expect(skipped?.textContent).toContain('delivered');
    expect(skipped?.textContent).toContain('skipped: no GA client id');
    expect(within(skipped as HTMLElement).queryByRole('button', { name: /^Retry/ })).toBeNull();
    expect(failed?.textContent).toContain('failed');
    expect(failed?.textContent).toContain('20');
    expect(failed?.textContent).toContain('HTTP 500: upstream down');
    // 07:30 UTC is 10:30 in Moscow.
    expect(failed?.textContent).toMatch(/16\/01\/2026.*10:30/);

    fireEvent.click(within(failed as HTMLElement).getByRole('button', { name: /^Retry the event of/ }));
    await waitFor(() => expect(within(table).queryByRole('button', { name: /^Retry/ })).toBeNull());
    expect(api.requests.filter((r) => r.method === 'POST')).toEqual([
      { method: 'POST', path: `${BASE}/int-hook/deliveries/ev-failed/retry`, body: undefined },
    ]);
    expect(within(table).getByText('pending')).toBeTruthy();
    expect(await within(hook).findByText(/Queued again/)).toBeTruthy();

    const gets = () => api.requests.filter((r) => r.path.endsWith('/deliveries')).length;
    fireEvent.click(within(hook).getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(gets()).toBe(2));

    fireEvent.click(within(hook).getByRole('button', { name: 'Hide deliveries' }));
    expect(within(hook).queryByRole('table')).toBeNull();
  });

  it('shows a read-only user the integrations and deliveries without any form or write button', async () => {
    const api = server();
    renderPage(api, { me: ANALYST });
    const hook = await card('CRM webhook');
    expect(await screen.findByText(/only an admin of this project can add, change/)).toBeTruthy();
    expect(document.querySelector('form')).toBeNull();
    expect(screen.queryByRole('region', { name: 'Add an integration' })).toBeNull();
    for (const name of [/^Edit/, /^Pause/, /^Resume/, /^Delete/])
      expect(screen.queryByRole('button', { name })).toBeNull();
    fireEvent.click(within(hook).getByRole('button', { name: 'Deliveries' }));
    const table = await within(hook).findByRole('table', { name: 'Deliveries of CRM webhook' });
    expect(table.textContent).toContain('HTTP 500: upstream down');
    expect(within(table).queryByRole('button')).toBeNull();
  });

  it('says so when there is no integration yet', async () => {
    renderPage(fakeApi(() => []));
    expect(await screen.findByText(/No integration yet/)).toBeTruthy();
    expect(await addForm()).toBeTruthy();
  });

  it('speaks Russian', async () => {
    const api = server();
    renderPage(api, { lang: 'ru' });
    expect(
      await screen.findByRole('heading', { level: 2, name: 'Передача звонков в другие системы' }),
    ).toBeTruthy();
    const hook = await card('CRM webhook');
    expect(hook.textContent).toContain('Вебхук');
    expect(hook.textContent).toContain('звонок начался, звонок завершился');
    expect(hook.textContent).toContain('Секрет подписи: задан');
    const metrica = await card('Metrica');
    expect(metrica.textContent).toContain('Яндекс Метрика');
    expect(metrica.textContent).toContain('приостановлена');
    expect(within(metrica).getByRole('button', { name: 'Включить Metrica' })).toBeTruthy();
    const form = await screen.findByRole('region', { name: 'Добавить интеграцию' });
    fireEvent.click(within(form).getByLabelText('Яндекс Метрика'));
    expect(within(form).getByLabelText('Номер счётчика')).toBeTruthy();
    expect((within(form).getByLabelText('OAuth-токен') as HTMLInputElement).type).toBe('password');

    fireEvent.click(within(hook).getByRole('button', { name: 'Журнал отправок' }));
    const table = await within(hook).findByRole('table', { name: 'Журнал отправок CRM webhook' });
    expect(table.textContent).toContain('не доставлено');
    expect(within(table).getByRole('button', { name: /^Повторить отправку события от/ })).toBeTruthy();
  });
});

describe('CRM integrations (amoCRM, Bitrix24)', () => {
  const AMO = integration({
    id: 'int-amo',
    kind: 'amocrm',
    name: 'Sales amo',
    settings: { baseUrl: 'https://clinic.amocrm.ru', pipelineId: 4711 },
    secretKeys: ['accessToken'],
  });
  const BITRIX = integration({
    id: 'int-b24',
    kind: 'bitrix24',
    name: 'Portal leads',
    settings: { portal: 'clinic.bitrix24.ru', sourceId: 'CALL' },
    secretKeys: ['webhookUrl'],
  });

  const crmServer = (options: ServerOptions = {}) => settingsServer([AMO, BITRIX], ['accessToken'], options);

  it('lists amoCRM and Bitrix24 with their settings, Bitrix24’s portal in place of its secret URL', async () => {
    renderPage(crmServer());
    const amo = await card('Sales amo');
    expect(amo.textContent).toContain('amoCRM (Kommo)');
    expect(within(amo).getByText('https://clinic.amocrm.ru')).toBeTruthy();
    expect(within(amo).getByText('4711')).toBeTruthy();
    expect(amo.textContent).toContain('Long-lived token: set');
    expect(amo.textContent).toContain('incoming-call lead in amoCRM’s Unsorted');
    expect(amo.textContent).toContain('a call ends');
    expect(amo.textContent).not.toContain('a call starts');

    const bitrix = await card('Portal leads');
    expect(bitrix.textContent).toContain('Bitrix24');
    expect(bitrix.textContent).toMatch(/Portal\s*clinic\.bitrix24\.ru/);
    expect(within(bitrix).getByText('CALL')).toBeTruthy();
    expect(bitrix.textContent).toContain('Inbound webhook URL: set');
    expect(bitrix.textContent).toContain('crm.lead.add');
    expect(bitrix.textContent).not.toContain('/rest/');
  });

  it('adds amoCRM with its own fields: the token a password field, the pipeline sent as a number', async () => {
    const api = crmServer();
    renderPage(api);
    const form = await addForm();
    fireEvent.click(within(form).getByLabelText('amoCRM (Kommo)'));
    expect((within(form).getByLabelText('a call starts') as HTMLInputElement).checked).toBe(false);
    expect((within(form).getByLabelText('a call ends') as HTMLInputElement).checked).toBe(true);
    expect(form.textContent).toContain('Long-lived token');
    expect(form.textContent).toContain('hidden number is not sent');
    const token = within(form).getByLabelText('Long-lived token') as HTMLInputElement;
    expect(token.type).toBe('password');
    expect(token.autocomplete).toBe('new-password');
    fireEvent.change(within(form).getByLabelText('Account address'), {
      target: { value: 'https://clinic.amocrm.ru' },
    });
    fireEvent.change(token, { target: { value: ' eyJ0eXAi.token ' } });
    fireEvent.change(within(form).getByLabelText('Pipeline ID (optional)'), { target: { value: '4711' } });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Clinic amo' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add' }));

    const added = await card('Clinic amo');
    expect(added.textContent).toContain('amoCRM (Kommo)');
    expect(api.requests.filter((r) => r.method === 'POST')).toEqual([
      {
        method: 'POST',
        path: BASE,
        body: {
          kind: 'amocrm',
          name: 'Clinic amo',
          events: ['call.ended'],
          settings: { baseUrl: 'https://clinic.amocrm.ru', accessToken: 'eyJ0eXAi.token', pipelineId: 4711 },
        },
      },
    ]);
  });

  it('adds Bitrix24 with its webhook URL as a secret, and shows the server’s refusal next to the form', async () => {
    const api = crmServer({
      reject: (r) =>
        r.method === 'POST'
          ? new ApiError(
              400,
              'validation_failed',
              'settings.webhookUrl must be the inbound webhook, https://<portal>/rest/<user id>/<secret>/',
            )
          : undefined,
    });
    renderPage(api);
    const form = await addForm();
    fireEvent.click(within(form).getByLabelText('Bitrix24'));
    expect(within(form).queryByLabelText('Account address')).toBeNull();
    const hook = within(form).getByLabelText('Inbound webhook URL') as HTMLInputElement;
    expect(hook.type).toBe('password');
    expect(form.textContent).toContain('Inbound webhook, with the CRM (crm) scope');
    fireEvent.change(hook, { target: { value: 'https://clinic.bitrix24.ru/crm/' } });
    fireEvent.change(within(form).getByLabelText('Source code (optional)'), { target: { value: 'UC_ADS' } });
    fireEvent.change(within(form).getByLabelText('Responsible user ID (optional)'), {
      target: { value: '9' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Add' }));

    expect((await within(form).findByRole('alert')).textContent).toContain(
      'settings.webhookUrl must be the inbound webhook',
    );
    expect(hook.value).toBe('https://clinic.bitrix24.ru/crm/');
    expect(api.requests.find((r) => r.method === 'POST')?.body).toEqual({
      kind: 'bitrix24',
      name: 'Bitrix24',
      events: ['call.ended'],
      settings: { webhookUrl: 'https://clinic.bitrix24.ru/crm/', sourceId: 'UC_ADS', assignedById: 9 },
    });
  });

  it('edits Bitrix24 without its webhook URL unless one is typed', async () => {
    const api = crmServer();
    renderPage(api);
    const bitrix = await card('Portal leads');
    fireEvent.click(within(bitrix).getByRole('button', { name: 'Edit Portal leads' }));
    const edit = await within(bitrix).findByRole('group', { name: 'Edit Portal leads' });
    const hook = within(edit).getByLabelText(
      'Inbound webhook URL (set; leave empty to keep it)',
    ) as HTMLInputElement;
    expect(hook.value).toBe('');
    // The derived portal is shown on the card, never offered as a field.
    expect(within(edit).queryByLabelText(/Portal/)).toBeNull();
    const source = within(edit).getByLabelText('Source code (optional)') as HTMLInputElement;
    expect(source.value).toBe('CALL');
    fireEvent.change(source, { target: { value: 'WEB' } });
    fireEvent.click(within(edit).getByRole('button', { name: 'Save' }));

    await waitFor(() =>
      expect(within(bitrix).queryByRole('group', { name: 'Edit Portal leads' })).toBeNull(),
    );
    expect(api.requests.filter((r) => r.method === 'PATCH')).toEqual([
      { method: 'PATCH', path: `${BASE}/int-b24`, body: { settings: { sourceId: 'WEB' } } },
    ]);
    expect(await within(bitrix).findByText('WEB')).toBeTruthy();
  });

  it('speaks Russian', async () => {
    renderPage(crmServer(), { lang: 'ru' });
    const bitrix = await card('Portal leads');
    expect(bitrix.textContent).toContain('Битрикс24');
    expect(bitrix.textContent).toMatch(/Портал\s*clinic\.bitrix24\.ru/);
    expect(bitrix.textContent).toContain('Адрес входящего вебхука: задан');
    const amo = await card('Sales amo');
    expect(amo.textContent).toContain('Долгосрочный токен: задан');
    expect(amo.textContent).toContain('«Неразобранном» amoCRM');
    const form = await screen.findByRole('region', { name: 'Добавить интеграцию' });
    fireEvent.click(within(form).getByLabelText('amoCRM (Kommo)'));
    expect(within(form).getByLabelText('Адрес аккаунта')).toBeTruthy();
    expect((within(form).getByLabelText('Долгосрочный токен') as HTMLInputElement).type).toBe('password');
    fireEvent.click(within(form).getByLabelText('Битрикс24'));
    expect((within(form).getByLabelText('Адрес входящего вебхука') as HTMLInputElement).type).toBe(
      'password',
    );
    expect(within(form).getByLabelText('Код источника (необязательно)')).toBeTruthy();
  });
});

describe('Google Ads integration', () => {
  const ADS = integration({
    id: 'int-ads',
    kind: 'google_ads',
    name: 'Ads calls',
    settings: {
      customerId: '1234567890',
      conversionAction: 'customers/1234567890/conversionActions/987654',
      loginCustomerId: '5556667777',
      value: 1500,
      currency: 'RUB',
    },
    secretKeys: ['developerToken', 'clientId', 'clientSecret', 'refreshToken'],
  });

  const adsServer = (options: ServerOptions = {}) => settingsServer([ADS], ADS.secretKeys, options);

  it('lists Google Ads with its account, action and value, and which of its four credentials are set', async () => {
    renderPage(adsServer());
    const ads = await card('Ads calls');
    expect(ads.textContent).toContain('Google Ads');
    expect(await within(ads).findByText('1234567890')).toBeTruthy();
    expect(await within(ads).findByText('customers/1234567890/conversionActions/987654')).toBeTruthy();
    expect(await within(ads).findByText('5556667777')).toBeTruthy();
    expect(await within(ads).findByText('1500')).toBeTruthy();
    for (const secret of ['Developer token', 'OAuth client ID', 'OAuth client secret', 'Refresh token'])
      expect(ads.textContent).toContain(`${secret}: set`);
    expect(ads.textContent).toContain('click conversion for the visit’s click id');
    expect(ads.textContent).toContain('a call ends');
    expect(ads.textContent).not.toContain('a call starts');
  });

  it('adds Google Ads: the four credentials as password fields, the value as a number', async () => {
    const api = adsServer();
    renderPage(api);
    const form = await addForm();
    fireEvent.click(await within(form).findByLabelText('Google Ads'));
    expect(((await within(form).findByLabelText('a call ends')) as HTMLInputElement).checked).toBe(true);
    expect((within(form).getByLabelText('a call starts') as HTMLInputElement).checked).toBe(false);
    expect(form.textContent).toContain('Admin → API Center');
    expect(form.textContent).toContain('https://www.googleapis.com/auth/adwords');
    const typed: [string, string][] = [
      ['Customer ID', '123-456-7890'],
      ['Conversion action', '987654'],
      ['Manager account ID (optional)', '555-666-7777'],
      ['Value of a call (optional)', '1500'],
      ['Currency (ISO 4217, e.g. RUB) (optional)', 'RUB'],
      ['Developer token', 'dev-token'],
      ['OAuth client ID', '1234-abc.apps.googleusercontent.com'],
      ['OAuth client secret', 'GOCSPX-secret'],
      ['Refresh token', '1//0g-refresh'],
      ['Name', 'Clinic Ads'],
    ];
    for (const [label, value] of typed) {
      const input = within(form).getByLabelText(label) as HTMLInputElement;
      if (['Developer token', 'OAuth client ID', 'OAuth client secret', 'Refresh token'].includes(label)) {
        expect(input.type, label).toBe('password');
        expect(input.autocomplete, label).toBe('new-password');
      }
      fireEvent.change(input, { target: { value } });
    }
    fireEvent.click(within(form).getByRole('button', { name: 'Add' }));

    const added = await card('Clinic Ads');
    expect(added.textContent).toContain('Google Ads');
    expect(api.requests.filter((r) => r.method === 'POST')).toEqual([
      {
        method: 'POST',
        path: BASE,
        body: {
          kind: 'google_ads',
          name: 'Clinic Ads',
          events: ['call.ended'],
          settings: {
            customerId: '123-456-7890',
            conversionAction: '987654',
            loginCustomerId: '555-666-7777',
            value: 1500,
            currency: 'RUB',
            developerToken: 'dev-token',
            clientId: '1234-abc.apps.googleusercontent.com',
            clientSecret: 'GOCSPX-secret',
            refreshToken: '1//0g-refresh',
          },
        },
      },
    ]);
  });

  it('shows the server’s refusal next to the form, keeping what was typed', async () => {
    const message =
      'settings.conversionAction belongs to customer 1112223333, not to settings.customerId 1234567890';
    const api = adsServer({
      reject: (r) => (r.method === 'POST' ? new ApiError(400, 'validation_failed', message) : undefined),
    });
    renderPage(api);
    const form = await addForm();
    fireEvent.click(await within(form).findByLabelText('Google Ads'));
    const action = within(form).getByLabelText('Conversion action') as HTMLInputElement;
    fireEvent.change(within(form).getByLabelText('Customer ID'), { target: { value: '1234567890' } });
    fireEvent.change(action, { target: { value: 'customers/1112223333/conversionActions/5' } });
    for (const label of ['Developer token', 'OAuth client ID', 'OAuth client secret', 'Refresh token'])
      fireEvent.change(within(form).getByLabelText(label), { target: { value: 'x' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add' }));
    expect((await within(form).findByRole('alert')).textContent).toContain(message);
    expect(action.value).toBe('customers/1112223333/conversionActions/5');
  });

  it('edits the value without touching the credentials unless typed', async () => {
    const api = adsServer();
    renderPage(api);
    const ads = await card('Ads calls');
    fireEvent.click(await within(ads).findByRole('button', { name: 'Edit Ads calls' }));
    const edit = await within(ads).findByRole('group', { name: 'Edit Ads calls' });
    const refresh = within(edit).getByLabelText(
      'Refresh token (set; leave empty to keep it)',
    ) as HTMLInputElement;
    expect(refresh.value).toBe('');
    const value = within(edit).getByLabelText('Value of a call (optional)') as HTMLInputElement;
    expect(value.value).toBe('1500');
    fireEvent.change(value, { target: { value: '2000' } });
    fireEvent.click(within(edit).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(ads).queryByRole('group', { name: 'Edit Ads calls' })).toBeNull());
    expect(api.requests.filter((r) => r.method === 'PATCH')).toEqual([
      { method: 'PATCH', path: `${BASE}/int-ads`, body: { settings: { value: 2000 } } },
    ]);
    expect(await within(ads).findByText('2000')).toBeTruthy();
  });

  it('speaks Russian', async () => {
    renderPage(adsServer(), { lang: 'ru' });
    const ads = await card('Ads calls');
    expect(ads.textContent).toContain('Токен разработчика: задан');
    expect(ads.textContent).toContain('Токен обновления (refresh token): задан');
    expect(ads.textContent).toContain('конверсия по клику');
    const form = await screen.findByRole('region', { name: 'Добавить интеграцию' });
    fireEvent.click(await within(form).findByLabelText('Google Ads'));
    expect(within(form).getByLabelText('Идентификатор клиента')).toBeTruthy();
    expect(within(form).getByLabelText('ID управляющего аккаунта (необязательно)')).toBeTruthy();
    expect((within(form).getByLabelText('Секрет клиента OAuth') as HTMLInputElement).type).toBe('password');
    expect(form.textContent).toContain('Центр API');
  });
});
