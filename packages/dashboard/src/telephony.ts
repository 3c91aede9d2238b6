// Telephony provider accounts as the dashboard shows and connects them: the API's shape, and per provider the
// credential fields and where each webhook URL goes (facts from docs/telephony.md).
import type { MessageKey } from './i18n.js';

export type Provider = 'twilio' | 'mango' | 'zadarma' | 'generic';

/** GET /provider-accounts: secrets are write-only, so only their keys come back. */
export interface ProviderAccount {
  id: string;
  projectId: string;
  provider: Provider;
  name: string;
  credentialKeys: string[];
  /** IPs and CIDR ranges its webhooks may come from; empty: any address. */
  allowedSources: string[];
  /** Named URLs to configure at the provider (e.g. `events`, or Twilio's `voice`). */
  webhookUrls: Record<string, string>;
  createdAt: number;
}

export interface CredentialField {
  key: string;
  label: MessageKey;
  /** A secret gets a password input; identifiers (API keys, SIDs) stay readable while typed. */
  secret: boolean;
  optional?: boolean;
  hint?: MessageKey;
}

export interface ProviderInfo {
  provider: Provider;
  label: MessageKey;
  /** Where the user finds the credentials at the provider. */
  credentialsHint: MessageKey;
  fields: CredentialField[];
}

/**
 * The required fields mirror the server's REQUIRED_CREDENTIALS
 * (packages/server/src/modules/telephony/provider-account.ts), which the API does not expose; keep them in step.
 * The optional ones are those docs/telephony.md describes (Twilio's accountSid, Zadarma's timeZone).
 */
export const PROVIDERS: readonly ProviderInfo[] = [
  {
    provider: 'twilio',
    label: 'providerTwilio',
    credentialsHint: 'credentialsHintTwilio',
    fields: [
      { key: 'authToken', label: 'credTwilioAuthToken', secret: true },
      {
        key: 'accountSid',
        label: 'credTwilioAccountSid',
        secret: false,
        optional: true,
        hint: 'credTwilioAccountSidHint',
      },
    ],
  },
  {
    provider: 'mango',
    label: 'providerMango',
    credentialsHint: 'credentialsHintMango',
    fields: [
      { key: 'apiKey', label: 'credMangoApiKey', secret: false },
      { key: 'apiSalt', label: 'credMangoApiSalt', secret: true },
    ],
  },
  {
    provider: 'zadarma',
    label: 'providerZadarma',
    credentialsHint: 'credentialsHintZadarma',
    fields: [
      { key: 'apiKey', label: 'credZadarmaApiKey', secret: false },
      { key: 'apiSecret', label: 'credZadarmaApiSecret', secret: true },
      {
        key: 'timeZone',
        label: 'credZadarmaTimeZone',
        secret: false,
        optional: true,
        hint: 'credZadarmaTimeZoneHint',
      },
    ],
  },
  {
    provider: 'generic',
    label: 'providerGeneric',
    credentialsHint: 'credentialsHintGeneric',
    fields: [{ key: 'secret', label: 'credGenericSecret', secret: true }],
  },
];

export function providerInfo(provider: Provider): ProviderInfo {
  return PROVIDERS.find((p) => p.provider === provider) ?? (PROVIDERS[0] as ProviderInfo);
}

/** Where to paste a webhook URL at its provider; URLs the provider finds by itself say so. */
export function urlHint(provider: Provider, key: string): MessageKey | undefined {
  switch (provider) {
    case 'twilio':
      return key === 'voice' ? 'urlHintTwilioVoice' : 'urlHintTwilioCallback';
    case 'mango':
      return key === 'base' ? 'urlHintMangoBase' : 'urlHintMangoReference';
    case 'zadarma':
      return key === 'events' ? 'urlHintZadarmaEvents' : undefined;
    case 'generic':
      return key === 'events' ? 'urlHintGenericEvents' : undefined;
  }
}

/** The server accepts at most this many allowed sources per account (telephony/allowed-sources.ts). */
export const MAX_SOURCES = 50;

/** One IP or CIDR range per line; commas and spaces also separate (neither occurs inside an address). */
export const parseSources = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** A URL the provider cannot reach: PUBLIC_URL is left at a local address. */
export function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.') || host.endsWith('.localhost');
  } catch {
    return false;
  }
}
