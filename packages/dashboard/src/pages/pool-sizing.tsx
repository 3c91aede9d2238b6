import { type FormEvent, useState } from 'react';
import type { ObservedPoolSizing, Pool, PoolSizing, Project } from '../api.js';
import { ErrorNote, Field, Loading } from '../components/ui.js';
import { useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import { useAsync } from '../use-async.js';

/** Days of each pool's visits that the recommendation reads. */
const OBSERVED_DAYS = 14;
const ACCURACIES = [0.9, 0.95, 0.99, 0.999];

/**
 * How many numbers each pool needs, from its own visits (GET /pools/:id/sizing), and a calculator for planned
 * traffic (GET /pools/sizing). The model: docs/pool-sizing.md.
 */
export function PoolSizingPage({ project }: { project: Project }) {
  const { t } = useI18n();
  const { api } = useSession();
  const base = `/api/v1/projects/${project.id}/pools`;
  const pools = useAsync(async () => {
    const list = await api.get<Pool[]>(base);
    const sizing = await Promise.all(
      list.map((p) => api.get<ObservedPoolSizing>(`${base}/${p.id}/sizing`, { days: OBSERVED_DAYS })),
    );
    return list.map((pool, i) => ({ pool, sizing: sizing[i] as ObservedPoolSizing }));
  }, [api, base]);

  return (
    <>
      <h1>{t('navPoolSizing')}</h1>
      <p className="sizing-lead">{t('sizingLead')}</p>
      <section aria-labelledby="sizing-pools-title">
        <h2 id="sizing-pools-title">{t('sizingPoolsTitle')}</h2>
        {pools.loading && !pools.data && <Loading />}
        <ErrorNote error={pools.error} onRetry={pools.reload} />
        {pools.data?.length === 0 && <p className="muted">{t('sizingNoPools')}</p>}
        {pools.data && pools.data.length > 0 && <PoolTable rows={pools.data} timeZone={project.timezone} />}
      </section>
      <Calculator base={base} holdSeconds={pools.data?.[0]?.pool.holdSeconds ?? 900} />
    </>
  );
}

const percent = (accuracy: number, locale: string) =>
  new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(accuracy);
const decimal = (n: number, locale: string) =>
  new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(n);
const neededFor = (s: PoolSizing | null, accuracy: number) =>
  s?.levels.find((l) => l.accuracy === accuracy)?.numbersNeeded;

function PoolTable({
  rows,
  timeZone,
}: {
  rows: { pool: Pool; sizing: ObservedPoolSizing }[];
  timeZone: string;
}) {
  const { t, locale } = useI18n();
  return (
    <>
      <div className="table-wrap">
        <table className="table" aria-labelledby="sizing-pools-title">
          <thead>
            <tr>
              <th scope="col">{t('pool')}</th>
              <th scope="col" className="num">
                {t('sizingNow')}
              </th>
              <th scope="col" className="num">
                {t('sizingNeeded', { percent: percent(0.95, locale) })}
              </th>
              <th scope="col" className="num">
                {t('sizingNeeded', { percent: percent(0.99, locale) })}
              </th>
              <th scope="col" className="num">
                {t('ruleOf20')}
              </th>
              <th scope="col" className="num">
                {t('exhausted')}
              </th>
              <th scope="col">{t('sizingBasis')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ pool, sizing }) => {
              const seen = sizing.observed;
              const need95 = neededFor(sizing.recommendation, 0.95);
              const short = need95 !== undefined && seen.size < need95;
              const dash = <span className="muted">—</span>;
              return (
                <tr key={pool.id} className={short ? 'warn-row' : ''}>
                  <th scope="row">{pool.name}</th>
                  <td className="num">
                    {seen.size}
                    {short && <span className="badge">{t('sizingTooFew')}</span>}
                  </td>
                  <td className="num">{need95 ?? dash}</td>
                  <td className="num">{neededFor(sizing.recommendation, 0.99) ?? dash}</td>
                  <td className="num">{sizing.ruleOfTwenty}</td>
                  <td className="num">{seen.exhaustedCount}</td>
                  <td>
                    {sizing.basis === 'observed'
                      ? t('basisObserved', {
                          visits: seen.visits,
                          days: decimal(seen.days, locale),
                          hour: String(seen.busiestHour ?? 0).padStart(2, '0'),
                        })
                      : t('basisTooLittle', { visits: seen.visits, days: decimal(seen.days, locale) })}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="hint below-table">{t('sizingPoolsHint', { days: OBSERVED_DAYS, zone: timeZone })}</p>
    </>
  );
}

/** The form keeps text as typed; the API checks the values and says what is wrong. */
function Calculator({ base, holdSeconds }: { base: string; holdSeconds: number }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [form, setForm] = useState({
    dailyVisitors: '1000',
    sharePercent: '12',
    visitMinutes: '3',
    holdMinutes: '',
    accuracy: '0.95',
  });
  const [answer, setAnswer] = useState<PoolSizing | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const hold = form.holdMinutes === '' ? String(Math.round(holdSeconds / 60)) : form.holdMinutes;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  const num = (text: string) => Number(text.replace(',', '.'));
  const fmt = (n: number) => decimal(n, locale);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(
        await api.get<PoolSizing>(`${base}/sizing`, {
          dailyVisitors: num(form.dailyVisitors),
          busiestHourShare: num(form.sharePercent) / 100,
          visitSeconds: Math.round(num(form.visitMinutes) * 60),
          holdSeconds: Math.round(num(hold) * 60),
          accuracy: num(form.accuracy),
        }),
      );
    } catch (err) {
      setAnswer(undefined);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="calculator-title">
      <h2 id="calculator-title">{t('calculatorTitle')}</h2>
      <form className="grid-form card" onSubmit={submit}>
        <Field label={t('dailyVisitors')}>
          {(p) => (
            <input
              {...p}
              inputMode="decimal"
              required
              value={form.dailyVisitors}
              onChange={set('dailyVisitors')}
            />
          )}
        </Field>
        <Field label={t('busiestHourShare')} hint={t('busiestHourShareHint')}>
          {(p) => (
            <input
              {...p}
              inputMode="decimal"
              required
              value={form.sharePercent}
              onChange={set('sharePercent')}
            />
          )}
        </Field>
        <Field label={t('visitMinutes')}>
          {(p) => (
            <input
              {...p}
              inputMode="decimal"
              required
              value={form.visitMinutes}
              onChange={set('visitMinutes')}
            />
          )}
        </Field>
        <Field label={t('holdMinutes')}>
          {(p) => <input {...p} inputMode="decimal" required value={hold} onChange={set('holdMinutes')} />}
        </Field>
        <Field label={t('targetAccuracy')} hint={t('targetAccuracyHint')}>
          {(p) => (
            <select {...p} value={form.accuracy} onChange={set('accuracy')}>
              {ACCURACIES.map((a) => (
                <option key={a} value={String(a)}>
                  {percent(a, locale)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('calculate')}
          </button>
        </div>
        <ErrorNote error={error} />
      </form>
      <div aria-live="polite">
        {answer && (
          <div className="card sizing-answer" data-testid="sizing-answer">
            <p>
              <strong>
                {t('sizingAnswer', {
                  count: answer.numbersNeeded,
                  percent: percent(answer.accuracy, locale),
                })}
              </strong>
            </p>
            <p>
              {t('sizingWhy', {
                visitors: fmt(answer.peakHourVisitors),
                minutes: fmt(answer.busySecondsPerVisitor / 60),
                busy: fmt(answer.expectedBusy),
              })}
            </p>
            <p>
              {t('sizingRule', { count: answer.ruleOfTwenty })}{' '}
              {t('sizingLevels', {
                list: answer.levels
                  .map((l) => `${percent(l.accuracy, locale)}: ${l.numbersNeeded}`)
                  .join(' · '),
              })}
            </p>
          </div>
        )}
      </div>
    </section>
  );
}
