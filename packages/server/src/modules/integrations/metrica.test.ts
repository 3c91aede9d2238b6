import { describe, expect, it } from 'vitest';
import { csvField, type MetricaRow, metricaCsv } from './metrica.js';

const row: MetricaRow = {
  ClientId: '1768000000123456789',
  DateTime: 1768467600,
  PhoneNumber: '+74951234567',
  TalkDuration: 95,
  HoldDuration: 6,
  CallMissed: 0,
  FirstTimeCaller: 1,
  URL: 'https://site.ru/landing?a=1,2&b="x"',
  StaticCall: 0,
};

describe('Metrica calls CSV', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(95)).toBe('95');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('writes the header and one line per call', () => {
    expect(metricaCsv([row])).toBe(
      'ClientId,DateTime,PhoneNumber,TalkDuration,HoldDuration,CallMissed,FirstTimeCaller,URL,StaticCall\r\n' +
        '1768000000123456789,1768467600,+74951234567,95,6,0,1,"https://site.ru/landing?a=1,2&b=""x""",0\r\n',
    );
  });
});
