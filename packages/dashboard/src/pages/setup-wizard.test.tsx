// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Project } from '../api.js';
import { fakeApi, PROJECT, Providers } from '../test-support.js';
import { SetupPage } from './setup-wizard.js';

afterEach(cleanup);

const project: Project = { ...PROJECT, publicKey: 'pk_test_123', siteNumbers: ['+74951234567'] };

describe('the setup wizard', () => {
  it('creates a dynamic pool: site number, forwarding, numbers, hold, then shows the install snippet', async () => {
    const api = fakeApi((r) => {
      if (r.path.endsWith('/numbers/import'))
        return {
          imported: [
            { id: 'n1', number: '+74957654321' },
            { id: 'n2', number: '+74957654322' },
          ],
          skipped: [],
        };
      if (r.path.endsWith('/destinations')) return { id: 'd1' };
      if (r.method === 'POST' && r.path.endsWith('/pools')) return { id: 'pool1' };
      if (r.method === 'GET') return [];
      return project;
    });
    render(
      <Providers api={api}>
        <SetupPage project={project} origin="https://ct.example.com" />
      </Providers>,
    );
    fireEvent.click(screen.getByLabelText(/Dynamic: a pool of numbers/));
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect((screen.getByLabelText('Number on the site to replace') as HTMLInputElement).value).toBe(
      '+74951234567',
    );
    fireEvent.change(screen.getByLabelText('Pool numbers (one per line)'), {
      target: { value: '+7 495 765-43-21\n+7 495 765-43-22' },
    });
    fireEvent.change(screen.getByLabelText(/Hold time/), { target: { value: '20' } });
    fireEvent.click(screen.getByLabelText('A SIP account of the PBX'));
    fireEvent.change(screen.getByLabelText('Phone number or SIP URI'), {
      target: { value: 'sip:reception@pbx.example.ru' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));

    await screen.findByText(/Tilda: Site settings/);
    const writes = api.requests.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PATCH /api/v1/projects/p1',
      'POST /api/v1/projects/p1/destinations',
      'PATCH /api/v1/projects/p1',
      'POST /api/v1/projects/p1/numbers/import',
      'POST /api/v1/projects/p1/pools',
    ]);
    expect(writes[1]?.body).toEqual({ name: 'PBX', kind: 'sip', target: 'sip:reception@pbx.example.ru' });
    expect(writes[4]?.body).toEqual({
      name: 'Site',
      match: {},
      holdSeconds: 1200,
      exhaustionPolicy: 'reuse_oldest',
      fallbackNumberId: null,
      destinationId: 'd1',
      numberIds: ['n1', 'n2'],
    });
    const snippets = screen.getAllByTestId('snippet');
    expect(snippets[0]?.textContent).toBe(
      '<script async src="https://ct.example.com/rt.js" data-project="pk_test_123"></script>',
    );
    for (const text of [/Plain HTML/, /WordPress/, /Google Tag Manager/])
      expect(screen.getByText(text)).toBeTruthy();
  });

  it('binds numbers to static channels', async () => {
    const api = fakeApi((r) => {
      if (r.path.endsWith('/numbers/import'))
        return { imported: [{ id: 'n9', number: '+74959990011' }], skipped: [] };
      if (r.method === 'GET') return [];
      return { id: 'c1' };
    });
    render(
      <Providers api={api} lang="ru">
        <SetupPage project={project} origin="https://ct.example.com" />
      </Providers>,
    );
    fireEvent.click(screen.getByLabelText(/Статический/));
    fireEvent.click(screen.getByRole('button', { name: 'Далее' }));
    fireEvent.change(screen.getByLabelText('Название канала'), { target: { value: 'Билборд на МКАД' } });
    fireEvent.change(screen.getByLabelText('Отслеживаемый номер'), { target: { value: '8 495 999-00-11' } });
    fireEvent.click(screen.getByRole('button', { name: 'Создать' }));
    await waitFor(() =>
      expect(api.requests.some((r) => r.path.endsWith('/static-channels') && r.method === 'POST')).toBe(true),
    );
    const channel = api.requests.find((r) => r.path.endsWith('/static-channels') && r.method === 'POST');
    expect(channel?.body).toEqual({
      name: 'Билборд на МКАД',
      kind: 'offline',
      numberId: 'n9',
      offlineMedium: 'billboard',
    });
    await screen.findByText(/Tilda: Настройки сайта/);
  });
});
