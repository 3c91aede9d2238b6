import { describe, expect, it } from 'vitest';
import { formatDuration, formatMoney, formatPhone, toE164 } from './format.js';

describe('formatPhone', () => {
  it('writes Russian, toll-free and North American numbers the local way', () => {
    expect(formatPhone('+74951234567')).toBe('+7 (495) 123-45-67');
    expect(formatPhone('+79161234567')).toBe('+7 (916) 123-45-67');
    expect(formatPhone('+78001234567')).toBe('8 800 123-45-67');
    expect(formatPhone('+15551234567')).toBe('+1 (555) 123-4567');
  });
  it('groups other numbers and leaves what it cannot read alone', () => {
    expect(formatPhone('+442071234567')).toBe('+44 207 123 4567');
    expect(formatPhone('anonymous')).toBe('anonymous');
    expect(formatPhone(null)).toBe('');
  });
  it('reads local Russian input as E.164', () => {
    expect(toE164('8 (495) 123-45-67')).toBe('+74951234567');
    expect(toE164('+7 495 123 45 67')).toBe('+74951234567');
  });
});

describe('formatMoney and formatDuration', () => {
  it('shows roubles with ₽ in both languages', () => {
    expect(formatMoney(1500, 'RUB', 'ru-RU').replace(/\s/g, ' ')).toBe('1 500 ₽');
    expect(formatMoney(1500, 'RUB', 'en-GB')).toBe('₽1,500');
    expect(formatMoney(12.5, 'USD', 'en-GB')).toBe('$12.50');
  });
  it('writes seconds as m:ss', () => {
    expect(formatDuration(95)).toBe('1:35');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(null)).toBe('—');
  });
});
