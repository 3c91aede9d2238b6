import { parse } from 'csv-parse/sync';
import { toMinorUnits } from '../../money.js';
import { isValidCurrency } from '../projects/project.js';
import { isIsoDate } from './report-time.js';

/** One spend row as the user wrote it (a CSV line or a JSON array element). */
export interface SpendRowInput {
  date?: string;
  campaign?: string;
  adGroup?: string;
  ad?: string;
  keyword?: string;
  impressions?: string | number;
  clicks?: string | number;
  cost?: string | number;
  currency?: string;
}

export interface SpendRow {
  line: number;
  day: string;
  campaign: string | null;
  adGroup: string | null;
  ad: string | null;
  keyword: string | null;
  impressions: number;
  clicks: number;
  costMinor: number;
  currency: string;
}

export interface SpendProblem {
  /** The CSV line (header line counted) or the array position + 1. */
  line: number;
  column: string;
  reason: string;
}

export const MAX_SPEND_ROWS = 200_000;

type Field = keyof SpendRowInput | 'campaignId' | 'adGroupId';

/**
 * Column headers as Yandex Direct (Reports API field names and the web report's Russian headers), Google Ads
 * (report downloads in English and Russian) and VK Ads export them, normalised: lower case, single spaces, a
 * trailing currency note like "(руб.)" removed. See docs/analytics.md for which of these are confirmed.
 */
const HEADERS: Record<string, Field> = {};
const define = (field: Field, names: string[]) => {
  for (const name of names) HEADERS[name] = field;
};
define('date', ['date', 'day', 'дата', 'день', 'date_from']);
define('campaign', [
  'campaign',
  'campaignname',
  'campaign name',
  'кампания',
  'название кампании',
  'campaign_name',
]);
define('campaignId', ['campaignid', 'campaign id', '№ кампании', 'id кампании', 'campaign_id']);
define('adGroup', [
  'ad group',
  'adgroupname',
  'ad group name',
  'группа',
  'группа объявлений',
  'название группы',
]);
define('adGroupId', ['adgroupid', 'ad group id', '№ группы', 'id группы', 'ad_group_id']);
define('ad', [
  'ad',
  'adid',
  'ad id',
  '№ объявления',
  'объявление',
  'id объявления',
  'ad name',
  'banner',
  'баннер',
]);
define('keyword', [
  'keyword',
  'criterion',
  'criteria',
  'search keyword',
  'ключевое слово',
  'ключевая фраза',
  'условие показа',
  'фраза',
]);
define('impressions', ['impressions', 'impr.', 'impr', 'показы', 'показов', 'shows']);
define('clicks', ['clicks', 'клики', 'кликов', 'переходы']);
define('cost', [
  'cost',
  'расход',
  'стоимость',
  'spent',
  'amount',
  'потрачено',
  'затраты',
  'spend',
  'списано',
]);
define('currency', ['currency', 'currency code', 'currencycode', 'код валюты', 'валюта', 'account currency']);

/** Columns that real exports carry beside the ones we read; accepted and left unread. */
const IGNORED = new Set([
  'ctr',
  'ctr (%)',
  'avg. cpc',
  'avgcpc',
  'avg. cpm',
  'ср. цена клика',
  'средняя цена клика',
  'ср. цена за клик',
  'conversions',
  'conv. rate',
  'cost / conv.',
  'конверсии',
  'конверсия (%)',
  'цена цели',
  'status',
  'статус',
  'campaign status',
  'ad group status',
  'match type',
  'тип соответствия',
  'account',
  'аккаунт',
  'avg. position',
  'cpm',
  'cpc',
  'reach',
  'охват',
  'bounce rate',
  'отказы (%)',
  'ecpm',
]);

export class SpendFormatError extends Error {
  constructor(
    message: string,
    readonly problems: SpendProblem[] = [],
  ) {
    super(message);
  }
}

const normalizeHeader = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*\((руб\.?|rub|usd|eur|kzt|byn|₽|\$|€)\)$/i, '')
    .trim();

/** The currency an export names in a header like "Расход (руб.)" or "Cost (USD)". */
function headerCurrency(h: string): string | undefined {
  const m = /\((руб\.?|rub|usd|eur|kzt|byn|₽|\$|€)\)\s*$/i.exec(h.trim());
  if (!m?.[1]) return undefined;
  const code = m[1].toLowerCase();
  if (code.startsWith('руб') || code === 'rub' || code === '₽') return 'RUB';
  if (code === '$') return 'USD';
  if (code === '€') return 'EUR';
  return code.toUpperCase();
}

/** Report titles and date lines come before the header; totals lines come after the data. */
const TOTAL_ROW = /^(total|итого|всего)(?=$|[\s:.,])/i;

/**
 * Reads an ad platform's CSV/TSV export: finds the header line (skipping the report title lines Google Ads and
 * Yandex Direct put above it), maps the columns, and returns one input per data line with its file line number.
 * A column it does not know refuses the file (a typo must not silently drop the cost).
 */
export function parseSpendCsv(text: string): {
  rows: { line: number; input: SpendRowInput }[];
  currencyHint: string | undefined;
} {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      delimiter: detectDelimiter(text),
      info: true,
    }) as unknown as typeof records;
  } catch (error) {
    throw new SpendFormatError(
      `not a readable CSV: ${error instanceof Error ? error.message : 'parse error'}`,
    );
  }
  const headerIndex = records.slice(0, 10).findIndex(({ record }) => {
    const fields = record.map((h) => HEADERS[normalizeHeader(h)]);
    return fields.includes('date') && fields.includes('cost');
  });
  if (headerIndex === -1) {
    throw new SpendFormatError(
      'no header line with a date and a cost column in the first 10 lines (e.g. "Date,Campaign,Cost" or "Дата;Кампания;Расход")',
      [{ line: records[0]?.info.lines ?? 1, column: '', reason: 'no header with date and cost columns' }],
    );
  }
  const header = records[headerIndex] as { record: string[]; info: { lines: number } };
  let currencyHint: string | undefined;
  const problems: SpendProblem[] = [];
  const seen = new Set<Field>();
  const columns: (Field | undefined)[] = header.record.map((raw) => {
    const name = normalizeHeader(raw);
    const field = HEADERS[name];
    if (field === 'cost') currencyHint = headerCurrency(raw);
    if (field === undefined) {
      if (!IGNORED.has(name) && name !== '')
        problems.push({ line: header.info.lines, column: raw, reason: `unknown column "${raw}"` });
      return undefined;
    }
    if (seen.has(field)) {
      problems.push({ line: header.info.lines, column: raw, reason: `second column for ${field}` });
      return undefined;
    }
    seen.add(field);
    return field;
  });
  if (problems.length > 0)
    throw new SpendFormatError('the header has columns this import does not know', problems);
  const body = records.slice(headerIndex + 1).filter(({ record }) => !TOTAL_ROW.test(record[0] ?? ''));
  if (body.length > MAX_SPEND_ROWS) throw new SpendFormatError(`more than ${MAX_SPEND_ROWS} rows`);
  const rows = body.map(({ record, info }) => {
    const cells: Partial<Record<Field, string>> = {};
    columns.forEach((field, i) => {
      const cell = record[i];
      if (field && cell !== undefined && cell !== '' && cell !== '--') cells[field] = cell;
    });
    const input: SpendRowInput = {
      date: cells.date,
      campaign: cells.campaign ?? cells.campaignId,
      adGroup: cells.adGroup ?? cells.adGroupId,
      ad: cells.ad,
      keyword: cells.keyword,
      impressions: cells.impressions,
      clicks: cells.clicks,
      cost: cells.cost,
      currency: cells.currency,
    };
    return { line: info.lines, input };
  });
  return { rows, currencyHint };
}

/** The delimiter most used on the busiest of the first lines (title lines above the header have none). */
function detectDelimiter(text: string): string {
  const lines = text.split('\n', 10);
  let best: [string, number] = [',', 0];
  for (const d of ['\t', ';', ',']) {
    const count = Math.max(...lines.map((l) => l.split(d).length - 1));
    if (count > best[1]) best = [d, count];
  }
  return best[0];
}

/** "1 234", "1,234" → 1234; "--" or empty → 0. */
function parseCount(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return 0;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const text = value.replace(/[\s\u00a0,]/g, '');
  return /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined;
}

/** "1 234,56" (Russian), "1,234.56" (English) or "1234.56" → the amount as "1234.56". */
export function normalizeAmount(value: string | number): string | number {
  if (typeof value === 'number') return value;
  let text = value.replace(/[\s\u00a0]/g, '').replace(/^(₽|\$|€)|(₽|руб\.?|\$|€)$/g, '');
  if (text.includes(',') && text.includes('.')) text = text.replace(/,/g, '');
  else if (/,\d{3},/.test(text)) text = text.replace(/,/g, '');
  return text.replace(',', '.');
}

/** "2026-03-01", "01.03.2026" or "01.03.26" → "2026-03-01"; undefined when it is not a calendar date. */
export function parseDay(value: string): string | undefined {
  const text = value.trim();
  let day: string | undefined;
  const iso = /^(\d{4})[-/.](\d{2})[-/.](\d{2})$/.exec(text);
  const ru = /^(\d{2})\.(\d{2})\.(\d{2}|\d{4})$/.exec(text);
  if (iso) day = `${iso[1]}-${iso[2]}-${iso[3]}`;
  else if (ru) day = `${(ru[3] ?? '').length === 2 ? `20${ru[3]}` : ru[3]}-${ru[2]}-${ru[1]}`;
  return day && isIsoDate(day) ? day : undefined;
}

const clip = (value: string | undefined) => {
  const text = value?.trim();
  return text ? text.slice(0, 500) : null;
};

/** Checks every row; any problem refuses the whole import, and the answer lists every problem with its line. */
export function validateSpendRows(
  rows: readonly { line: number; input: SpendRowInput }[],
  defaultCurrency: string,
): { valid: SpendRow[]; problems: SpendProblem[] } {
  const valid: SpendRow[] = [];
  const problems: SpendProblem[] = [];
  for (const { line, input } of rows) {
    const problem = (column: string, reason: string) => problems.push({ line, column, reason });
    const day = input.date === undefined ? undefined : parseDay(String(input.date));
    if (!day) {
      problem('date', `"${input.date ?? ''}" is not a date (YYYY-MM-DD or DD.MM.YYYY)`);
      continue;
    }
    const currency = (input.currency ?? defaultCurrency).trim().toUpperCase();
    if (!isValidCurrency(currency)) {
      problem('currency', `"${input.currency}" is not an ISO 4217 currency code`);
      continue;
    }
    const cost = input.cost === undefined ? undefined : toMinorUnits(normalizeAmount(input.cost), currency);
    if (cost === undefined) {
      problem('cost', `"${input.cost ?? ''}" is not an amount`);
      continue;
    }
    if (cost < 0) {
      problem('cost', `negative cost ${input.cost}`);
      continue;
    }
    const impressions = parseCount(input.impressions);
    const clicks = parseCount(input.clicks);
    if (impressions === undefined) {
      problem('impressions', `"${input.impressions}" is not a whole non-negative number`);
      continue;
    }
    if (clicks === undefined) {
      problem('clicks', `"${input.clicks}" is not a whole non-negative number`);
      continue;
    }
    valid.push({
      line,
      day,
      campaign: clip(input.campaign),
      adGroup: clip(input.adGroup),
      ad: clip(input.ad),
      keyword: clip(input.keyword),
      impressions,
      clicks,
      costMinor: cost,
      currency,
    });
  }
  return { valid, problems };
}
