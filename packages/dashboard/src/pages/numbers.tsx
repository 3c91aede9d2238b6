import type { Pool, Project, StaticChannel } from '../api.js';
import { ErrorNote, Loading } from '../components/ui.js';
import { formatDateTime, formatMoney, formatPhone } from '../format.js';
import { useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import { listAllNumbers } from '../setup.js';
import { useAsync } from '../use-async.js';

/** The number inventory: what each number serves, and each pool's size and exhaustion count. */
export function NumbersPage({ project }: { project: Project }) {
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
  if (state.loading && !state.data) return <Loading />;
  if (!state.data) return <ErrorNote error={state.error} onRetry={state.reload} />;
  const { numbers, pools, channels } = state.data;
  const poolById = new Map(pools.map((p) => [p.id, p]));
  const channelByNumber = new Map(channels.map((c) => [c.numberId, c]));
  const fallbackOf = new Map(pools.filter((p) => p.fallbackNumberId).map((p) => [p.fallbackNumberId, p]));

  return (
    <>
      <h1>{t('numbers')}</h1>
      {pools
        .filter((p) => p.exhaustedCount > 0)
        .map((p) => (
          <p key={p.id} className="warning" role="status">
            {t('exhaustedWarning', {
              pool: p.name,
              count: p.exhaustedCount,
              when: p.lastExhaustedAt ? formatDateTime(p.lastExhaustedAt, locale, project.timezone) : '—',
            })}
          </p>
        ))}
      {pools.length > 0 && (
        <section aria-labelledby="pools-title">
          <h2 id="pools-title">{t('pools')}</h2>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('pool')}</th>
                <th scope="col">{t('members')}</th>
                <th scope="col">{t('hold')}</th>
                <th scope="col">{t('whenExhausted')}</th>
                <th scope="col">{t('exhausted')}</th>
              </tr>
            </thead>
            <tbody>
              {pools.map((p) => (
                <tr key={p.id} className={p.exhaustedCount > 0 ? 'warn-row' : ''}>
                  <td>{p.name}</td>
                  <td>{p.numberIds.length}</td>
                  <td>{Math.round(p.holdSeconds / 60)} min</td>
                  <td>{t(p.exhaustionPolicy === 'fallback' ? 'useFallback' : 'reuseOldest')}</td>
                  <td>{p.exhaustedCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section aria-labelledby="numbers-title">
        <h2 id="numbers-title">
          {t('numbers')} <span className="muted">({numbers.length})</span>
        </h2>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('number')}</th>
              <th scope="col">{t('label')}</th>
              <th scope="col">
                {t('pool')} / {t('channel')}
              </th>
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
                <tr key={n.id}>
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
                  <td>{t(n.status)}</td>
                  <td className="num">
                    {formatMoney(n.monthlyCost, n.costCurrency || project.currency, locale)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </>
  );
}
