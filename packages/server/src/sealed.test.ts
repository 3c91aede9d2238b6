import { describe, expect, it } from 'vitest';
import { seal, unseal } from './sealed.js';

describe('sealed secrets', () => {
  const secret = 'test-secret-key-0123456789abcdef0123';

  it('round-trips, and never stores the plaintext', () => {
    const sealed = seal('{"authToken":"abc123"}', secret);
    expect(sealed).toMatch(/^sealed:v1:/);
    expect(sealed).not.toContain('abc123');
    expect(seal('same', secret)).not.toBe(seal('same', secret)); // a fresh IV each time
    expect(unseal(sealed, secret)).toBe('{"authToken":"abc123"}');
  });

  it('refuses another key and altered text', () => {
    const sealed = seal('token', secret);
    expect(() => unseal(sealed, 'another-secret-key-0123456789abcdef')).toThrow();
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => unseal(tampered, secret)).toThrow();
  });

  it('reads text written before sealing as it is', () => {
    expect(unseal('{"authToken":"old"}', secret)).toBe('{"authToken":"old"}');
  });
});
