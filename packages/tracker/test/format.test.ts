import { describe, expect, it } from 'vitest';
import { compileSwapper, type SwapRule, swapHref, swapParts, writeDigits } from '../src/format.js';

const RU: SwapRule = { from: '74951234567', to: '74957654321', cc: '7' };
const RU_800: SwapRule = { from: '78001234567', to: '78007654321', cc: '7' };
const US: SwapRule = { from: '15551234567', to: '15559876543', cc: '1' };
const UK: SwapRule = { from: '442071234567', to: '442079876543', cc: '44' };

const swap = compileSwapper([RU, RU_800, US, UK])!;
const NBSP = '\u00a0';

describe('compileSwapper: formats that are swapped digit for digit', () => {
  it.each([
    // Russia, country code
    ['+7 (495) 123-45-67', '+7 (495) 765-43-21'],
    ['+7 495 123 45 67', '+7 495 765 43 21'],
    ['+7 495 123-45-67', '+7 495 765-43-21'],
    ['+74951234567', '+74957654321'],
    ['+7(495)1234567', '+7(495)7654321'],
    ['7 (495) 123-45-67', '7 (495) 765-43-21'],
    ['+7-495-123-45-67', '+7-495-765-43-21'],
    ['+7.495.123.45.67', '+7.495.765.43.21'],
    ['007 495 123 45 67', '007 495 765 43 21'],
    // Russia, trunk prefix 8 (kept as 8)
    ['8 495 123-45-67', '8 495 765-43-21'],
    ['8 (495) 123-45-67', '8 (495) 765-43-21'],
    ['84951234567', '84957654321'],
    ['8-495-123-45-67', '8-495-765-43-21'],
    ['8 (495) 123 45 67', '8 (495) 765 43 21'],
    ['8 495 1234567', '8 495 7654321'],
    // Russia, national digits only
    ['(495) 123-45-67', '(495) 765-43-21'],
    ['495-123-45-67', '495-765-43-21'],
    ['4951234567', '4957654321'],
    // Russia, toll-free
    ['8-800-123-45-67', '8-800-765-43-21'],
    ['8 (800) 123-45-67', '8 (800) 765-43-21'],
    ['8 800 123 45 67', '8 800 765 43 21'],
    ['+7 800 123-45-67', '+7 800 765-43-21'],
    // Separators: NBSP, narrow NBSP, en dash, spaced dashes, line break
    [`8${NBSP}495${NBSP}123${NBSP}45${NBSP}67`, `8${NBSP}495${NBSP}765${NBSP}43${NBSP}21`],
    ['+7\u202f495\u202f123\u201145\u201167', '+7\u202f495\u202f765\u201143\u201121'],
    ['8\u2013495\u2013123\u201345\u201367', '8\u2013495\u2013765\u201343\u201321'],
    ['8 - 800 - 123 - 45 - 67', '8 - 800 - 765 - 43 - 21'],
    ['+7 (495)\n123-45-67', '+7 (495)\n765-43-21'],
    // NANP
    ['+1 (555) 123-4567', '+1 (555) 987-6543'],
    ['(555) 123-4567', '(555) 987-6543'],
    ['555.123.4567', '555.987.6543'],
    ['555-123-4567', '555-987-6543'],
    ['1-555-123-4567', '1-555-987-6543'],
    ['1 (555) 123-4567', '1 (555) 987-6543'],
    ['+15551234567', '+15559876543'],
    ['5551234567', '5559876543'],
    // Other countries: +cc and trunk 0
    ['+44 20 7123 4567', '+44 20 7987 6543'],
    ['020 7123 4567', '020 7987 6543'],
    // In running text, several times, next to punctuation
    ['Звоните: 8 (495) 123-45-67, пн–пт', 'Звоните: 8 (495) 765-43-21, пн–пт'],
    ['тел.+7(495)123-45-67.', 'тел.+7(495)765-43-21.'],
    ['8 495 123-45-67 или +7 495 123 45 67', '8 495 765-43-21 или +7 495 765 43 21'],
    ['+7 495 123-45-67 доб. 12', '+7 495 765-43-21 доб. 12'],
    ['+7 495 123-45-67 2 этаж', '+7 495 765-43-21 2 этаж'],
    ['(8 495) 123-45-67', '(8 495) 765-43-21'],
    ['Call 555.123.4567 or 8 800 123 45 67!', 'Call 555.987.6543 or 8 800 765 43 21!'],
  ])('%j → %j', (input, expected) => {
    expect(swap(input)).toBe(expected);
  });
});

describe('compileSwapper: text that must stay as it is', () => {
  it.each([
    ['inside a longer digit run (before)', '184951234567'],
    ['inside a longer digit run (after)', '849512345670'],
    ['inside a longer run, national form', '14951234567890'],
    ['glued by a dash to more digits', '4951234567-89'],
    ['glued by a dot to more digits', '1.84951234567'],
    ['an order id that contains the number', 'Заказ №9984951234567'],
    ['a different number', '8 495 123-45-68'],
    ['one digit short', '8 495 123-45-6'],
    ['local part only', '123-45-67'],
    ['one piece of a split number', '+7 (495)'],
    ['the to-number itself', '+7 495 765-43-21'],
    ['digits split by letters', '8a495b1234567'],
    ['digits split by a slash', '8/495/123/45/67'],
    ['plain prose', 'Работаем с 9:00 до 18:00, 7 дней в неделю'],
    ['empty', ''],
  ])('%s: %j', (_name, input) => {
    expect(swap(input)).toBe(input);
  });
});

describe('compileSwapper: rules', () => {
  it('returns undefined when no rule is usable', () => {
    expect(compileSwapper([])).toBeUndefined();
    expect(compileSwapper([{ from: '74951234567', to: '74951234567', cc: '7' }])).toBeUndefined();
    expect(compileSwapper([{ from: '12345', to: '54321' }])).toBeUndefined();
    expect(compileSwapper([{ from: '7495abc4567', to: '74957654321', cc: '7' }])).toBeUndefined();
  });

  it('ignores a wrong country code and still matches the full digits', () => {
    const swapper = compileSwapper([{ from: '74951234567', to: '74957654321', cc: '44' }])!;
    expect(swapper('+7 495 123-45-67')).toBe('+7 495 765-43-21');
    expect(swapper('8 495 123-45-67')).toBe('8 495 123-45-67');
  });

  it('works without cc on the full digits only', () => {
    const swapper = compileSwapper([{ from: '74951234567', to: '74957654321' }])!;
    expect(swapper('+7 (495) 123-45-67')).toBe('+7 (495) 765-43-21');
    expect(swapper('00 7 495 123 45 67')).toBe('00 7 495 765 43 21');
    expect(swapper('8 495 123-45-67')).toBe('8 495 123-45-67');
  });

  it('survives values of the wrong type from the network', () => {
    const rules = [{ from: 74951234567, to: 74957654321, cc: 7 }] as unknown as SwapRule[];
    expect(compileSwapper(rules)!('8 495 123-45-67')).toBe('8 495 765-43-21');
  });

  it('handles a target of another length', () => {
    const swapper = compileSwapper([{ from: '74951234567', to: '749576543210', cc: '7' }])!;
    expect(swapper('8 (495) 123-45-67')).toBe('8 (495) 765-43-210');
  });

  it('is idempotent: a swapped text does not change again', () => {
    const once = swap('+7 (495) 123-45-67');
    expect(swap(once)).toBe(once);
  });

  it.each([
    // Glued on both sides, or a second copy glued to the first: every copy stays.
    ['4951234567-84951234567', '4951234567-84951234567'],
    ['1-84951234567', '1-84951234567'],
    ['84951234567.1', '84951234567.1'],
    ['9 84951234567-1 84951234567', '9 84951234567-1 84957654321'],
    // Separated by a space, a comma or two dashes, or followed by a dash and no digit: each is swapped.
    ['84951234567 84951234567', '84957654321 84957654321'],
    ['84951234567,84951234567', '84957654321,84957654321'],
    ['8 495 123-45-67 - 1', '8 495 765-43-21 - 1'],
    ['84951234567-', '84957654321-'],
    ['x84951234567x', 'x84957654321x'],
  ])('tells numbers glued to other digits from separate ones: %j → %j', (input, expected) => {
    expect(swap(input)).toBe(expected);
  });
});

describe('writeDigits', () => {
  it.each([
    ['8 (495) 123-45-67', '84957654321', '8 (495) 765-43-21'],
    ['123', '4567', '4567'],
    ['1-2-3', '45', '4-5-'],
  ])('%j with %j → %j', (printed, digits, expected) => {
    expect(writeDigits(printed, digits)).toBe(expected);
  });
});

describe('swapHref', () => {
  it.each([
    ['tel:+74951234567', 'tel:+74957654321'],
    ['tel:84951234567', 'tel:84957654321'],
    ['TEL:+7-495-123-45-67', 'TEL:+7-495-765-43-21'],
    ['tel:+7%20495%20123%2045%2067', 'tel:+7 495 765 43 21'],
    [' tel:+1-555-123-4567', ' tel:+1-555-987-6543'],
    ['tel:+74951234568', 'tel:+74951234568'],
    ['tel:%E0%A4%A', 'tel:%E0%A4%A'],
    ['https://example.com/84951234567', 'https://example.com/84951234567'],
    ['sms:+74951234567', 'sms:+74951234567'],
  ])('%j → %j', (href, expected) => {
    expect(swapHref(href, swap)).toBe(expected);
  });
});

describe('swapParts: a number printed across several text nodes', () => {
  it.each([
    [
      ['+7 (495)', ' ', '123-45-67'],
      ['+7 (495)', ' ', '765-43-21'],
    ],
    [
      ['8 800', '123-45-67'],
      ['8 800', '765-43-21'],
    ],
    [
      ['Звоните: ', '8 (495) 12', '3-45-67', ', пн–пт'],
      ['Звоните: ', '8 (495) 76', '5-43-21', ', пн–пт'],
    ],
    [
      ['+', '7', '495', '123', '45', '67'],
      ['+', '7', '495', '765', '43', '21'],
    ],
    // Whole numbers in single pieces, and two numbers at once.
    [
      ['Офис: ', '+7 495 123 45 67', ', склад: ', '8 800 123 45 67'],
      ['Офис: ', '+7 495 765 43 21', ', склад: ', '8 800 765 43 21'],
    ],
    [
      ['8 495 ', '123-45-67', ' или ', '8 800 ', '123-45-67'],
      ['8 495 ', '765-43-21', ' или ', '8 800 ', '765-43-21'],
    ],
    [
      ['', '(555) ', '', '123-4567'],
      ['', '(555) ', '', '987-6543'],
    ],
  ])('%j → %j', (parts, expected) => {
    expect(swapParts(parts, swap)).toEqual(expected);
  });

  it.each([
    ['no number', ['Позвоните ', 'нам']],
    ['another number', ['8 (495)', ' 123-45-68']],
    ['glued to an order id', ['Заказ №1', '84951234567']],
    ['no pieces', []],
  ])('%s: undefined', (_name, parts) => {
    expect(swapParts(parts, swap)).toBeUndefined();
  });

  it('keeps every character in its piece when the new number is longer or shorter', () => {
    const longer = compileSwapper([{ from: '74951234567', to: '749576543210', cc: '7' }])!;
    expect(swapParts(['+7 (495)', ' ', '123-45-67', ' звоните'], longer)).toEqual([
      '+7 (495)',
      ' ',
      '765-43-210',
      ' звоните',
    ]);
    const shorter = compileSwapper([{ from: '74951234567', to: '7495765432', cc: '7' }])!;
    expect(swapParts(['8 (495) ', '123-45-', '67', '!'], shorter)).toEqual(['8 (495) ', '765-43-', '2', '!']);
  });
});
