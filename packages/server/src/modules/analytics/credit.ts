/**
 * Which visit a call or deal is credited to under each report model, given the visit it was matched to. The one
 * place the rule lives: the call service applies it when a call is recorded, the deal service when a deal is
 * linked, and the report's catch-up step to rows written without it (imports, older rows).
 */
export interface VisitTouch {
  id: string;
  channel: string;
  startedAt: number;
}

export interface Credits {
  /** The matched visit the credits were computed from. */
  of: string;
  lastNonDirectClick: string;
  firstClick: string;
}

/** An earlier visit counts for first / last-non-direct click only within this window before the matched visit. */
export const LOOKBACK_MS = 90 * 86_400_000;

/** Earlier visits of the same visitor are looked up over [startedAt − LOOKBACK_MS, startedAt). */
export const lookbackFrom = (visit: VisitTouch): number => visit.startedAt - LOOKBACK_MS;

const inWindow = (visit: VisitTouch) => (p: VisitTouch) =>
  p.startedAt < visit.startedAt && p.startedAt >= lookbackFrom(visit);

/** Later start wins; equal starts are ordered by id so that the choice never depends on row order. */
const later = (a: VisitTouch, b: VisitTouch) =>
  a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.id > b.id);

/**
 * `others`: the same visitor's visits (any order; the matched visit itself and those outside the window are
 * ignored). Last non-direct click: the matched visit unless it was direct, else the latest non-direct visit in
 * the window, else the matched visit. First click: the earliest visit in the window, else the matched visit.
 */
export function creditVisit(visit: VisitTouch, others: readonly VisitTouch[]): Credits {
  let last: VisitTouch | undefined;
  let first: VisitTouch | undefined;
  for (const p of others.filter(inWindow(visit))) {
    if (p.channel !== 'direct' && (!last || later(p, last))) last = p;
    if (!first || later(first, p)) first = p;
  }
  return {
    of: visit.id,
    lastNonDirectClick: visit.channel !== 'direct' ? visit.id : (last?.id ?? visit.id),
    firstClick: first?.id ?? visit.id,
  };
}
