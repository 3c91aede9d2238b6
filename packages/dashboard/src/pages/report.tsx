import { useState } from 'react';
import type { Project } from '../api.js';
import { DownloadLink } from '../components/download-link.js';
import { ErrorNote, Field, Loading } from '../components/ui.js';
import { formatMoney } from '../format.js';
import { label, type MessageKey, useI18n } from '../i18n.js';
import type { Metrics, Report } from '../report-series.js';
import { useSession } from '../session.js';
import { useAsync } from '../use-async.js';
import { ReportCharts } from './report-charts.js';

const GROUPINGS = [
  'channel',
  'source_medium',
  'ad_network',
  'campaign',
  'keyword',
  'landing_page',
  'device',
  'static_channel',
  'day',
  'week',
  'month',
];

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The end-to-end report: grouping, dates and model pickers, charts by channel, the table, CSV export. */
export function ReportPage({ project }: { project: Project }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [q, setQ] = useState({
    groupBy: 'channel',
    model: 'last_non_direct_click',
    from: isoDay(Date.now() - 29 * 86_400_000),
    to: isoDay(Date.now()),
  });
  const url = `/api/v1/projects/${project.id}/reports`;
  const report = useAsync(() => api.get<Report>(url, q), [api, url, q.groupBy, q.model, q.from, q.to]);
  const set = (k: keyof typeof q) => (e: { target: { value: string } }) =>
    setQ((prev) => ({ ...prev, [k]: e.target.value }));
  const money = (n: number | null) =>
    n === null ? '—' : formatMoney(n, report.data?.currency ?? project.currency, locale);
  const pct = (n: number | null) => (n === null ? '—' : `${Math.round(n)}%`);
  const cells = (m: Metrics) => [
    m.visits,
    m.calls,
    m.targetCalls,
    m.leads,
    m.wonDeals,
    money(m.revenue),
    money(m.spend),
    money(m.profit),
    money(m.cpl),
    pct(m.romi),
    pct(m.avgConfidence),
  ];
  const heads: MessageKey[] = [
    'visits',
    'calls',
    'target',
    'leads',
    'deals',
    'revenue',
    'spend',
    'profit',
    'cpl',
    'romi',
    'confidence',
  ];
  const rowLabel = (r: Report['rows'][number]) =>
    r.kind === 'unattributed'
      ? t('unattributed')
      : r.kind === 'unallocated_spend'
        ? t('unallocatedSpend')
        : q.groupBy === 'channel'
          ? label(t, 'ch_', r.key.channel)
          : r.label;
  const csv = `${url}/csv?${new URLSearchParams(q).toString()}`;

  return (
    <>
      <h1>{t('reportTitle')}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('reportTitle')}>
        <Field label={t('groupBy')}>
          {(p) => (
            <select {...p} value={q.groupBy} onChange={set('groupBy')}>
              {GROUPINGS.map((g) => (
                <option key={g} value={g}>
                  {t(`g_${g}` as MessageKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('model')}>
          {(p) => (
            <select {...p} value={q.model} onChange={set('model')}>
              <option value="last_non_direct_click">{t('lastNonDirect')}</option>
              <option value="first_click">{t('firstClick')}</option>
            </select>
          )}
        </Field>
        <Field label={t('from')}>
          {(p) => <input {...p} type="date" value={q.from} onChange={set('from')} />}
        </Field>
        <Field label={t('to')}>{(p) => <input {...p} type="date" value={q.to} onChange={set('to')} />}</Field>
        <DownloadLink href={csv} filename={`report-${q.groupBy}-${q.from}-${q.to}.csv`}>
          {t('downloadCsv')}
        </DownloadLink>
      </form>
      <ReportCharts
        project={project}
        url={url}
        query={q}
        {...(q.groupBy === 'channel' && report.data ? { channelReport: report.data } : {})}
      />
      {report.loading && !report.data && <Loading />}
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.data && (
        <div className="table-wrap">
          <table className="table" aria-label={t('reportTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('groupBy')}</th>
                {heads.map((h) => (
                  <th key={h} scope="col" className="num">
                    {t(h)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {report.data.rows.length === 0 && (
                <tr>
                  <td colSpan={heads.length + 1} className="muted">
                    {t('noData')}
                  </td>
                </tr>
              )}
              {report.data.rows.map((r) => (
                <tr key={`${r.kind}:${r.label}`}>
                  <th scope="row">{rowLabel(r)}</th>
                  {cells(r).map((c, i) => (
                    <td key={heads[i]} className="num">
                      {c}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('total')}</th>
                {cells(report.data.totals).map((c, i) => (
                  <td key={heads[i]} className="num">
                    <strong>{c}</strong>
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </>
  );
}
