import { randomBytes } from 'node:crypto';

export interface TargetCallRules {
  /** Only answered calls can be target calls. */
  answeredOnly: boolean;
  minTalkSeconds: number;
  firstCallOnly: boolean;
}

export interface ProjectSettings {
  /** A caller seen within this many days is a repeat caller. */
  repeatCallerDays: number;
  /** A repeat caller keeps the attribution of their first call, or takes their latest visit's. */
  repeatCallerAttribution: 'first' | 'last';
  targetCall: TargetCallRules;
}

export const DEFAULT_SETTINGS: ProjectSettings = {
  repeatCallerDays: 30,
  repeatCallerAttribution: 'first',
  targetCall: { answeredOnly: true, minTalkSeconds: 30, firstCallOnly: false },
};

export interface Project {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  country: string;
  publicKey: string;
  siteNumbers: string[];
  defaultDestinationId: string | null;
  settings: ProjectSettings;
  createdAt: number;
  updatedAt: number;
}

/** The key the site script sends; public by design, so it only identifies the project. */
export const newPublicKey = (): string => `pk_${randomBytes(12).toString('base64url')}`;

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export const isValidCurrency = (code: string): boolean => CURRENCIES.has(code);

/** Sensible defaults for a country, so that a project needs only a name. */
export function countryDefaults(country: string): { timezone: string; currency: string } {
  switch (country) {
    case 'RU':
      return { timezone: 'Europe/Moscow', currency: 'RUB' };
    case 'KZ':
      return { timezone: 'Asia/Almaty', currency: 'KZT' };
    case 'BY':
      return { timezone: 'Europe/Minsk', currency: 'BYN' };
    case 'US':
      return { timezone: 'America/New_York', currency: 'USD' };
    case 'GB':
      return { timezone: 'Europe/London', currency: 'GBP' };
    default:
      return { timezone: 'UTC', currency: 'USD' };
  }
}

/** Settings merged over the defaults, so rows written before a setting existed still read whole. */
export function readSettings(json: string): ProjectSettings {
  const stored = JSON.parse(json) as Partial<ProjectSettings>;
  return {
    ...DEFAULT_SETTINGS,
    ...stored,
    targetCall: { ...DEFAULT_SETTINGS.targetCall, ...(stored.targetCall ?? {}) },
  };
}
