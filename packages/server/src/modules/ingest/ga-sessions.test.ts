import { describe, expect, it } from 'vitest';
import { parseGaSessions } from './ga-sessions.js';

describe('parseGaSessions', () => {
  it('reads the session id of both cookie formats, keyed by measurement id', () => {
    expect(
      parseGaSessions(
        '_ga_ABC123XYZ=GS1.1.1732456789.5.1.1732457000.0.0.0 _ga_Q7W=GS2.1.s1732450000$o3$g1$t1732457001$j0$l0$h0',
      ),
    ).toEqual({ 'G-ABC123XYZ': '1732456789', 'G-Q7W': '1732450000' });
  });

  it('ignores what is not a GA4 stream cookie', () => {
    expect(parseGaSessions(undefined)).toBeUndefined();
    expect(parseGaSessions('')).toBeUndefined();
    expect(parseGaSessions('_ga=GA1.1.123.456')).toBeUndefined();
    expect(parseGaSessions('_ga_ABC=GA1.1.123')).toBeUndefined();
    expect(parseGaSessions('_ga_A-B=GS1.1.1732456789')).toBeUndefined();
  });

  it('keeps at most eight streams', () => {
    const raw = Array.from({ length: 12 }, (_, i) => `_ga_S${i}=GS1.1.17324567${10 + i}`).join(' ');
    const sessions = parseGaSessions(raw) ?? {};
    expect(Object.keys(sessions)).toHaveLength(8);
    expect(sessions['G-S0']).toBe('1732456710');
  });
});
