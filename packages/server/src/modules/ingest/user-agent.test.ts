import { describe, expect, it } from 'vitest';
import { parseUserAgent, type UserAgentInfo } from './user-agent.js';

const cases: [string, string, Partial<UserAgentInfo>][] = [
  [
    'Chrome on Windows',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    { deviceType: 'desktop', browser: 'Chrome', browserVersion: '124.0.0.0', os: 'Windows', osVersion: '10' },
  ],
  [
    'Yandex Browser on Windows',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36',
    { deviceType: 'desktop', browser: 'Yandex', browserVersion: '24.4.0.0', os: 'Windows' },
  ],
  [
    'Yandex Browser on Android phone',
    'Mozilla/5.0 (Linux; Android 12; SM-A525F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 YaBrowser/23.11.3.70.00 SA/3 Mobile Safari/537.36',
    {
      deviceType: 'mobile',
      browser: 'Yandex',
      os: 'Android',
      osVersion: '12',
      deviceVendor: 'Samsung',
      deviceModel: 'SM-A525F',
    },
  ],
  [
    'Safari on macOS',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    { deviceType: 'desktop', browser: 'Safari', os: 'Mac OS', osVersion: '10.15.7' },
  ],
  [
    'Safari on iPhone',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    {
      deviceType: 'mobile',
      browser: 'Mobile Safari',
      os: 'iOS',
      osVersion: '17.4.1',
      deviceVendor: 'Apple',
      deviceModel: 'iPhone',
    },
  ],
  [
    'Safari on an old-style iPad',
    'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    { deviceType: 'tablet', os: 'iOS' },
  ],
  [
    'Samsung Galaxy Tab',
    'Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    { deviceType: 'tablet', browser: 'Chrome', os: 'Android' },
  ],
  [
    'Android with a reduced user agent ("K")',
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    { deviceType: 'mobile', os: 'Android', osVersion: '10' },
  ],
  [
    'Amazon Fire tablet',
    'Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/124.2.1 like Chrome/124.0.6367.179 Safari/537.36',
    { deviceType: 'tablet', browser: 'Silk' },
  ],
  [
    'Firefox on Ubuntu',
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    { deviceType: 'desktop', browser: 'Firefox', os: 'Ubuntu' },
  ],
  [
    'Chrome on Linux',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    { deviceType: 'desktop', os: 'Linux' },
  ],
  [
    'Chromebook',
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    { deviceType: 'desktop', os: 'Chromium OS' },
  ],
  [
    'Edge',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51',
    { deviceType: 'desktop', browser: 'Edge' },
  ],
  [
    'Facebook in-app browser',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/458.0.0.41.109;]',
    { deviceType: 'mobile', browser: 'Facebook', os: 'iOS' },
  ],
  [
    'Telegram in-app browser (Android WebView)',
    'Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 Telegram-Android/10.12.0 (Samsung SM-A536B; Android 13; SDK 33; AVERAGE)',
    { deviceType: 'mobile', os: 'Android' },
  ],
  [
    'Samsung smart TV',
    'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36',
    { deviceType: 'other', browser: 'Samsung Internet' },
  ],
  [
    'PlayStation',
    'Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15',
    { deviceType: 'other' },
  ],
  ['curl', 'curl/8.4.0', { deviceType: 'other', browser: undefined, os: undefined }],
  ['gibberish', '¯\\_(ツ)_/¯', { deviceType: 'other' }],
];

describe('parseUserAgent', () => {
  it.each(cases)('%s', (_name, ua, expected) => {
    const info = parseUserAgent(ua);
    for (const [key, value] of Object.entries(expected)) {
      if (value === undefined) expect(info).not.toHaveProperty(key);
      else expect(info).toHaveProperty(key, value);
    }
  });

  it.each([undefined, null, '', '   '])('no user agent %j', (ua) => {
    expect(parseUserAgent(ua)).toEqual({ deviceType: 'other' });
  });

  it('caches results and returns frozen objects', () => {
    const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
    const first = parseUserAgent(ua);
    expect(parseUserAgent(ua)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('does not grow without bound on unique user agents', () => {
    for (let i = 0; i < 3000; i++)
      parseUserAgent(`Mozilla/5.0 (Windows NT 10.0) Chrome/${i}.0 Safari/537.36`);
    expect(parseUserAgent('Mozilla/5.0 (Windows NT 10.0) Chrome/2999.0 Safari/537.36').browserVersion).toBe(
      '2999.0',
    );
  });

  it('copes with a huge user agent', () => {
    const info = parseUserAgent(`Mozilla/5.0 (Windows NT 10.0) ${'x'.repeat(100_000)}`);
    expect(info.deviceType).toBe('desktop');
  });
});
