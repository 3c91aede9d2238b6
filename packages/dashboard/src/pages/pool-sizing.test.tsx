// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type ObservedPoolSizing, type Pool, type PoolSizing } from '../api.js';
import { fakeApi, PROJECT, Providers, type Recorded } from '../test-support.js';
import { PoolSizingPage } from './pool-sizing.js';

afterEach(cleanup);

const pool = (id: string, name: string, numberIds: string[]): Pool => ({
  id,
  name,
  priority: 0,
  match: {},
  holdSeconds: 900,
  exhaustionPolicy: 'reuse_oldest',
  fallbackNumberId: null,
  destinationId: null,
  numberIds,
  exhaustedCount: 0,
  lastExhaustedAt: null,
});

const sizing = (over: Partial<PoolSizing> = {}): PoolSizing => ({
  accuracy: 0.95,
  numbersNeeded: 47,
  levels: [
    { accuracy: 0.9, numbersNeeded: 45 },
    { accuracy: 0.95, numbersNeeded: 47 },
    { accuracy: 0.99, numbersNeeded: 52 },
    { accuracy: 0.999, numbersNeeded: 57 },
  ],
  busiestHourShare: 0.12,
  peakHourVisitors: 120,
  busySecondsPerVisitor: 1080,
  expectedBusy: 36,
  ruleOfTwenty: 50,
  currentSize: null,
  exhaustionProbability: null,
  ...over,
});

const observed = (poolId: string, over: Partial<ObservedPoolSizing['observed']>, enough: boolean) => ({
  poolId,
  basis: enough ? 'observed' : 'too_little_data',
  accuracy: 0.95,
  timeZone: 'Europe/Moscow',
  observed: {
    from: 0,
    to: 14 * 86_400_000,
    days: 14,
    visits: 210,
    dailyVisitors: 15,
    busiestHour: 13,
    busiestHourShare: 2 / 3,
    meanVisitSeconds: 120,
    size: 3,
    holdSeconds: 900,
    exhaustedCount: 4,
    lastExhaustedAt: null,
    peakBusy: 2,
    peakAt: null,
    peakWindowHours: 24,
    ...over,
  },
  ruleOfTwenty: 1,
  recommendation: enough
    ? sizing({
        numbersNeeded: 7,
        levels: [
          { accuracy: 0.9, numbersNeeded: 6 },
          { accuracy: 0.95, numbersNeeded: 7 },
          { accuracy: 0.99, numbersNeeded: 9 },
          { accuracy: 0.999, numbersNeeded: 11 },
        ],
      })
    : null,
});

function serve(calculator: (r: Recorded) => unknown = () => sizing(), pools = true) {
  return fakeApi((r) => {
    if (r.path.endsWith('/pools/sizing')) return calculator(r);
    if (r.path.endsWith('/pools/yandex/sizing')) return observed('yandex', {}, true);
    if (r.path.endsWith('/pools/google/sizing'))
      return observed(
        'google',
        { visits: 5, days: 2, size: 2, exhaustedCount: 0, busiestHour: 9, dailyVisitors: 2.5 },
        false,
      );
    if (r.path.endsWith('/pools'))
      return pools
        ? [pool('yandex', 'Yandex Direct', ['n1', 'n2', 'n3']), pool('google', 'Google Ads', [])]
        : [];
    throw new Error(`unexpected ${r.path}`);
  });
}

describe('PoolSizingPage', () => {
  it("shows each pool's size beside what its own traffic needs, or says the data is too little", async () => {
    const api = serve();
    render(
      <Providers api={api}>
        <PoolSizingPage project={PROJECT} />
      </Providers>,
    );
    expect(screen.getByRole('heading', { level: 1, name: 'Pool sizing' })).toBeTruthy();
    const table = await screen.findByRole('table', { name: 'Your pools' });
    const yandex = within(table).getByRole('row', { name: /Yandex Direct/ });
    const cells = within(yandex)
      .getAllByRole('cell')
      .map((c) => c.textContent);
    expect(cells).toEqual(['3too few', '7', '9', '1', '4', 'visits: 210 in 14 d; busiest hour 13:00']);
    const google = within(table).getByRole('row', { name: /Google Ads/ });
    expect(google.textContent).toContain('too little data yet (visits: 5 in 2 d)');
    expect(google.textContent).not.toContain('too few');
    expect(screen.getByText(/busiest hour is in the project’s time zone \(Europe\/Moscow\)/)).toBeTruthy();
    const asked = api.requests.filter((r) => r.path.endsWith('/sizing'));
    expect(asked.map((r) => [r.path, r.query])).toEqual([
      ['/api/v1/projects/p1/pools/yandex/sizing', { days: 14 }],
      ['/api/v1/projects/p1/pools/google/sizing', { days: 14 }],
    ]);
  });

  it('calculates for planned traffic and explains the answer', async () => {
    const api = serve((r) => sizing({ accuracy: r.query?.accuracy as number, numbersNeeded: 52 }));
    render(
      <Providers api={api}>
        <PoolSizingPage project={PROJECT} />
      </Providers>,
    );
    await screen.findByRole('table', { name: 'Your pools' });
    expect(screen.getByRole('heading', { level: 2, name: 'Calculator' })).toBeTruthy();
    // The hold starts at the first pool's.
    expect(
      (screen.getByLabelText('Hold time after the visitor leaves (minutes)') as HTMLInputElement).value,
    ).toBe('15');
    fireEvent.change(screen.getByLabelText('Visitors a day from the source'), { target: { value: '1000' } });
    fireEvent.change(screen.getByLabelText('Average visit length (minutes)'), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText('Target accuracy'), { target: { value: '0.99' } });
    fireEvent.click(screen.getByRole('button', { name: 'Calculate' }));
    const answer = await screen.findByTestId('sizing-answer');
    expect(api.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/api/v1/projects/p1/pools/sizing',
      query: {
        dailyVisitors: 1000,
        busiestHourShare: 0.12,
        visitSeconds: 180,
        holdSeconds: 900,
        accuracy: 0.99,
      },
    });
    expect(answer.textContent).toContain('Numbers needed for 99% accuracy: 52.');
    expect(answer.textContent).toContain(
      'In the busiest hour about 120 visitors arrive, and each keeps a number for 18 min, so on average 36 numbers are busy at once.',
    );
    expect(answer.textContent).toContain('The rule of 20 would give 50.');
    expect(answer.textContent).toContain('90%: 45 · 95%: 47 · 99%: 52 · 99.9%: 57');
  });

  it("shows the API's complaint about bad input", async () => {
    const api = serve(() => {
      throw new ApiError(400, 'validation_failed', 'querystring/dailyVisitors must be > 0');
    });
    render(
      <Providers api={api}>
        <PoolSizingPage project={PROJECT} />
      </Providers>,
    );
    fireEvent.change(screen.getByLabelText('Visitors a day from the source'), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Calculate' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('dailyVisitors must be > 0');
    expect(screen.queryByTestId('sizing-answer')).toBeNull();
  });

  it('says when there are no pools yet, and keeps the calculator', async () => {
    render(
      <Providers api={serve(undefined, false)}>
        <PoolSizingPage project={PROJECT} />
      </Providers>,
    );
    expect(await screen.findByText(/No dynamic pools yet/)).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.getByRole('button', { name: 'Calculate' })).toBeTruthy();
  });

  it('speaks Russian and takes a decimal comma', async () => {
    const api = serve();
    render(
      <Providers api={api} lang="ru">
        <PoolSizingPage project={PROJECT} />
      </Providers>,
    );
    expect(screen.getByRole('heading', { level: 1, name: 'Размер пула' })).toBeTruthy();
    const table = await screen.findByRole('table', { name: 'Ваши пулы' });
    expect(within(table).getByRole('row', { name: /Yandex Direct/ }).textContent).toContain(
      'визитов: 210 за 14 дн.; пиковый час — 13:00',
    );
    fireEvent.change(screen.getByLabelText('Средняя длительность визита (минуты)'), {
      target: { value: '2,5' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Рассчитать' }));
    const answer = await screen.findByTestId('sizing-answer');
    expect(api.requests.at(-1)?.query).toMatchObject({ visitSeconds: 150 });
    expect(answer.textContent).toMatch(/Для точности 95\s?% нужно номеров: 47\./);
    expect(answer.textContent).toContain('По правилу 20 вышло бы 50.');
  });
});
