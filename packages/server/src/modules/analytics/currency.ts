import { currencyDigits } from '../../money.js';

/** "92.5", "92,5" or 92.5 → "92.5"; undefined unless a positive decimal. */
export function parseRate(rate: number | string): string | undefined {
  const text = String(rate).trim().replace(',', '.');
  if (!/^\d+(\.\d{1,12})?$/.test(text) || Number(text) <= 0 || !Number.isFinite(Number(text)))
    return undefined;
  return text;
}

/** Rates to the project currency: 1 unit of the key currency = value units of the project currency. */
export type RateTable = ReadonlyMap<string, number>;

export class MissingRateError extends Error {
  constructor(readonly currencies: string[]) {
    super(`no rate to the project currency for ${currencies.join(', ')}`);
  }
}

/**
 * Converts per-currency sums of minor units to the project currency's minor units. Sums are converted once per
 * report row (not per stored row), so rounding happens once per row.
 */
export function convertSums(
  sums: ReadonlyMap<string, number>,
  projectCurrency: string,
  rates: RateTable,
  missing: Set<string>,
): number {
  let total = 0;
  const target = currencyDigits(projectCurrency);
  for (const [currency, minor] of sums) {
    if (currency === projectCurrency) {
      total += minor;
      continue;
    }
    const rate = rates.get(currency);
    if (rate === undefined) {
      if (minor !== 0) missing.add(currency);
      continue;
    }
    total += Math.round((minor / 10 ** currencyDigits(currency)) * rate * 10 ** target);
  }
  return total;
}
