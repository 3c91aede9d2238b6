import { describe, expect, it } from 'vitest';
import { ImportFormatError, parseNumbersCsv, validateImportRows } from './number-import.js';

describe('parseNumbersCsv', () => {
  it('reads a header in any case and separator, and numbers rows by file line', () => {
    const rows = parseNumbersCsv(
      '\ufeffNumber;Label;Monthly Cost\n+74951234567;Директ;300\n\n84951234568;"Google, поиск";300,50\n',
    );
    expect(rows).toEqual([
      { line: 2, input: { number: '+74951234567', label: 'Директ', monthlyCost: '300' } },
      { line: 4, input: { number: '84951234568', label: 'Google, поиск', monthlyCost: '300,50' } },
    ]);
  });

  it('reads a bare list of numbers', () => {
    expect(parseNumbersCsv('+7 495 123-45-67\n8 495 123 45 68\n').map((r) => r.input.number)).toEqual([
      '+7 495 123-45-67',
      '8 495 123 45 68',
    ]);
  });

  it.each([
    ['', 'no rows'],
    ['colour,size\nred,1\n', 'unknown column "colour"'],
    ['label\nx\n', 'no "number" column'],
    ['number\n"unterminated\n', 'not a readable CSV'],
  ])('refuses %j', (text, message) => {
    expect(() => parseNumbersCsv(text)).toThrow(ImportFormatError);
    expect(() => parseNumbersCsv(text)).toThrow(message);
  });
});

describe('validateImportRows', () => {
  it('normalises good rows and gives every bad row a reason', () => {
    const { valid, problems } = validateImportRows(
      [
        { line: 2, input: { number: '8 (495) 123-45-67', monthlyCost: '450.5', provider: 'mango' } },
        { line: 3, input: { number: '+74951234567' } },
        { line: 4, input: { number: '123' } },
        { line: 5, input: { number: '+74951234569', monthlyCost: 'free' } },
        { line: 6, input: { number: '+74951234570', status: 'paused' } },
      ],
      { country: 'RU', currency: 'RUB' },
    );
    expect(valid).toEqual([
      {
        line: 2,
        e164: '+74951234567',
        label: '',
        provider: 'mango',
        providerRef: null,
        monthlyCostMinor: 45050,
        status: 'active',
      },
    ]);
    expect(problems.map((p) => [p.row, p.code])).toEqual([
      [3, 'duplicate_row'],
      [4, 'invalid_number'],
      [5, 'invalid_cost'],
      [6, 'invalid_status'],
    ]);
  });
});
