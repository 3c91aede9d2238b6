import type { Project } from '../api.js';
import { type ChartSeries, HorizontalBarChart, StackedBarChart } from '../components/charts.js';
import { ErrorNote, Loading } from '../components/ui.js';
import { formatMoney } from '../format.js';
import { label, type Translate, useI18n } from '../i18n.js';
import { type Bucket, channelOf, loadSeries, type Report } from '../report-series.js';
import { useSession } from '../session.js';
import { useAsync } from '../use-async.js';

const COLORS: Record<string, string> = {
  paid: '#1f5fd1',
  organic: '#17803d',
  direct: '#5b6675',
  referral: '#b7791f',
  social: '#8e44ad',
  email: '#d35400',
  offline: '#0f8b8d',
  unattributed: '#b0b7c3',
};
const SPARE = ['#c2185b', '#00838f', '#6d4c41', '#558b2f', '#3949ab'];
const ORDER = Object.keys(COLORS);

function channelName(t: Translate, channel: string): string {
  if (channel === 'unattributed') return t('unattributed');
  if (channel === 'unallocated_spend') return t('unallocatedSpend');
  return label(t, 'ch_', channel);
}

function toChartSeries(t: Translate, values: Map<string, number[]>): ChartSeries[] {
  const keys = [...values.keys()].sort(
    (a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  return keys.map((key, i) => ({
    key,
    label: channelName(t, key),
    color: COLORS[key] ?? SPARE[i % SPARE.length] ?? '#999',
    values: values.get(key) ?? [],
  }));
}

function bucketLabel(b: Bucket, locale: string): string {
  const date = new Date(`${b.from}T00:00:00Z`);
  const options: Intl.DateTimeFormatOptions =
    b.unit === 'month'
      ? { month: 'short', year: 'numeric', timeZone: 'UTC' }
      : { day: 'numeric', month: 'short', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/**
 * Calls and revenue by channel over time (one channel report per day, week or month of the range) and ROMI by
 * channel over the whole range (the page's own report when it is grouped by channel).
 */
export function ReportCharts({
  project,
  url,
  query,
  channelReport,
}: {
  project: Project;
  url: string;
  query: { from: string; to: string; model: string };
  channelReport?: Report;
}) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const series = useAsync(() => loadSeries(api, url, query), [api, url, query.from, query.to, query.model]);
  const whole = useAsync(
    () =>
      channelReport
        ? Promise.resolve(channelReport)
        : api.get<Report>(url, { groupBy: 'channel', model: query.model, from: query.from, to: query.to }),
    [api, url, query.from, query.to, query.model, channelReport],
  );
  const currency = whole.data?.currency ?? project.currency;
  const money = (n: number) => formatMoney(n, currency, locale);
  const count = (n: number) => new Intl.NumberFormat(locale).format(n);
  const compactMoney = (n: number) =>
    new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      currencyDisplay: 'narrowSymbol',
      notation: 'compact',
    }).format(n);
  const pct = (n: number) => `${new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n)}%`;

  const data = series.data;
  const categories = data?.buckets.map((b) => bucketLabel(b, locale)) ?? [];
  const calls = data ? toChartSeries(t, data.calls) : [];
  const revenue = data ? toChartSeries(t, data.revenue) : [];
  const sum = (s: ChartSeries[]) => s.reduce((n, x) => n + x.values.reduce((a, b) => a + b, 0), 0);
  const leader = (s: ChartSeries[]) =>
    [...s].sort((a, b) => b.values.reduce((x, y) => x + y, 0) - a.values.reduce((x, y) => x + y, 0))[0]
      ?.label ?? '—';
  const romi = (whole.data?.rows ?? [])
    .filter((r) => r.kind === 'group' && r.romi !== null)
    .map((r) => ({ key: channelOf(r), label: channelName(t, channelOf(r)), value: r.romi ?? 0 }))
    .sort((a, b) => b.value - a.value);

  return (
    <section className="charts" aria-labelledby="charts-title">
      <h2 id="charts-title">{t('charts')}</h2>
      {(series.loading || whole.loading) && !data && <Loading />}
      <ErrorNote error={series.error ?? whole.error} onRetry={series.error ? series.reload : whole.reload} />
      {data && (
        <div className="chart-grid">
          <StackedBarChart
            title={t('callsOverTime')}
            categories={categories}
            series={calls}
            format={count}
            summary={t('chartSummary', { total: count(sum(calls)), top: leader(calls) })}
          />
          <StackedBarChart
            title={t('revenueOverTime')}
            categories={categories}
            series={revenue}
            format={compactMoney}
            summary={t('chartSummary', { total: money(sum(revenue)), top: leader(revenue) })}
          />
        </div>
      )}
      {whole.data && (
        <HorizontalBarChart
          title={t('romiByChannel')}
          items={romi}
          format={pct}
          summary={romi.map((r) => `${r.label} ${pct(r.value)}`).join(', ')}
          empty={t('romiNeedsSpend')}
        />
      )}
    </section>
  );
}
