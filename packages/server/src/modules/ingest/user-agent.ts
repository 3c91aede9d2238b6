import UAParser from 'ua-parser-js';

// Device, browser and OS of a visit, for reports and pool rules. ua-parser-js 1.x leaves device.type
// undefined for desktops, so the device type is inferred from the OS when the parser is silent.

export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'other';

export interface UserAgentInfo {
  deviceType: DeviceType;
  browser?: string;
  browserVersion?: string;
  os?: string;
  osVersion?: string;
  deviceVendor?: string;
  deviceModel?: string;
}

const MAX_FIELD_LENGTH = 64;
/** ua-parser-js reads only the first 500 characters anyway; the cap also bounds the cache's memory. */
const MAX_UA_LENGTH = 500;
const CACHE_SIZE = 1000;

const DESKTOP_OS = new Set([
  'Windows',
  'Mac OS',
  'macOS',
  'Linux',
  'Ubuntu',
  'Debian',
  'Fedora',
  'Mint',
  'Arch',
  'Gentoo',
  'Manjaro',
  'CentOS',
  'RedHat',
  'SUSE',
  'Chromium OS',
  'Chrome OS',
  'FreeBSD',
  'OpenBSD',
  'NetBSD',
  'Solaris',
  'Unix',
]);

// One parser, reused: setUA() re-parses without allocating a new parser per hit.
const parser = new UAParser();
// Visitors share a handful of user agents, so a small cache skips most parses. Cleared when full.
const cache = new Map<string, UserAgentInfo>();

function field(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text ? text.slice(0, MAX_FIELD_LENGTH) : undefined;
}

function deviceTypeOf(
  ua: string,
  type: string | undefined,
  os: string | undefined,
  browser: string | undefined,
) {
  if (type === 'mobile') return 'mobile';
  if (type === 'tablet') return 'tablet';
  if (type !== undefined) return 'other'; // smarttv, console, wearable, embedded, xr
  if (os === 'Android') return /\bMobile\b/.test(ua) ? 'mobile' : 'tablet'; // Google's own convention
  if (os === 'iOS') return /\biPad\b/.test(ua) ? 'tablet' : 'mobile';
  if ((os !== undefined && DESKTOP_OS.has(os)) || (os === undefined && browser !== undefined))
    return 'desktop';
  return 'other';
}

/**
 * Parses a user agent. iPads with iPadOS 13+ present themselves as desktop Safari on macOS and are
 * reported as desktop: only the page (touch points) can tell them apart.
 */
export function parseUserAgent(userAgent: string | null | undefined): Readonly<UserAgentInfo> {
  const ua = typeof userAgent === 'string' ? userAgent.trim().slice(0, MAX_UA_LENGTH) : '';
  if (!ua) return { deviceType: 'other' };
  const cached = cache.get(ua);
  if (cached) return cached;

  const result = parser.setUA(ua).getResult();
  const browser = field(result.browser.name);
  const os = field(result.os.name);
  const info: UserAgentInfo = { deviceType: deviceTypeOf(ua, result.device.type, os, browser) };
  const optional = {
    browser,
    browserVersion: field(result.browser.version),
    os,
    osVersion: field(result.os.version),
    deviceVendor: field(result.device.vendor),
    deviceModel: field(result.device.model),
  };
  for (const [key, value] of Object.entries(optional) as [keyof typeof optional, string | undefined][]) {
    if (value !== undefined) info[key] = value;
  }

  if (cache.size >= CACHE_SIZE) cache.clear();
  const frozen = Object.freeze(info);
  cache.set(ua, frozen);
  return frozen;
}
