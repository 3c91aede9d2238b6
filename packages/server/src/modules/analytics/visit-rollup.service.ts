import type { Clock } from '../../clock.js';
import type { Db, DialectName } from '../../db/connect.js';
import * as reportRepo from './report.repository.js';
import { isoOfEpochDay, localMidnight, offsetSegments } from './report-time.js';
import {
  consecutiveRuns,
  lastClosedDay,
  localDay,
  MONTH_PREFIX,
  monthOf,
  nextMonth,
  ROLLUP_KEY_SETS,
  rollupDims,
  splitMonths,
} from './visit-rollup.js';
import * as repo from './visit-rollup.repository.js';

type Row = Record<string, unknown>;

/** Days built per transaction. */
const BUILD_DAYS = 7;
const INCOMPLETE = new Error('month incomplete');

/**
 * Visit counts for a report: closed days from the rollup (built here, on first use), the open days from the visit
 * table. The rows have the shape of report.repository's `visitSums`; a key may appear once from each part.
 */
export class VisitRollupService {
  constructor(private readonly deps: { db: Db; dialect: DialectName; clock: Clock }) {}

  /**
   * `fromDay`/`toDay`: the report's local days (epoch days); `periodOf`: the period number of a local day, for
   * day/week/month groupings.
   */
  async visitSums(
    project: { id: string; timezone: string },
    q: reportRepo.ReportQuery,
    range: { fromDay: number; toDay: number; periodOf: (day: number) => number },
  ): Promise<Row[]> {
    const db = this.deps.db;
    const closedTo = Math.min(range.toDay, lastClosedDay(this.deps.clock.now(), project.timezone));
    if (closedTo < range.fromDay) return reportRepo.visitSums(db, q);

    await this.dropStale(project);
    const dimParts = rollupDims(q.parts);
    const dims = dimParts.join(',');
    await this.ensureDays(project, q, range.fromDay, closedTo);

    // Periods need each day; other groupings read whole months from month rows and the days around them.
    const byDay = q.parts.includes('period');
    const split = byDay
      ? { months: [], days: [[range.fromDay, closedTo] as [number, number]] }
      : splitMonths(range.fromDay, closedTo);
    const rolled = [];
    const [firstMonth, lastMonth] = [split.months[0], split.months[split.months.length - 1]];
    if (firstMonth !== undefined && lastMonth !== undefined) {
      const builtMonths = new Set(
        await repo.builtDays(db, project.id, MONTH_PREFIX + dims, firstMonth, lastMonth),
      );
      for (const month of split.months)
        if (!builtMonths.has(month) && !(await this.buildMonth(project.id, dims, month)))
          split.days.push([month, nextMonth(month) - 1]); // has no month row: read its days
      rolled.push(
        ...(await repo.readRollup(db, project.id, MONTH_PREFIX + dims, firstMonth, lastMonth, false)),
      );
    }
    for (const [a, b] of split.days)
      rolled.push(...(await repo.readRollup(db, project.id, dims, a, b, byDay)));
    const rows: Row[] = rolled.map((r) => {
      const stored = [r.k0, r.k1, r.k2];
      const row: Row = { visits: r.visits };
      q.parts.forEach((part, i) => {
        row[`k${i}`] =
          part === 'period'
            ? range.periodOf(Number(r.day))
            : part === 'static_channel'
              ? null
              : stored[dimParts.indexOf(part)];
      });
      return row;
    });
    if (closedTo === range.toDay) return rows;
    const openFrom = localMidnight(isoOfEpochDay(closedTo + 1), project.timezone);
    return [...rows, ...(await reportRepo.visitSums(db, { ...q, from: openFrom }))];
  }

  /** Every project, with its time zone. */
  projects(): Promise<{ id: string; timezone: string }[]> {
    return repo.listProjects(this.deps.db);
  }

  /**
   * Builds, in the background, what reports would otherwise build on first use: every grouping's closed days since
   * the project's first visit (at most `maxDays`), and their whole months. It also moves the late-data watermark
   * on, so that a report's check only covers the visits written since the last refresh.
   */
  async refresh(project: { id: string; timezone: string }, maxDays = 3 * 366): Promise<void> {
    const db = this.deps.db;
    const firstAt = await repo.firstVisitAt(db, project.id);
    if (firstAt === undefined) return;
    await this.dropStale(project);
    const closedTo = lastClosedDay(this.deps.clock.now(), project.timezone);
    const from = Math.max(localDay(firstAt, project.timezone), closedTo - maxDays + 1);
    if (from > closedTo) return;
    for (const parts of ROLLUP_KEY_SETS) {
      const q: reportRepo.ReportQuery = {
        projectId: project.id,
        dialect: this.deps.dialect,
        from: 0,
        to: 0,
        fromDay: '',
        toDay: '',
        parts,
        model: 'last_non_direct_click',
        targetOnly: false,
      };
      await this.ensureDays(project, q, from, closedTo);
      const dims = parts.join(',');
      const { months } = splitMonths(from, closedTo);
      const [firstMonth, lastMonth] = [months[0], months[months.length - 1]];
      if (firstMonth === undefined || lastMonth === undefined) continue;
      const built = new Set(await repo.builtDays(db, project.id, MONTH_PREFIX + dims, firstMonth, lastMonth));
      for (const month of months) if (!built.has(month)) await this.buildMonth(project.id, dims, month);
    }
  }

  /** Builds the days of [from, to] that are not built yet. */
  private async ensureDays(
    project: { id: string; timezone: string },
    q: reportRepo.ReportQuery,
    from: number,
    to: number,
  ): Promise<void> {
    const dims = rollupDims(q.parts).join(',');
    const built = new Set(await repo.builtDays(this.deps.db, project.id, dims, from, to));
    const missing: number[] = [];
    for (let day = from; day <= to; day++) if (!built.has(day)) missing.push(day);
    for (const [first, last] of consecutiveRuns(missing)) await this.build(project, q, dims, first, last);
  }

  /**
   * Drops what no longer holds: everything if the project changed time zone, and the days into which visits were
   * written since the last check (their ids are above the watermark).
   */
  private async dropStale(project: { id: string; timezone: string }): Promise<void> {
    const db = this.deps.db;
    const state = await repo.findState(db, project.id);
    const top = await repo.maxVisitId(db);
    if (!state || state.timezone !== project.timezone) {
      await repo.dropDays(db, project.id);
      await repo.saveState(db, project.id, project.timezone, top);
      return;
    }
    if (top === null || (state.watermark !== null && top <= state.watermark)) return;
    if (state.watermark !== null) {
      const late = await repo.visitsWrittenSince(db, project.id, state.watermark, top);
      const days = [...new Set(late.map((v) => localDay(Number(v.started_at), project.timezone)))];
      await repo.dropDays(db, project.id, days, [...new Set(days.map(monthOf))]);
    } else await repo.dropDays(db, project.id);
    await repo.saveState(db, project.id, project.timezone, top);
  }

  /** Whether the month row is there now (built by this report or a concurrent one). */
  private async buildMonth(projectId: string, dims: string, month: number): Promise<boolean> {
    return this.deps.db
      .transaction()
      .execute(async (trx) => {
        if ((await repo.claimDays(trx, projectId, MONTH_PREFIX + dims, [month])).length === 0) return true;
        // A day of it was dropped meanwhile (late data): undo the claim and read the days this time.
        if (!(await repo.buildMonth(trx, projectId, dims, month, nextMonth(month)))) throw INCOMPLETE;
        return true;
      })
      .catch((error: unknown) => {
        if (error !== INCOMPLETE) throw error;
        return false;
      });
  }

  /**
   * Builds the days [first, last] a week per transaction: SQLite has one writer, so a long build must not hold the
   * write lock for seconds while the tracker waits to commit.
   */
  private async build(
    project: { id: string; timezone: string },
    q: reportRepo.ReportQuery,
    dims: string,
    first: number,
    last: number,
  ): Promise<void> {
    const dimParts = rollupDims(q.parts);
    for (let start = first; start <= last; start += BUILD_DAYS) {
      const end = Math.min(last, start + BUILD_DAYS - 1);
      const days = Array.from({ length: end - start + 1 }, (_, i) => start + i);
      await this.deps.db.transaction().execute(async (trx) => {
        // Only the days this report claimed: a concurrent report building the same days counts the others.
        const claimed = await repo.claimDays(trx, project.id, dims, days);
        const runs = claimed.length === days.length ? [[start, end]] : consecutiveRuns(claimed);
        for (const [a, b] of runs as [number, number][]) {
          const from = localMidnight(isoOfEpochDay(a), project.timezone);
          const to = localMidnight(isoOfEpochDay(b + 1), project.timezone);
          await repo.buildDays(trx, q, dimParts, {
            from,
            to,
            segments: offsetSegments(from, to, project.timezone),
          });
        }
      });
    }
  }
}
