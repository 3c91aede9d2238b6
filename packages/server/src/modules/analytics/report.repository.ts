import { type RawBuilder, sql } from 'kysely';
import type { Db, DialectName } from '../../db/connect.js';
import { type AttributionModel, type KeyPart, MISSED_STATUSES } from './report.js';
import type { OffsetSegment } from './report-time.js';

/** How SQL turns an epoch-ms time into a period number; labels are made from the numbers afterwards. */
export type PeriodSql =
  | { kind: 'day' | 'week'; segments: OffsetSegment[] }
  | { kind: 'month'; starts: number[] };

export interface ReportQuery {
  projectId: string;
  dialect: DialectName;
  from: number;
  to: number;
  fromDay: string;
  toDay: string;
  parts: KeyPart[];
  model: AttributionModel;
  targetOnly: boolean;
  period?: PeriodSql;
}

const lit = (n: number) => sql.lit(n);

export function periodExpr(at: RawBuilder<unknown>, period: PeriodSql): RawBuilder<unknown> {
  if (period.kind === 'month') {
    const branches = period.starts
      .map((start, i) => ({ start, i }))
      .reverse()
      .map(({ start, i }) => sql`when ${at} >= ${lit(start)} then ${lit(i)}`);
    return sql`case ${sql.join(branches, sql` `)} else 0 end`;
  }
  const [first, ...rest] = period.segments;
  const offset =
    rest.length === 0
      ? lit(first?.offset ?? 0)
      : sql`case ${sql.join(
          rest.map(
            (s, i) =>
              sql`when ${at} < ${lit(s.start)} then ${lit((i === 0 ? first : rest[i - 1])?.offset ?? 0)}`,
          ),
          sql` `,
        )} else ${lit(rest[rest.length - 1]?.offset ?? 0)} end`;
  const day = sql`((${at} + ${offset}) / ${lit(86_400_000)})`;
  return period.kind === 'day' ? day : sql`((${day} + 3) / 7)`;
}

function landing(dialect: DialectName): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`split_part(cv.landing_url, '?', 1)`
    : sql`case when instr(cv.landing_url, '?') > 0 then substr(cv.landing_url, 1, instr(cv.landing_url, '?') - 1) else cv.landing_url end`;
}

/**
 * The key columns of a touch: the credited visit `cv` first, then what the call itself knows (`t`: its source
 * snapshot; `sc`: its static channel). For visits, `t` and `sc` are absent.
 */
export function partExprs(q: ReportQuery, withCall: boolean): RawBuilder<unknown>[] {
  const orCall = (visit: string, call: RawBuilder<unknown>) =>
    withCall ? sql`coalesce(${sql.ref(visit)}, ${call})` : sql.ref(visit);
  return q.parts.map((part) => {
    switch (part) {
      case 'channel':
        return orCall('cv.channel', sql`t.channel`);
      case 'source':
        return orCall('cv.source', sql`t.source`);
      case 'medium':
        return orCall('cv.medium', sql`t.medium`);
      case 'ad_network':
        return orCall('cv.ad_network', sql`sc.source`);
      case 'campaign':
        return orCall('cv.campaign', sql`sc.campaign`);
      case 'ad_group':
        return sql`cv.ad_group`;
      case 'ad':
        return sql`cv.ad`;
      case 'keyword':
        return sql`cv.keyword`;
      case 'landing_page':
        return landing(q.dialect);
      case 'device':
        return sql`cv.device_type`;
      case 'static_channel':
        return withCall ? sql`sc.name` : sql`cast(null as text)`;
      case 'period':
        return q.period ? periodExpr(withCall ? sql`t.at` : sql`cv.started_at`, q.period) : sql`0`;
    }
    return sql`null`;
  });
}

/**
 * The visit a touch (alias `x`: a call or a deal) is credited to under the model: stored by the crediting step
 * (credit.service.ts). A touch not credited yet (or whose visit changed since) counts for its own visit. The
 * credited visit's keys are read from its narrow copy, credited_visit, not from the visit table.
 */
function credited(x: string, model: AttributionModel): RawBuilder<unknown> {
  const column = sql.ref(`${x}.${model === 'first_click' ? 'credit_first_id' : 'credit_last_id'}`);
  const visit = sql.ref(`${x}.visit_id`);
  return sql`case when ${sql.ref(`${x}.credit_of`)} = ${visit} then ${column} else ${visit} end`;
}

const selectParts = (exprs: RawBuilder<unknown>[]) =>
  sql.join(
    exprs.map((e, i) => sql`${e} as ${sql.ref(`k${i}`)}`),
    sql`, `,
  );
const groupOrdinals = (count: number) =>
  sql.join(
    Array.from({ length: count }, (_, i) => lit(i + 1)),
    sql`, `,
  );

type Row = Record<string, unknown>;

export async function visitSums(db: Db, q: ReportQuery): Promise<Row[]> {
  const exprs = partExprs(q, false);
  const parts = exprs.length > 0 ? sql`${selectParts(exprs)}, ` : sql``;
  const group = exprs.length > 0 ? sql`group by ${groupOrdinals(exprs.length)}` : sql``;
  const result = await sql<Row>`select ${parts}count(*) as visits from visit cv
    where cv.project_id = ${q.projectId} and cv.started_at >= ${q.from} and cv.started_at < ${q.to} ${group}`.execute(
    db,
  );
  return result.rows;
}

function callBase(q: ReportQuery): RawBuilder<unknown> {
  const target = q.targetOnly ? sql` and c.is_target = 1` : sql``;
  return sql`select c.caller, c.is_target, c.status, c.confidence, c.started_at as at, c.channel, c.source, c.medium,
      c.static_channel_id, ${credited('c', q.model)} as credited_id
    from call c
    where c.project_id = ${q.projectId} and c.started_at >= ${q.from} and c.started_at < ${q.to}${target}`;
}

const unattributed = sql`case when cv.id is null and sc.id is null and t.channel is null then 1 else 0 end`;

export async function callSums(db: Db, q: ReportQuery): Promise<Row[]> {
  const exprs = [...partExprs(q, true), unattributed];
  const missed = sql.join(MISSED_STATUSES.map((s) => sql.lit(s)));
  const result = await sql<Row>`with t as (${callBase(q)})
    select ${selectParts(exprs)}, count(*) as calls, count(distinct t.caller) as callers,
      sum(t.is_target) as target_calls, sum(case when t.status in (${missed}) then 1 else 0 end) as missed_calls,
      sum(t.confidence) as confidence_sum, count(t.confidence) as confidence_count
    from t left join credited_visit cv on cv.id = t.credited_id left join static_channel sc on sc.id = t.static_channel_id
    group by ${groupOrdinals(exprs.length)}`.execute(db);
  return result.rows;
}

/** Distinct callers over the whole report (rows' unique callers do not add up when a caller spans rows). */
export async function totalCallers(db: Db, q: ReportQuery): Promise<number> {
  const target = q.targetOnly ? sql` and c.is_target = 1` : sql``;
  const result = await sql<{ n: number | string }>`select count(distinct c.caller) as n from call c
    where c.project_id = ${q.projectId} and c.started_at >= ${q.from} and c.started_at < ${q.to}${target}`.execute(
    db,
  );
  return Number(result.rows[0]?.n ?? 0);
}

export async function dealSums(db: Db, q: ReportQuery): Promise<Row[]> {
  const exprs = [...partExprs(q, true), unattributed];
  const target = q.targetOnly ? sql` and (d.call_id is null or c.is_target = 1)` : sql``;
  const result = await sql<Row>`with t as (
      select d.status, d.revenue_minor, d.currency, d.opened_at as at, d.call_id, c.channel, c.source, c.medium,
        c.static_channel_id,
        case when c.visit_id is not null then ${credited('c', q.model)} else ${credited('d', q.model)} end as credited_id
      from deal d left join call c on c.id = d.call_id
      where d.project_id = ${q.projectId} and d.opened_at >= ${q.from} and d.opened_at < ${q.to}${target})
    select ${selectParts(exprs)}, t.currency as currency, count(*) as deals,
      sum(case when t.status = 'won' then 1 else 0 end) as won_deals,
      sum(case when t.status = 'won' and t.call_id is not null then 1 else 0 end) as won_from_calls,
      sum(case when t.call_id is null then 1 else 0 end) as without_call,
      sum(case when t.status = 'won' then t.revenue_minor else 0 end) as revenue_minor,
      sum(case when t.status = 'won' and t.call_id is not null then t.revenue_minor else 0 end) as call_revenue_minor
    from t left join credited_visit cv on cv.id = t.credited_id left join static_channel sc on sc.id = t.static_channel_id
    group by ${groupOrdinals(exprs.length + 1)}`.execute(db);
  return result.rows;
}

export type SpendColumn = 'ad_network' | 'campaign' | 'ad_group' | 'ad' | 'keyword' | 'day';

export async function spendSums(db: Db, q: ReportQuery, columns: SpendColumn[]): Promise<Row[]> {
  const cols = [...columns.map((c) => sql.ref(c)), sql.ref('currency')];
  const result = await sql<Row>`select ${sql.join(cols)}, sum(cost_minor) as cost_minor from spend
    where project_id = ${q.projectId} and day >= ${q.fromDay} and day <= ${q.toDay}
    group by ${sql.join(cols)}`.execute(db);
  return result.rows;
}

export const listStaticChannels = (db: Db, projectId: string) =>
  db
    .selectFrom('static_channel')
    .select(['name', 'kind', 'source', 'medium', 'campaign'])
    .where('project_id', '=', projectId)
    .execute();

export const listRates = (db: Db, projectId: string) =>
  db.selectFrom('currency_rate').select(['currency', 'rate']).where('project_id', '=', projectId).execute();
