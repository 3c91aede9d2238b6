// Two small SVG charts, drawn by hand: the report needs stacked bars over time and one horizontal bar per
// channel, which is little code, and a chart library would add more to the bundle than the whole dashboard.
// Each chart is an image with a title and a text summary for screen readers, and the same figures as a table.
import { type ReactNode, useId } from 'react';
import { useI18n } from '../i18n.js';

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
  values: number[];
}

/** Round steps (1, 2, 5 × 10ⁿ) from 0 to at least `max`. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let v = 0; v < max + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks[ticks.length - 1] ?? 0) < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

function DataTable({
  caption,
  head,
  rows,
}: {
  caption: string;
  head: string[];
  rows: { key: string; cells: ReactNode[] }[];
}) {
  const { t } = useI18n();
  return (
    <details className="chart-data">
      <summary>{t('chartAsTable')}</summary>
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">{caption}</caption>
          <thead>
            <tr>
              {head.map((h, i) => (
                <th key={h} scope="col" className={i > 0 ? 'num' : undefined}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                {r.cells.map((c, i) =>
                  i === 0 ? (
                    // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                    <th key={i} scope="row">
                      {c}
                    </th>
                  ) : (
                    // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                    <td key={i} className="num">
                      {c}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function Legend({ series }: { series: { key: string; label: string; color: string }[] }) {
  return (
    <ul className="legend" aria-hidden="true">
      {series.map((s) => (
        <li key={s.key}>
          <span className="swatch" style={{ background: s.color }} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

// Drawing units: about the size the charts are shown at (two per row), so that 12-unit text reads as ~12 px.
const W = 560;
const H = 220;
const PAD = { top: 12, right: 8, bottom: 26, left: 40 };
/** Average width of one character of 12-unit text, to make room for labels. */
const CHAR_W = 6.6;
const BAR_W = 720;

/** Bars over time, one segment per series, stacked. */
export function StackedBarChart({
  title,
  categories,
  series,
  format,
  summary,
}: {
  title: string;
  categories: string[];
  series: ChartSeries[];
  format: (value: number) => string;
  summary: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks[ticks.length - 1] ?? 1;
  // Room for the longest value label on the left; x labels only as often as they fit side by side.
  const left = Math.max(PAD.left, 10 + CHAR_W * Math.max(...ticks.map((v) => format(v).length)));
  const plotW = W - left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, categories.length);
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const y = (v: number) => PAD.top + plotH - (plotH * v) / top;
  const widest = Math.max(1, ...categories.map((c) => c.length)) * CHAR_W + 10;
  const labelEvery = Math.max(1, Math.ceil(widest / slot));
  return (
    <figure className="chart">
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {series.length === 0 ? (
        <p className="muted">{t('noData')}</p>
      ) : (
        <>
          <svg
            viewBox={`0 0 ${W} ${H}`}
            role="img"
            aria-labelledby={`${id}-svg-title ${id}-desc`}
            preserveAspectRatio="xMidYMid meet"
          >
            <title id={`${id}-svg-title`}>{title}</title>
            <desc id={`${id}-desc`}>{summary}</desc>
            {ticks.map((v) => (
              <g key={v} className="tick">
                <line x1={left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
                <text x={left - 6} y={y(v)} dy="0.32em" textAnchor="end">
                  {format(v)}
                </text>
              </g>
            ))}
            {categories.map((c, i) => {
              let base = 0;
              const x = left + i * slot + (slot - barW) / 2;
              return (
                <g key={c} data-category={c}>
                  {series.map((s) => {
                    const v = s.values[i] ?? 0;
                    if (v <= 0) return null;
                    const rect = (
                      <rect
                        key={s.key}
                        x={x}
                        y={y(base + v)}
                        width={barW}
                        height={y(base) - y(base + v)}
                        fill={s.color}
                        data-series={s.key}
                        data-value={v}
                      >
                        <title>{`${c} · ${s.label}: ${format(v)}`}</title>
                      </rect>
                    );
                    base += v;
                    return rect;
                  })}
                  {i % labelEvery === 0 && (
                    <text className="axis" x={x + barW / 2} y={H - PAD.bottom + 16} textAnchor="middle">
                      {c}
                    </text>
                  )}
                </g>
              );
            })}
          </svg>
          <Legend series={series} />
          <DataTable
            caption={title}
            head={[t('period'), ...series.map((s) => s.label), t('total')]}
            rows={categories.map((c, i) => ({
              key: c,
              cells: [c, ...series.map((s) => format(s.values[i] ?? 0)), format(totals[i] ?? 0)],
            }))}
          />
        </>
      )}
    </figure>
  );
}

/** One horizontal bar per item from a zero line: positive to the right, negative to the left. */
export function HorizontalBarChart({
  title,
  items,
  format,
  summary,
  empty,
}: {
  title: string;
  items: { key: string; label: string; value: number }[];
  format: (value: number) => string;
  summary: string;
  empty: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const rowH = 28;
  const labelW = 170;
  const valueW = 64;
  const height = items.length * rowH + 8;
  const max = Math.max(0, ...items.map((i) => i.value));
  const min = Math.min(0, ...items.map((i) => i.value));
  const span = max - min || 1;
  const plotW = BAR_W - labelW - valueW * 2;
  const x = (v: number) => labelW + valueW + (plotW * (v - min)) / span;
  return (
    <figure className="chart bars">
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {items.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <>
          <svg viewBox={`0 0 ${BAR_W} ${height}`} role="img" aria-labelledby={`${id}-svg-title ${id}-desc`}>
            <title id={`${id}-svg-title`}>{title}</title>
            <desc id={`${id}-desc`}>{summary}</desc>
            <line className="zero" x1={x(0)} x2={x(0)} y1={0} y2={height} />
            {items.map((item, i) => {
              const y0 = 4 + i * rowH;
              const left = Math.min(x(0), x(item.value));
              const width = Math.abs(x(item.value) - x(0));
              const negative = item.value < 0;
              return (
                <g key={item.key} data-item={item.key}>
                  <text className="axis" x={labelW - 8} y={y0 + rowH / 2} dy="0.32em" textAnchor="end">
                    {item.label}
                  </text>
                  <rect
                    x={left}
                    y={y0 + 4}
                    width={Math.max(1, width)}
                    height={rowH - 8}
                    className={negative ? 'bar-negative' : 'bar-positive'}
                    data-value={item.value}
                  >
                    <title>{`${item.label}: ${format(item.value)}`}</title>
                  </rect>
                  <text
                    className="value"
                    x={negative ? left - 6 : left + width + 6}
                    y={y0 + rowH / 2}
                    dy="0.32em"
                    textAnchor={negative ? 'end' : 'start'}
                  >
                    {format(item.value)}
                  </text>
                </g>
              );
            })}
          </svg>
          <DataTable
            caption={title}
            head={[t('channel'), title]}
            rows={items.map((i) => ({ key: i.key, cells: [i.label, format(i.value)] }))}
          />
        </>
      )}
    </figure>
  );
}
