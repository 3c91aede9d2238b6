import { parse } from 'csv-parse/sync';
import { toMinorUnits } from '../../money.js';
import { normalizePhone } from './phone.js';

/** One row as the user wrote it, from a CSV line or a JSON array element. */
export interface ImportRowInput {
  number: string;
  label?: string;
  provider?: string;
  providerRef?: string;
  monthlyCost?: string | number;
  status?: string;
}

export interface ImportRow {
  e164: string;
  label: string;
  provider: string;
  providerRef: string | null;
  monthlyCostMinor: number;
  status: 'active' | 'inactive';
}

export type ImportProblemCode =
  | 'invalid_number'
  | 'invalid_cost'
  | 'invalid_status'
  | 'duplicate_row'
  | 'number_taken';

export interface ImportProblem {
  /** 1-based: the CSV line (header = line 1) or the array position + 1. */
  row: number;
  input: string;
  code: ImportProblemCode;
  reason: string;
}

export const MAX_IMPORT_ROWS = 10_000;

const CSV_COLUMNS: Record<string, keyof ImportRowInput> = {
  number: 'number',
  phone: 'number',
  e164: 'number',
  label: 'label',
  provider: 'provider',
  provider_ref: 'providerRef',
  monthly_cost: 'monthlyCost',
  status: 'status',
};

export class ImportFormatError extends Error {}

/**
 * Reads a CSV of numbers. A header row names the columns (number, label, provider, provider_ref, monthly_cost,
 * status); a file whose first cell is already a phone number is read as a bare list, one number per line.
 * Returns the rows with their line numbers.
 */
export function parseNumbersCsv(text: string): { line: number; input: ImportRowInput }[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      delimiter: detectDelimiter(text),
      info: true,
    }) as unknown as typeof records;
  } catch (error) {
    throw new ImportFormatError(
      `not a readable CSV: ${error instanceof Error ? error.message : 'parse error'}`,
    );
  }
  if (records.length === 0) throw new ImportFormatError('the file has no rows');
  const first = records[0]?.record ?? [];
  const hasHeader = !/^[\d\s()+\-.]{5,}$/.test(first[0] ?? '');
  const columns: (keyof ImportRowInput)[] = hasHeader
    ? first.map((name) => {
        const column = CSV_COLUMNS[name.toLowerCase().replace(/[\s-]/g, '_')];
        if (!column) {
          throw new ImportFormatError(
            `unknown column "${name}"; known: ${Object.keys(CSV_COLUMNS).join(', ')}`,
          );
        }
        return column;
      })
    : ['number'];
  if (!columns.includes('number')) throw new ImportFormatError('the header has no "number" column');
  const body = hasHeader ? records.slice(1) : records;
  if (body.length > MAX_IMPORT_ROWS) throw new ImportFormatError(`more than ${MAX_IMPORT_ROWS} rows`);
  // `info.lines` is the file line where the record ends, so blank lines and quoted newlines count right.
  return body.map(({ record: cells, info }) => {
    const input: Partial<Record<keyof ImportRowInput, string>> = {};
    columns.forEach((column, i) => {
      const cell = cells[i];
      if (cell !== undefined && cell !== '') input[column] = cell;
    });
    return { line: info.lines, input: { number: '', ...input } };
  });
}
/**
 * Excel in Russian locales writes `;` with decimal commas, elsewhere `,`; some tools write tabs. The first line's
 * most frequent candidate decides, so that "300,50" stays one cell in a `;` file.
 */
function detectDelimiter(text: string): string {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  const counts = [';', '\t', ','].map((d) => [d, firstLine.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}

/** Validates rows one by one; every bad row gets a reason, good rows come back normalised. */
export function validateImportRows(
  rows: readonly { line: number; input: ImportRowInput }[],
  ctx: { country: string; currency: string },
): { valid: (ImportRow & { line: number })[]; problems: ImportProblem[] } {
  const valid: (ImportRow & { line: number })[] = [];
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  for (const { line, input } of rows) {
    const problem = (code: ImportProblemCode, reason: string) =>
      problems.push({ row: line, input: input.number, code, reason });
    const phone = normalizePhone(String(input.number ?? ''), ctx.country);
    if (!phone.ok) {
      problem('invalid_number', phone.reason);
      continue;
    }
    const earlier = seen.get(phone.e164);
    if (earlier !== undefined) {
      problem('duplicate_row', `same number as row ${earlier}`);
      continue;
    }
    seen.set(phone.e164, line);
    const cost = input.monthlyCost === undefined ? 0 : toMinorUnits(input.monthlyCost, ctx.currency);
    if (cost === undefined || cost < 0) {
      problem('invalid_cost', `monthly cost "${input.monthlyCost}" is not a non-negative amount`);
      continue;
    }
    const status = input.status ?? 'active';
    if (status !== 'active' && status !== 'inactive') {
      problem('invalid_status', `status must be active or inactive, got "${status}"`);
      continue;
    }
    valid.push({
      line,
      e164: phone.e164,
      label: (input.label ?? '').slice(0, 200),
      provider: (input.provider ?? 'other').slice(0, 50),
      providerRef: input.providerRef?.slice(0, 200) ?? null,
      monthlyCostMinor: cost,
      status,
    });
  }
  return { valid, problems };
}
