// Small local formatters: phone numbers (E.164 in, the way people write them out), money and times.

/** Country codes of three digits (ITU zones 2–9 where two digits are not enough); +1 and +7 are handled above. */
const THREE_DIGIT_CC = /^(2[1-689]|3[578]|42|5[09]|6[789]|8[0578]|9[679])/;

/** `+74951234567` → `+7 (495) 123-45-67`; `+78001234567` → `8 800 123-45-67`; `+15551234567` → `+1 (555) 123-4567`. */
export function formatPhone(e164: string | null | undefined): string {
  if (!e164) return '';
  const digits = e164.replace(/[^\d]/g, '');
  const ru = /^7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(digits);
  if (ru) {
    const [, area, a, b, c] = ru;
    return area === '800' ? `8 800 ${a}-${b}-${c}` : `+7 (${area}) ${a}-${b}-${c}`;
  }
  const nanp = /^1(\d{3})(\d{3})(\d{4})$/.exec(digits);
  if (nanp) return `+1 (${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  // Elsewhere: the country code apart, the rest in groups of three or four.
  if (!/^\+\d{8,15}$/.test(e164)) return e164;
  const cc = digits.slice(0, THREE_DIGIT_CC.test(digits) ? 3 : 2);
  const rest = digits.slice(cc.length);
  const groups: string[] = [];
  for (let i = 0; i < rest.length; ) {
    const size = rest.length - i === 4 ? 4 : Math.min(3, rest.length - i);
    groups.push(rest.slice(i, i + size));
    i += size;
  }
  return `+${cc} ${groups.join(' ')}`;
}

/** What a user typed for a phone number, as the E.164 the API accepts (the API normalises again). */
export function toE164(input: string, country = 'RU'): string {
  const digits = input.replace(/[^\d]/g, '');
  if (input.trim().startsWith('+')) return `+${digits}`;
  if (country === 'RU' && digits.length === 11 && (digits[0] === '8' || digits[0] === '7'))
    return `+7${digits.slice(1)}`;
  if (country === 'RU' && digits.length === 10) return `+7${digits}`;
  return input.trim();
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** An amount in major units with the currency's symbol: `1 500 ₽`, `$1,500.00`. */
export function formatMoney(amount: number, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      currencyDisplay: 'narrowSymbol',
      maximumFractionDigits: Number.isInteger(amount) ? 0 : 2,
    });
    moneyFormats.set(key, format);
  }
  return format.format(amount);
}

export function formatDateTime(ms: number, locale: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'short',
    timeStyle: 'medium',
    ...(timeZone ? { timeZone } : {}),
  }).format(ms);
}

/** Seconds as `m:ss` (or `h:mm:ss`). */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A time of day, `14:05`, in the project's time zone. */
export function formatTime(ms: number, locale: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  }).format(ms);
}
