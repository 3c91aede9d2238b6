/** Money is stored as integer minor units (kopecks, cents): no float rounding ever reaches a report. */

const fractionDigitsCache = new Map<string, number>();

export function currencyDigits(currency: string): number {
  let digits = fractionDigitsCache.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    fractionDigitsCache.set(currency, digits);
  }
  return digits;
}

/** `"1 234,50"`, `"1234.5"` or `1234.5` → minor units; undefined when it is not an amount. */
export function toMinorUnits(amount: string | number, currency: string): number | undefined {
  const text =
    typeof amount === 'number' ? String(amount) : amount.replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const digits = currencyDigits(currency);
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  if (fraction.length > digits && /[1-9]/.test(fraction.slice(digits))) return undefined;
  const minor =
    Number(whole) * 10 ** digits + Number((fraction + '0'.repeat(digits)).slice(0, digits) || '0');
  if (!Number.isSafeInteger(minor)) return undefined;
  return text.startsWith('-') ? -minor : minor;
}

export const fromMinorUnits = (minor: number, currency: string): number =>
  minor / 10 ** currencyDigits(currency);
