// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pool, PoolsUsage, TrackingNumber } from '../api.js';
import { fakeApi, PROJECT, Providers } from '../test-support.js';
import { NumbersPage } from './numbers.js';

afterEach(cleanup);

const project = PROJECT;
const NOW = Date.UTC(2026, 0, 15, 9, 0);

const number = (id: string, e164: string, poolId: string | null): TrackingNumber => ({
  id,
  number: e164,
  label: '',
  provider: 'manual',
  status: 'active',
  monthlyCost: 450,
  costCurrency: 'RUB',
  destinationId: null,
  poolId,
});
const pool = (over: Partial<Pool>): Pool => ({
  id: 'pool1',
  name: 'Google Ads',
  priority: 0,
  match: {},
  holdSeconds: 900,
  exhaustionPolicy: 'reuse_oldest',
  fallbackNumberId: null,
  destinationId: null,
  numberIds: [],
  exhaustedCount: 0,
  lastExhaustedAt: null,
  ...over,
});

function usage(over: Partial<PoolsUsage> = {}): PoolsUsage {
  return {
    at: NOW,
    pageOpenSeconds: 60,
    peakWindowHours: 24,
    pools: [
      {
        poolId: 'pool1',
        size: 3,
        leased: 1,
        held: 1,
        free: 1,
        peakBusy: 3,
        peakAt: NOW - 3_600_000,
        exhaustedCount: 0,
        lastExhaustedAt: null,
      },
    ],
    numbers: [
      {
        numberId: 'n1',
        poolId: 'pool1',
        state: 'leased',
        liveLeases: 1,
        lastSeenAt: NOW,
        expiresAt: NOW + 900_000,
        shared: false,
      },
      {
        numberId: 'n2',
        poolId: 'pool1',
        state: 'held',
        liveLeases: 1,
        lastSeenAt: NOW - 300_000,
        expiresAt: NOW + 600_000,
        shared: false,
      },
      {
        numberId: 'n3',
        poolId: 'pool1',
        state: 'free',
        liveLeases: 0,
        lastSeenAt: null,
        expiresAt: null,
        shared: false,
      },
    ],
    ...over,
  };
}

function serve(live: () => PoolsUsage) {
  return fakeApi((r) => {
    if (r.path.endsWith('/pools/usage')) return live();
    if (r.path.endsWith('/tracker/drops'))
      return { from: '', to: '', days: [], total: { bot: 12, rate_limited: 3, invalid_url: 1 } };
    if (r.path.endsWith('/pools')) return [pool({ numberIds: ['n1', 'n2', 'n3'] })];
    if (r.path.endsWith('/static-channels')) return [];
    return [
      number('n1', '+74957654321', 'pool1'),
      number('n2', '+74957654322', 'pool1'),
      number('n3', '+74957654323', 'pool1'),
      number('n4', '+74959990011', null),
    ];
  });
}

describe('NumbersPage', () => {
  it('shows each pool number free, leased or held, and the pool’s usage and peak', async () => {
    render(
      <Providers api={serve(() => usage())}>
        <NumbersPage project={project} pollMs={60_000} />
      </Providers>,
    );
    const numbers = await screen.findByRole('table', { name: /Numbers/ });
    await waitFor(() => expect(numbers.textContent).toContain('leased: page open'));
    const row = (phone: string) =>
      within(numbers).getByRole('row', { name: new RegExp(phone.replace(/[()+]/g, '\\$&')) });
    expect(row('+7 (495) 765-43-21').textContent).toContain('leased: page open');
    // 09:10 UTC is 12:10 in Moscow.
    expect(row('+7 (495) 765-43-22').textContent).toContain('held until 12:10');
    expect(row('+7 (495) 765-43-23').textContent).toContain('free');
    expect(row('+7 (495) 999-00-11').textContent).toContain('not in use');
    const pools = screen.getAllByRole('table')[0] as HTMLElement;
    const google = within(pools).getByRole('row', { name: /Google Ads/ });
    expect(google.textContent).toContain('2 of 3 busy');
    expect(google.textContent).toContain('3 of 3');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says how many page views of the last week the tracker kept away from the pools', async () => {
    const api = serve(() => usage());
    render(
      <Providers api={api}>
        <NumbersPage project={project} pollMs={60_000} />
      </Providers>,
    );
    const note = await screen.findByTestId('drops');
    expect(note.textContent).toContain('bots and automated browsers 12');
    expect(note.textContent).toContain('above the per-address limit 3');
    const asked = api.requests.find((r) => r.path.endsWith('/tracker/drops'));
    expect(asked?.query).toEqual({
      from: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      to: expect.any(String),
    });
  });

  it('warns when a pool is full now and when it ran out before, and follows the live state', async () => {
    let live = usage();
    render(
      <Providers api={serve(() => live)}>
        <NumbersPage project={project} pollMs={40} />
      </Providers>,
    );
    await screen.findByText('2 of 3 busy');
    live = usage({
      pools: [
        {
          ...(usage().pools[0] as PoolsUsage['pools'][number]),
          leased: 2,
          held: 1,
          free: 0,
          exhaustedCount: 4,
          lastExhaustedAt: NOW,
        },
      ],
      numbers: usage().numbers.map((n) => ({
        ...n,
        state: n.numberId === 'n2' ? 'held' : 'leased',
        liveLeases: n.numberId === 'n1' ? 2 : 1,
      })),
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Every number of pool “Google Ads” (3) is taken right now');
    expect(alert.textContent).toContain('a shared number');
    expect(alert.textContent).toContain('×4');
    expect(await screen.findByText('3 of 3 busy')).toBeTruthy();
    expect(screen.getByText('shared by 2')).toBeTruthy();
  });

  it('speaks Russian', async () => {
    render(
      <Providers api={serve(() => usage())} lang="ru">
        <NumbersPage project={project} pollMs={60_000} />
      </Providers>,
    );
    expect(await screen.findByText('занято 2 из 3')).toBeTruthy();
    expect(screen.getByText('выдан: страница открыта')).toBeTruthy();
    expect(screen.getByText('удерживается до 12:10')).toBeTruthy();
  });
});
