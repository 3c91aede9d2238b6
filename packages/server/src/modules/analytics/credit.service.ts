import type { Db } from '../../db/connect.js';
import { type Credits, creditVisit, LOOKBACK_MS, type VisitTouch } from './credit.js';
import * as repo from './credit.repository.js';

const BATCH = 500;

const touch = (r: repo.VisitRow): VisitTouch => ({
  id: r.id,
  channel: r.channel,
  startedAt: Number(r.started_at),
});

/**
 * Stores on each call and deal the visit it is credited to under every report model, so that reports join the
 * credited visit directly. Called when a call is recorded and when a deal is linked; `creditPending` catches up
 * rows written without it (bulk loads, rows whose link changed).
 */
export class CreditService {
  constructor(private readonly deps: { db: Db }) {}

  /**
   * Credits of touches matched to these visits (a visit that does not exist gets none), with the credited visits'
   * report keys copied into credited_visit, where reports read them.
   */
  async creditsOf(projectId: string, visitIds: string[]): Promise<Map<string, Credits>> {
    const db = this.deps.db;
    const credits = new Map<string, Credits>();
    const visits = await repo.findVisits(db, projectId, [...new Set(visitIds)]);
    if (visits.length === 0) return credits;
    const starts = visits.map((v) => Number(v.started_at));
    const others = await repo.findVisitorVisits(
      db,
      projectId,
      [...new Set(visits.map((v) => v.visitor_id))],
      Math.min(...starts) - LOOKBACK_MS,
      Math.max(...starts),
    );
    const byVisitor = new Map<string, VisitTouch[]>();
    for (const o of others) {
      const list = byVisitor.get(o.visitor_id) ?? [];
      list.push(touch(o));
      byVisitor.set(o.visitor_id, list);
    }
    for (const v of visits) credits.set(v.id, creditVisit(touch(v), byVisitor.get(v.visitor_id) ?? []));
    // Reports read the credited visits' keys from their narrow copy.
    const credited = new Set([...credits.values()].flatMap((c) => [c.lastNonDirectClick, c.firstClick]));
    await repo.copyCreditedVisits(db, projectId, [...credited]);
    return credits;
  }

  /** Credits the project's calls and deals that have a visit but no credit yet (or just one deal). */
  async creditPending(projectId: string, only?: { deal: string }): Promise<number> {
    let done = 0;
    for (const table of only ? (['deal'] as const) : (['call', 'deal'] as const)) {
      for (;;) {
        const rows = await repo.findUncredited(this.deps.db, table, projectId, BATCH, only?.deal);
        if (rows.length === 0) break;
        const credits = await this.creditsOf(
          projectId,
          rows.map((r) => r.visit_id),
        );
        const written = await repo.writeCredits(
          this.deps.db,
          table,
          rows.map((r) => {
            const c = credits.get(r.visit_id);
            return {
              id: r.id,
              of: r.visit_id,
              last: c?.lastNonDirectClick ?? null,
              first: c?.firstClick ?? null,
            };
          }),
        );
        done += written;
        // A batch that wrote nothing lost a race with a relink: leave the rest to the next pass.
        if (rows.length < BATCH || written === 0) break;
      }
    }
    return done;
  }
}
