// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Project } from '../api.js';
import { CallsPage } from '../pages/calls.js';
import { fakeApi, Providers } from '../test-support.js';
import { DownloadLink } from './download-link.js';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('DownloadLink', () => {
  it('is a plain link when the session cookie authenticates it', () => {
    const api = fakeApi(() => 'id,caller\n');
    render(
      <Providers api={api}>
        <DownloadLink href="/api/v1/projects/p1/calls/export.csv" filename="calls.csv">
          Export
        </DownloadLink>
      </Providers>,
    );
    const link = screen.getByRole('link', { name: 'Export' });
    expect(link.getAttribute('href')).toBe('/api/v1/projects/p1/calls/export.csv');
    expect(link.getAttribute('download')).toBe('calls.csv');
    const followed = fireEvent.click(link);
    expect(followed).toBe(true); // not prevented: the browser downloads with the cookie
    expect(api.requests).toEqual([]);
  });

  it('fetches the file with the API key and saves it when a link cannot carry the key', async () => {
    const api = fakeApi(() => 'id,caller\n', { linksAuthenticate: false });
    const created = vi.fn((_blob: Blob) => 'blob:csv');
    URL.createObjectURL = created as typeof URL.createObjectURL;
    URL.revokeObjectURL = vi.fn();
    const clicks: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(`${this.getAttribute('href')} ${this.download}`);
    });
    render(
      <Providers api={api}>
        <DownloadLink href="/api/v1/projects/p1/reports/csv?groupBy=channel" filename="report.csv">
          Download
        </DownloadLink>
      </Providers>,
    );
    const followed = fireEvent.click(screen.getByRole('link', { name: 'Download' }));
    expect(followed).toBe(false);
    await waitFor(() => expect(clicks).toEqual(['blob:csv report.csv']));
    expect(api.requests).toEqual([
      { method: 'FILE', path: '/api/v1/projects/p1/reports/csv?groupBy=channel' },
    ]);
    const saved = created.mock.calls[0]?.[0];
    expect(saved).toBeInstanceOf(Blob);
    expect(await (saved as Blob).text()).toBe('id,caller\n');
  });
});

describe('the calls export', () => {
  it('carries the filters on screen', async () => {
    const project = { id: 'p1', timezone: 'Europe/Moscow' } as Project;
    render(
      <Providers api={fakeApi(() => [])}>
        <CallsPage project={project} pollMs={60_000} />
      </Providers>,
    );
    fireEvent.change(await screen.findByLabelText('Status'), { target: { value: 'answered' } });
    fireEvent.change(screen.getByLabelText('Target'), { target: { value: 'true' } });
    expect(screen.getByRole('link', { name: 'Export calls (CSV)' }).getAttribute('href')).toBe(
      '/api/v1/projects/p1/calls/export.csv?status=answered&target=true',
    );
  });
});
