import type { LeaseTable, VisitTable } from '../../db/database.js';

/** A visitor of a project, as the key of maps of visitors. */
export const visitorKey = (projectId: string, visitorId: string) => `${projectId}|${visitorId}`;

/** The visitor's latest visit, as far as deciding whether a page view continues it. */
export interface RecentVisit {
  id: string;
  lastSeenAt: number;
  channel: string;
  source: string;
  campaign: string | null;
}

/** The visitor's lease that is still alive, with its number. */
export interface LiveLease {
  id: string;
  visitId: string;
  poolId: string | null;
  numberId: string;
  e164: string;
  shared: number;
  expiresAt: number;
}

/** A lease found by its token, for a heartbeat. */
export interface HeldLease {
  id: string;
  numberId: string;
  visitId: string;
  holdSeconds: number;
}

/**
 * What the tracker reads and writes for one page view or heartbeat. Two implementations: SQL statements inside a
 * group-commit transaction (PostgreSQL, where several instances may share the tables), and lease state held in
 * memory by the one process that owns an SQLite file, with its writes batched (docs/architecture.md).
 */
export interface TrackerStore {
  recentVisit(projectId: string, visitorId: string, since: number): Promise<RecentVisit | undefined>;
  startVisit(row: VisitTable): Promise<void>;
  /** Another page view of the visit. */
  continueVisit(visitId: string, at: number): Promise<void>;
  /** The page is still open (a heartbeat): the visit stays alive, its page count does not change. */
  seeVisit(visitId: string, at: number): Promise<void>;
  liveLease(projectId: string, visitorId: string, now: number): Promise<LiveLease | undefined>;
  /** A live lease by id, for heartbeats; undefined once it has ended. */
  heldLease(leaseId: string, projectId: string, now: number): Promise<HeldLease | undefined>;
  startLease(row: LeaseTable): Promise<void>;
  setLeaseSeen(leaseId: string, at: number, expiresAt: number): Promise<void>;
  endLease(leaseId: string, at: number): Promise<void>;
  /**
   * Lends a number of the pool and holds it until `until`: the least-recently-released free one, or, when `share`
   * allows it and none is free, the busy one whose holder went silent first (`shared` in the answer).
   */
  claimNumber(
    poolId: string,
    now: number,
    until: number,
    share: boolean,
  ): Promise<{ id: string; e164: string; shared: boolean } | undefined>;
  /** Moves the number's release moment later, never earlier. */
  holdNumberUntil(numberId: string, until: number): Promise<void>;
}
