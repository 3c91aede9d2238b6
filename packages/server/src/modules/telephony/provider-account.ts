import type { ProviderAccountTable } from '../../db/database.js';

export type Provider = ProviderAccountTable['provider'];

/** The credentials each provider needs to authenticate its webhooks. */
export const REQUIRED_CREDENTIALS: Record<Provider, string[]> = {
  twilio: ['authToken'],
  mango: ['apiKey', 'apiSalt'],
  zadarma: ['apiKey', 'apiSecret'],
  generic: ['secret'],
};

export interface ProviderAccount {
  id: string;
  projectId: string;
  provider: Provider;
  name: string;
  /** Secrets are never sent back: only which ones are set. */
  credentialKeys: string[];
  /** IPs and CIDR ranges its webhooks may come from; empty: any address. */
  allowedSources: string[];
  webhookUrls: Record<string, string>;
  createdAt: number;
}

export function webhookUrls(publicUrl: string, provider: Provider, id: string): Record<string, string> {
  const base = `${publicUrl}/webhooks/${provider}/${id}`;
  if (provider === 'twilio') {
    return {
      voice: `${base}/voice`,
      dial: `${base}/dial`,
      status: `${base}/status`,
      recording: `${base}/recording`,
    };
  }
  if (provider === 'mango') {
    // Mango takes one "external system" address and posts to <address>/events/call, /events/summary, …
    return { base, call: `${base}/events/call`, summary: `${base}/events/summary` };
  }
  return { events: `${base}/events` };
}
