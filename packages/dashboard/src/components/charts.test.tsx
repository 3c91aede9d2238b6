// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { I18nProvider } from '../i18n.js';
import { HorizontalBarChart, niceTicks, StackedBarChart } from './charts.js';

afterEach(cleanup);

describe('niceTicks', () => {
  it('steps by round numbers up to the maximum', () => {
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(100)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(1234)).toEqual([0, 500, 1000, 1500]);
  });
});

describe('StackedBarChart', () => {
  it('stacks each period’s segments, is an image with a title and summary, and has a data table', () => {
    render(
      <I18nProvider lang="en">
        <StackedBarChart
          title="Calls by channel over time"
          categories={['1 Jan', '2 Jan']}
          series={[
            { key: 'paid', label: 'paid ads', color: '#00f', values: [3, 1] },
            { key: 'organic', label: 'organic search', color: '#0f0', values: [1, 0] },
          ]}
          format={String}
          summary="Total 5; the largest channel: paid ads."
        />
      </I18nProvider>,
    );
    const image = screen.getByRole('img', { name: /Calls by channel over time/ });
    expect(image.querySelector('desc')?.textContent).toBe('Total 5; the largest channel: paid ads.');
    const first = image.querySelector('[data-category="1 Jan"]') as SVGGElement;
    const [paid, organic] = Array.from(first.querySelectorAll('rect'));
    // 3 + 1 stacked: the organic segment sits on top of the paid one, a third of its height.
    expect(Number(organic?.getAttribute('y')) + Number(organic?.getAttribute('height'))).toBeCloseTo(
      Number(paid?.getAttribute('y')),
    );
    expect(Number(paid?.getAttribute('height'))).toBeCloseTo(3 * Number(organic?.getAttribute('height')));
    // A zero segment is not drawn.
    expect(image.querySelectorAll('[data-category="2 Jan"] rect')).toHaveLength(1);
    const table = screen.getByRole('table', { name: 'Calls by channel over time' });
    expect(within(table).getByRole('row', { name: /1 Jan/ }).textContent).toBe('1 Jan314');
  });

  it('says there is no data instead of drawing an empty chart', () => {
    render(
      <I18nProvider lang="ru">
        <StackedBarChart title="Звонки" categories={['1 янв.']} series={[]} format={String} summary="" />
      </I18nProvider>,
    );
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByText('Нет данных за этот период.')).toBeTruthy();
  });
});

describe('HorizontalBarChart', () => {
  it('draws losses left of the zero line and gains right of it', () => {
    render(
      <I18nProvider lang="en">
        <HorizontalBarChart
          title="ROMI by channel"
          items={[
            { key: 'paid', label: 'paid ads', value: 181 },
            { key: 'offline', label: 'offline', value: -14 },
          ]}
          format={(v) => `${v}%`}
          summary="paid ads 181%, offline -14%"
          empty="no spend"
        />
      </I18nProvider>,
    );
    const image = screen.getByRole('img', { name: /ROMI by channel/ });
    const zero = Number(image.querySelector('line.zero')?.getAttribute('x1'));
    const gain = image.querySelector('[data-item="paid"] rect') as SVGRectElement;
    const loss = image.querySelector('[data-item="offline"] rect') as SVGRectElement;
    expect(Number(gain.getAttribute('x'))).toBeCloseTo(zero);
    expect(Number(loss.getAttribute('x')) + Number(loss.getAttribute('width'))).toBeCloseTo(zero);
    expect(loss.getAttribute('class')).toBe('bar-negative');
    expect(Number(gain.getAttribute('width'))).toBeGreaterThan(10 * Number(loss.getAttribute('width')));
    expect(image.textContent).toContain('-14%');
  });

  it('explains an empty chart', () => {
    render(
      <I18nProvider lang="en">
        <HorizontalBarChart title="ROMI" items={[]} format={String} summary="" empty="ROMI needs spend" />
      </I18nProvider>,
    );
    expect(screen.getByText('ROMI needs spend')).toBeTruthy();
  });
});
