import { type CountryCode, parsePhoneNumberWithError } from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * Any printed form of a number (`8 (495) 123-45-67`, `+1 555 123 4567`, `tel:+7…`) → E.164, read in the given
 * default country when it has no international prefix. Only numbers valid in their numbering plan pass.
 */
export function normalizePhone(input: string, defaultCountry: string): PhoneResult {
  const text = input.trim().replace(/^tel:/i, '');
  if (text === '') return { ok: false, reason: 'empty number' };
  if (text.length > 40) return { ok: false, reason: 'too long to be a phone number' };
  if (/[^\d\s()+\-.\u00a0]/.test(text)) return { ok: false, reason: 'contains characters other than digits' };
  try {
    const parsed = parsePhoneNumberWithError(text, defaultCountry as CountryCode);
    if (!parsed.isValid()) return { ok: false, reason: 'not a valid number in its numbering plan' };
    return { ok: true, e164: parsed.number };
  } catch (error) {
    return {
      ok: false,
      reason: `cannot parse: ${error instanceof Error ? error.message.toLowerCase() : 'unknown'}`,
    };
  }
}

/** A SIP URI that a call can be forwarded to: `sip:user@host[:port][;params]`. */
export function isSipUri(value: string): boolean {
  return /^sips?:[^\s@:;]+@[A-Za-z0-9.-]+(:\d{1,5})?(;[^\s]*)?$/.test(value) && value.length <= 255;
}

/** The country calling code of an E.164 number (`+74951234567` → `7`), or undefined when it cannot be read. */
export function callingCode(e164: string): string | undefined {
  try {
    return parsePhoneNumberWithError(e164).countryCallingCode;
  } catch {
    return undefined;
  }
}
