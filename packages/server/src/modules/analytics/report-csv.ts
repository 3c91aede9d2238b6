import type { Report } from './report.service.js';

const COLUMNS = [
  'visits',
  'calls',
  'uniqueCallers',
  'targetCalls',
  'missedCalls',
  'leads',
  'deals',
  'wonDeals',
  'wonDealsFromCalls',
  'revenue',
  'revenueFromCalls',
  'spend',
  'profit',
  'cpl',
  'costPerTargetCall',
  'callConversionRate',
  'romi',
  'avgConfidence',
] as const;

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote what needs it, and defuse spreadsheet formulas in names that came from ad platforms or URLs.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The report as CSV: one line per row, then a totals line; the header names the model and the currency. */
export function reportCsv(report: Report): string {
  const keyColumns = Object.keys(report.rows[0]?.key ?? {});
  const lines = [
    ['row', ...keyColumns, ...COLUMNS].join(','),
    ...report.rows.map((r) =>
      [
        cell(r.label),
        ...keyColumns.map((k) => cell(r.key[k as keyof typeof r.key])),
        ...COLUMNS.map((c) => cell(r[c])),
      ].join(','),
    ),
    [cell('(total)'), ...keyColumns.map(() => ''), ...COLUMNS.map((c) => cell(report.totals[c]))].join(','),
  ];
  return `${lines.join('\n')}\n`;
}
