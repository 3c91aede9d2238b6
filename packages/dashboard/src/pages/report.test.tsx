// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Metrics, Report } from '../report-series.js';
import { fakeApi, PROJECT, Providers } from '../test-support.js';
import { ReportPage } from './report.js';

afterEach(cleanup);

const project = PROJECT;

const metrics = (calls: number, revenue: number, spend: number): Metrics => ({
  visits: calls * 10,
  calls,
  targetCalls: calls,
  leads: calls,
  deals: 0,
  wonDeals: 0,
  revenue,
  spend,
  profit: revenue - spend,
  cpl: null,
  romi: spend > 0 ? ((revenue - spend) / spend) * 100 : null,
  avgConfidence: 100,
});
const row = (channel: string, calls: number, revenue: number, spend: number) => ({
  kind: 'group',
  key: { channel },
  label: channel,
  ...metrics(calls, revenue, spend),
});

/** Per day: paid ads bring 2 calls on the 2nd of the month, organic 1 call every day; revenue only on the 2nd. */
function server() {
  return fakeApi((r) => {
    const q = r.query as { groupBy: string; from: string; to: string };
    const rows =
      q.from === q.to
        ? [...(q.from.endsWith('-02') ? [row('paid', 2, 50_000, 0)] : []), row('organic', 1, 0, 0)]
        : [row('paid', 2, 281_000, 100_000), row('offline', 1, 6_000, 20_000), row('organic', 3, 0, 0)];
    const report: Report = { currency: 'RUB', rows, totals: metrics(6, 287_000, 120_000) };
    return report;
  });
}

describe('ReportPage charts', () => {
  it('draws calls and revenue by channel per day (one channel report a day) and ROMI by channel', async () => {
    const api = server();
    render(
      <Providers api={api}>
        <ReportPage project={project} />
      </Providers>,
    );
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-01-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-01-03' } });
    const calls = await screen.findByRole('img', { name: /Calls by channel over time/ });
    await waitFor(() =>
      expect(calls.querySelector('desc')?.textContent).toBe('Total 5; the largest channel: organic search.'),
    );
    const days = api.requests.filter(
      (r) => (r.query as { from: string; to: string }).from === (r.query as { to: string }).to,
    );
    expect(
      days.map((r) => (r.query as { from: string }).from).filter((d) => d.startsWith('2026-01')),
    ).toEqual(expect.arrayContaining(['2026-01-01', '2026-01-02', '2026-01-03']));
    expect(days.every((r) => (r.query as { groupBy: string }).groupBy === 'channel')).toBe(true);
    expect(calls.querySelectorAll('[data-series="paid"]')).toHaveLength(1);
    expect(calls.querySelectorAll('[data-series="organic"]')).toHaveLength(3);

    const revenue = screen.getByRole('img', { name: /Revenue by channel over time/ });
    expect(revenue.querySelectorAll('rect')).toHaveLength(1);

    // ROMI over the whole range, from the page's own channel report: (281,000 − 100,000) / 100,000 = 181%.
    const romi = screen.getByRole('img', { name: /ROMI by channel/ });
    expect(romi.querySelector('desc')?.textContent).toBe('paid ads 181%, offline -70%');
    const table = within(screen.getByRole('table', { name: 'End-to-end report' }));
    expect(table.getByRole('row', { name: /paid/ }).textContent).toContain('181%');
  });

  it('labels the charts in Russian', async () => {
    render(
      <Providers api={server()} lang="ru">
        <ReportPage project={project} />
      </Providers>,
    );
    expect(await screen.findByRole('img', { name: /Звонки по каналам во времени/ })).toBeTruthy();
    expect(await screen.findByRole('img', { name: /ROMI по каналам/ })).toBeTruthy();
  });
});
