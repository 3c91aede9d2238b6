import type { StaticChannelTable } from '../../db/database.js';

export const OFFLINE_MEDIA = [
  'billboard',
  'radio',
  'tv',
  'print',
  'flyer',
  'car_wrap',
  'business_card',
  'map_listing',
  'event',
  'other',
] as const;
export type OfflineMedium = (typeof OFFLINE_MEDIA)[number];

/** A number permanently bound to one channel: every call to it is that channel, with full confidence. */
export interface StaticChannel {
  id: string;
  projectId: string;
  name: string;
  kind: 'online' | 'offline';
  source: string;
  medium: string;
  offlineMedium: OfflineMedium | null;
  campaign: string | null;
  numberId: string;
  /** Site visitors matching this are shown the channel's number (e.g. utm_source=billboard); null = never. */
  swapMatch: unknown | null;
  createdAt: number;
  updatedAt: number;
}

export const toStaticChannel = (r: StaticChannelTable): StaticChannel => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  kind: r.kind,
  source: r.source,
  medium: r.medium,
  offlineMedium: r.offline_medium as OfflineMedium | null,
  campaign: r.campaign,
  numberId: r.tracking_number_id,
  swapMatch: r.swap_match === null ? null : JSON.parse(r.swap_match),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
