import type { Pool, PoolsUsage, Project, StaticChannel, TrackerDrops } from '../api.js';
import { ErrorNote, Loading } from '../components/ui.js';
import { formatDateTime, formatMoney, formatPhone, formatTime } from '../format.js';
import { type MessageKey, useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import { listAllNumbers } from '../setup.js';
import { useAsync, usePolling } from '../use-async.js';

type NumberUsage = PoolsUsage['numbers'][number];
type PoolUsage = PoolsUsage['pools'][number];

/**
 * The number inventory: what each number serves and what it is doing now (free, leased to an open page, held
 * after the page closed), each pool's usage and peak, and warnings when a pool runs out. The live part polls
 * /pools/usage; the inventory loads once.
 */
export function NumbersPage({ project, pollMs = 5000 }: { project: Project; pollMs?: number }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const base = `/api/v1/projects/${project.id}`;
  const state = useAsync(async () => {
    const [numbers, pools, channels] = await Promise.all([
      listAllNumbers(api, project.id),
      api.get<Pool[]>(`${base}/pools`),
      api.get<StaticChannel[]>(`${base}/static-channels`),
    ]);
    return { numbers, pools, channels };
  }, [api, base]);
  const usage = usePolling(() => api.get<PoolsUsage>(`${base}/pools/usage`), [api, base], pollMs);
  // What the tracker kept away from the pools over the last week: bots and floods never take a number.
  const drops = useAsync(() => {
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const now = Date.now();
    return api.get<TrackerDrops>(`${base}/tracker/drops`, { from: day(now - 6 * 86_400_000), to: day(now) });
  }, [api, base]);
  if (state.loading && !state.data) return <Loading />;
  if (!state.data) return <ErrorNote error={state.error} onRetry={state.reload} />;
  const { numbers, pools, channels } = state.data;
  const poolById = new Map(pools.map((p) => [p.id, p]));
  const channelByNumber = new Map(channels.map((c) => [c.numberId, c]));
  const fallbackOf = new Map(pools.filter((p) => p.fallbackNumberId).map((p) => [p.fallbackNumberId, p]));
  const live = usage.data;
  const usageOf = new Map(live?.pools.map((u) => [u.poolId, u]));
  const stateOf = new Map(live?.numbers.map((n) => [n.numberId, n]));
  const when = (ms: number | null) => (ms ? formatDateTime(ms, locale, project.timezone) : '—');

  return (
    <>
      <div className="page-head">
        <h1>{t('numbers')}</h1>
        {pollMs > 0 && (
          <span className="live muted">
            <span className="dot" aria-hidden="true" />{' '}
            {t('liveEvery', { seconds: Math.round(pollMs / 1000) })}
          </span>
        )}
      </div>
      <ErrorNote error={usage.error} onRetry={usage.reload} />
      {pools.map((p) => {
        const u = usageOf.get(p.id);
        const full = u !== undefined && u.size > 0 && u.free === 0;
        const past = (u?.exhaustedCount ?? p.exhaustedCount) > 0;
        if (!full && !past) return null;
        return (
          <p key={p.id} className="warning" role={full ? 'alert' : 'status'}>
            {full && (
              <>
                <strong>
                  {t('poolFullNow', {
                    pool: p.name,
                    size: u.size,
                    what: t(p.exhaustionPolicy === 'fallback' ? 'fullFallback' : 'fullShared'),
                  })}
                </strong>{' '}
              </>
            )}
            {past &&
              t('exhaustedWarning', {
                pool: p.name,
                count: u?.exhaustedCount ?? p.exhaustedCount,
                when: when(u?.lastExhaustedAt ?? p.lastExhaustedAt),
              })}
          </p>
        );
      })}
      {pools.length > 0 && (
        <section aria-labelledby="pools-title">
          <h2 id="pools-title">{t('pools')}</h2>
          <div className="table-wrap">
            <table className="table pools">
              <thead>
                <tr>
                  <th scope="col">{t('pool')}</th>
                  <th scope="col">{t('usageNow')}</th>
                  <th scope="col" className="num">
                    {t('leasedCount')}
                  </th>
                  <th scope="col" className="num">
                    {t('heldCount')}
                  </th>
                  <th scope="col" className="num">
                    {t('freeCount')}
                  </th>
                  <th scope="col" className="num">
                    {t('peak', { hours: live?.peakWindowHours ?? 24 })}
                  </th>
                  <th scope="col">{t('hold')}</th>
                  <th scope="col">{t('whenExhausted')}</th>
                  <th scope="col" className="num">
                    {t('exhausted')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {pools.map((p) => {
                  const u = usageOf.get(p.id);
                  return (
                    <tr key={p.id} className={u && u.size > 0 && u.free === 0 ? 'warn-row' : ''}>
                      <th scope="row">{p.name}</th>
                      <td>{u ? <UsageBar usage={u} /> : '…'}</td>
                      <td className="num">{u?.leased ?? '…'}</td>
                      <td className="num">{u?.held ?? '…'}</td>
                      <td className="num">{u?.free ?? '…'}</td>
                      <td className="num" title={u?.peakAt ? when(u.peakAt) : undefined}>
                        {u ? t('ofSize', { count: u.peakBusy, size: u.size }) : '…'}
                      </td>
                      <td className="nowrap">{t('minutesShort', { n: Math.round(p.holdSeconds / 60) })}</td>
                      <td>{t(p.exhaustionPolicy === 'fallback' ? 'useFallback' : 'reuseOldest')}</td>
                      <td className="num">{u?.exhaustedCount ?? p.exhaustedCount}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="hint below-table">{t('stateHelp', { seconds: live?.pageOpenSeconds ?? 60 })}</p>
          {drops.data && (
            <p className="hint after-hint" data-testid="drops">
              {t('dropsWeek', {
                bots: drops.data.total.bot,
                floods: drops.data.total.rate_limited,
                invalid: drops.data.total.invalid_url,
              })}
            </p>
          )}
        </section>
      )}
      <section aria-labelledby="numbers-title">
        <h2 id="numbers-title">
          {t('numbers')} <span className="muted">({numbers.length})</span>
        </h2>
        <div className="table-wrap">
          <table className="table" aria-labelledby="numbers-title">
            <thead>
              <tr>
                <th scope="col">{t('number')}</th>
                <th scope="col">{t('label')}</th>
                <th scope="col">
                  {t('pool')} / {t('channel')}
                </th>
                <th scope="col">{t('numberNow')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col" className="num">
                  {t('monthlyCost')}
                </th>
              </tr>
            </thead>
            <tbody>
              {numbers.map((n) => {
                const pool = n.poolId ? poolById.get(n.poolId) : undefined;
                const channel = channelByNumber.get(n.id);
                const fallbackFor = fallbackOf.get(n.id);
                return (
                  <tr key={n.id} data-number-id={n.id}>
                    <td className="phone">{formatPhone(n.number)}</td>
                    <td>{n.label || '—'}</td>
                    <td>
                      {pool?.name ??
                        (channel
                          ? channel.name
                          : fallbackFor
                            ? `${t('fallbackNumber')}: ${fallbackFor.name}`
                            : t('unassigned'))}
                    </td>
                    <td>{pool ? <StateBadge state={stateOf.get(n.id)} project={project} /> : '—'}</td>
                    <td>{t(n.status)}</td>
                    <td className="num">
                      {formatMoney(n.monthlyCost, n.costCurrency || project.currency, locale)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

/** "2 of 3 busy" with a bar beside it (the bar only repeats the text, so screen readers skip it). */
function UsageBar({ usage }: { usage: PoolUsage }) {
  const { t } = useI18n();
  const busy = usage.leased + usage.held;
  const share = usage.size === 0 ? 0 : busy / usage.size;
  const level = share >= 1 ? 'full' : share >= 0.8 ? 'high' : 'ok';
  return (
    <span className="usage">
      <span className={`usage-bar ${level}`} aria-hidden="true">
        <span className="leased" style={{ width: `${(100 * usage.leased) / Math.max(1, usage.size)}%` }} />
        <span className="held" style={{ width: `${(100 * usage.held) / Math.max(1, usage.size)}%` }} />
      </span>
      {t('poolBusy', { busy, size: usage.size })}
    </span>
  );
}

const STATE_LABEL: Record<NumberUsage['state'], MessageKey> = {
  free: 'state_free',
  leased: 'state_leased',
  held: 'state_held',
};

function StateBadge({ state, project }: { state: NumberUsage | undefined; project: Project }) {
  const { t, locale } = useI18n();
  if (!state) return <span className="muted">…</span>;
  const until = state.expiresAt ? formatTime(state.expiresAt, locale, project.timezone) : '';
  return (
    <span className={`state state-${state.state}`}>
      {t(STATE_LABEL[state.state], { time: until })}
      {state.liveLeases > 1 && <span className="badge">{t('sharedBy', { count: state.liveLeases })}</span>}
    </span>
  );
}
