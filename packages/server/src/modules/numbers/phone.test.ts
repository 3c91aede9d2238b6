import { describe, expect, it } from 'vitest';
import { isSipUri, normalizePhone } from './phone.js';

describe('normalizePhone', () => {
  it.each([
    ['+7 (495) 123-45-67', 'RU', '+74951234567'],
    ['8 (495) 123-45-67', 'RU', '+74951234567'],
    ['84951234567', 'RU', '+74951234567'],
    ['8 800 555-35-35', 'RU', '+78005553535'],
    ['tel:+79161234567', 'RU', '+79161234567'],
    ['+1 (212) 736-4567', 'US', '+12127364567'],
    ['(212) 736-4567', 'US', '+12127364567'],
    ['212.736.4567', 'US', '+12127364567'],
    ['+44 20 7946 0958', 'RU', '+442079460958'],
    ['8\u00a0495\u00a0123\u00a045\u00a067', 'RU', '+74951234567'],
  ])('%s in %s → %s', (input, country, e164) => {
    expect(normalizePhone(input, country)).toEqual({ ok: true, e164 });
  });

  it.each([[''], ['12'], ['8 (000) 000-00-00'], ['call me'], ['+7 495 123 45 67 ext 5'], ['9'.repeat(50)]])(
    'refuses %j',
    (input) => {
      const result = normalizePhone(input, 'RU');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason.length).toBeGreaterThan(3);
    },
  );
});

describe('isSipUri', () => {
  it.each(['sip:101@pbx.example.ru', 'sip:101@10.0.0.5:5060', 'sips:office@sip.example.com;transport=tls'])(
    'accepts %s',
    (uri) => {
      expect(isSipUri(uri)).toBe(true);
    },
  );
  it.each(['http://x', 'sip:@host', 'sip:user@', '101@pbx', 'sip:a b@host'])('refuses %s', (uri) => {
    expect(isSipUri(uri)).toBe(false);
  });
});
