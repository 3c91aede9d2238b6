import { describe, expect, it } from 'vitest';
import { RecordingLinks } from './recording-link.js';

describe('RecordingLinks', () => {
  const links = new RecordingLinks('https://ct.example.com', 'an-installation-secret-0123456789abc');
  const id = '0199a5b2-7c4e-7d21-9a8b-1c2d3e4f5a6b';

  it('links a call to its recording under PUBLIC_URL with a token that signs that call', () => {
    const link = links.linkOf(id);
    expect(link).toMatch(
      /^https:\/\/ct\.example\.com\/recordings\/0199a5b2-7c4e-7d21-9a8b-1c2d3e4f5a6b\?t=[\w-]{27}$/,
    );
    const token = new URL(link).searchParams.get('t') ?? '';
    expect(links.verify(id, token)).toBe(true);
    expect(links.verify(id.replace(/b$/, 'c'), token)).toBe(false);
    expect(links.verify(id, `${token.slice(0, -1)}A`)).toBe(token.endsWith('A'));
    expect(links.verify(id, '')).toBe(false);
  });

  it('gives other links under another secret, so a leaked link dies with a new SECRET_KEY', () => {
    const other = new RecordingLinks('https://ct.example.com', 'another-secret-0123456789abcdefghij');
    expect(other.linkOf(id)).not.toBe(links.linkOf(id));
    expect(links.linkOf(id)).toBe(links.linkOf(id));
  });
});
