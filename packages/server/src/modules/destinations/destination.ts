import type { DestinationTable } from '../../db/database.js';
import { isSipUri, normalizePhone } from '../numbers/phone.js';

export type DestinationKind = 'phone' | 'sip';

/** Where calls are forwarded: the company's real number, or a SIP account on its PBX. */
export interface Destination {
  id: string;
  projectId: string;
  name: string;
  kind: DestinationKind;
  target: string;
  createdAt: number;
  updatedAt: number;
}

export const toDestination = (r: DestinationTable): Destination => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  kind: r.kind,
  target: r.target,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function normalizeTarget(
  kind: DestinationKind,
  target: string,
  country: string,
): { ok: true; target: string } | { ok: false; reason: string } {
  if (kind === 'sip') {
    return isSipUri(target.trim())
      ? { ok: true, target: target.trim() }
      : { ok: false, reason: 'target must be a SIP URI like sip:101@pbx.example.com:5060' };
  }
  const phone = normalizePhone(target, country);
  return phone.ok ? { ok: true, target: phone.e164 } : { ok: false, reason: `target: ${phone.reason}` };
}
