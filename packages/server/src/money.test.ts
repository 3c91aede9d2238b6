import { describe, expect, it } from 'vitest';
import { fromMinorUnits, toMinorUnits } from './money.js';

describe('money in minor units', () => {
  it.each([
    ['1234.5', 'RUB', 123450],
    ['1 234,50', 'RUB', 123450],
    ['0.01', 'USD', 1],
    [19.99, 'USD', 1999],
    ['500', 'JPY', 500],
    ['-15.20', 'RUB', -1520],
    ['12.300', 'RUB', 1230],
  ])('%s %s → %i', (input, currency, minor) => {
    expect(toMinorUnits(input, currency)).toBe(minor);
  });

  it.each([['abc'], ['1.2.3'], [''], ['1.005'], ['1e5']])('refuses %s', (input) => {
    expect(toMinorUnits(input, 'RUB')).toBeUndefined();
  });

  it('converts back to major units', () => {
    expect(fromMinorUnits(123450, 'RUB')).toBe(1234.5);
    expect(fromMinorUnits(500, 'JPY')).toBe(500);
  });
});
