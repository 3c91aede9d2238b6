import { describe, expect, it } from 'vitest';
import { MAX_SOURCES, parseSources, sourceMatcher } from './allowed-sources.js';

describe('allowed webhook sources', () => {
  it('accepts addresses and CIDR ranges of both families, trimmed', () => {
    expect(parseSources([' 185.45.152.42', '185.45.152.0/24', '2001:db8::/32', '::1'])).toEqual({
      ok: true,
      sources: ['185.45.152.42', '185.45.152.0/24', '2001:db8::/32', '::1'],
    });
  });

  it.each([
    'zadarma.com',
    '185.45.152',
    '185.45.152.0/33',
    '2001:db8::/129',
    '10.0.0.0/8/8',
    '10.0.0.0/x',
    '',
  ])('refuses %j with a message naming it', (entry) => {
    const result = parseSources([entry]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(`"${entry}"`);
  });

  it('refuses more than the limit', () => {
    expect(parseSources(Array.from({ length: MAX_SOURCES + 1 }, (_, i) => `10.0.0.${i}`)).ok).toBe(false);
  });

  it('admits addresses in the list and its ranges only; an empty list admits all', () => {
    const admits = sourceMatcher(['185.45.152.42', '10.1.0.0/16', '2001:db8::/32']);
    expect(admits('185.45.152.42')).toBe(true);
    expect(admits('185.45.152.43')).toBe(false);
    expect(admits('10.1.200.7')).toBe(true);
    expect(admits('10.2.0.1')).toBe(false);
    expect(admits('2001:db8::5')).toBe(true);
    expect(admits('2001:db9::5')).toBe(false);
    // IPv4 peers of a dual-stack socket.
    expect(admits('::ffff:10.1.2.3')).toBe(true);
    expect(admits('not an address')).toBe(false);
    expect(sourceMatcher([])('203.0.113.9')).toBe(true);
  });
});
