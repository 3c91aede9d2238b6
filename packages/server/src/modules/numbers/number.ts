import type { TrackingNumberTable } from '../../db/database.js';
import { fromMinorUnits } from '../../money.js';

export type NumberStatus = 'active' | 'inactive';

export interface TrackingNumber {
  id: string;
  projectId: string;
  number: string;
  label: string;
  provider: string;
  providerRef: string | null;
  status: NumberStatus;
  monthlyCost: number;
  costCurrency: string;
  destinationId: string | null;
  poolId: string | null;
  createdAt: number;
  updatedAt: number;
}

export const toTrackingNumber = (r: TrackingNumberTable): TrackingNumber => ({
  id: r.id,
  projectId: r.project_id,
  number: r.e164,
  label: r.label,
  provider: r.provider,
  providerRef: r.provider_ref,
  status: r.status,
  monthlyCost: fromMinorUnits(r.monthly_cost_minor, r.cost_currency),
  costCurrency: r.cost_currency,
  destinationId: r.destination_id,
  poolId: r.pool_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
