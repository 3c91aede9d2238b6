import { useCallback, useEffect, useRef, useState } from 'react';
import { type Api, CALL_STATUSES, type Call, type Project, type Visit } from '../api.js';
import { ErrorNote, Field, Loading } from '../components/ui.js';
import { formatDateTime, formatDuration, formatPhone } from '../format.js';
import { label, useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import { useAsync } from '../use-async.js';

const PAGE_SIZE = 50;
const CHANNELS = ['paid', 'organic', 'direct', 'referral', 'social', 'email', 'offline'];

interface Filters {
  status: string;
  channel: string;
  target: '' | 'true' | 'false';
}

/** Newest first (ids are UUIDv7, so id order is start order); later answers replace earlier ones. */
export function mergeCalls(current: Call[], incoming: Call[]): Call[] {
  const byId = new Map(current.map((c) => [c.id, c]));
  for (const c of incoming) byId.set(c.id, c);
  return [...byId.values()].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
}

const query = (f: Filters, before?: string) => ({
  limit: PAGE_SIZE,
  status: f.status || undefined,
  channel: f.channel || undefined,
  target: f.target || undefined,
  before,
});

/** The live calls log: the newest page is polled every few seconds; older pages load on demand. */
export function CallsPage({ project, pollMs = 4000 }: { project: Project; pollMs?: number }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [filters, setFilters] = useState<Filters>({ status: '', channel: '', target: '' });
  const [calls, setCalls] = useState<Call[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [hasOlder, setHasOlder] = useState(false);
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<string>();
  const url = `/api/v1/projects/${project.id}/calls`;
  const generation = useRef(0);

  const refresh = useCallback(
    async (reset: boolean) => {
      const mine = generation.current;
      try {
        const page = await api.get<Call[]>(url, query(filters));
        if (mine !== generation.current) return; // the filters changed meanwhile
        setCalls((prev) => (reset ? page : mergeCalls(prev, page)));
        if (reset) setHasOlder(page.length === PAGE_SIZE);
        setLoaded(true);
        setError(undefined);
      } catch (e) {
        if (mine === generation.current) setError(e);
      }
    },
    [api, url, filters],
  );

  useEffect(() => {
    generation.current += 1;
    setLoaded(false);
    void refresh(true);
    const timer = setInterval(() => {
      if (typeof document === 'undefined' || !document.hidden) void refresh(false);
    }, pollMs);
    return () => clearInterval(timer);
  }, [refresh, pollMs]);

  const loadOlder = async () => {
    const last = calls[calls.length - 1];
    if (!last) return;
    try {
      const page = await api.get<Call[]>(url, query(filters, last.id));
      setCalls((prev) => mergeCalls(prev, page));
      setHasOlder(page.length === PAGE_SIZE);
    } catch (e) {
      setError(e);
    }
  };

  const setFilter = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setFilters((f) => ({ ...f, [k]: e.target.value }));

  return (
    <div className={selected ? 'with-panel' : ''}>
      <div className="page-head">
        <h1>{t('calls')}</h1>
        <span className="live muted">
          <span className="dot" aria-hidden="true" /> {t('liveUpdates')}
        </span>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('calls')}>
        <Field label={t('status')}>
          {(p) => (
            <select {...p} value={filters.status} onChange={setFilter('status')}>
              <option value="">{t('allStatuses')}</option>
              {CALL_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {label(t, 'st_', s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('channel')}>
          {(p) => (
            <select {...p} value={filters.channel} onChange={setFilter('channel')}>
              <option value="">{t('allChannels')}</option>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {label(t, 'ch_', c)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('target')}>
          {(p) => (
            <select {...p} value={filters.target} onChange={setFilter('target')}>
              <option value="">{t('anyTarget')}</option>
              <option value="true">{t('targetOnly')}</option>
              <option value="false">{t('nonTargetOnly')}</option>
            </select>
          )}
        </Field>
        <a className="button" href={`${url}/export.csv`}>
          {t('exportCsv')}
        </a>
      </form>
      <ErrorNote error={error} onRetry={() => void refresh(true)} />
      {!loaded && !error && <Loading />}
      {loaded && calls.length === 0 && <p className="muted empty">{t('noCalls')}</p>}
      {calls.length > 0 && (
        <div className="table-wrap">
          <table className="table calls" aria-label={t('calls')}>
            <thead>
              <tr>
                <th scope="col">{t('time')}</th>
                <th scope="col">{t('caller')}</th>
                <th scope="col">{t('trackingNumber')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col" className="num">
                  {t('duration')}
                </th>
                <th scope="col">{t('channel')}</th>
                <th scope="col" className="num">
                  {t('confidence')}
                </th>
                <th scope="col">{t('recording')}</th>
              </tr>
            </thead>
            <tbody>
              {calls.map((c) => (
                <tr key={c.id} className={selected === c.id ? 'selected' : ''} data-call-id={c.id}>
                  <td className="when">
                    <button
                      type="button"
                      className="link"
                      onClick={() => setSelected(c.id)}
                      aria-label={`${t('callDetails')}: ${formatDateTime(c.startedAt, locale, project.timezone)}`}
                    >
                      {formatDateTime(c.startedAt, locale, project.timezone)}
                    </button>
                    {c.isTarget && <span className="badge ok">{t('target')}</span>}
                  </td>
                  <td className="phone">
                    {formatPhone(c.caller)}
                    {!c.firstTimeCaller && <span className="badge">{t('repeat')}</span>}
                  </td>
                  <td className="phone">{formatPhone(c.trackingNumber)}</td>
                  <td>
                    <span className={`status st-${c.status}`}>{label(t, 'st_', c.status)}</span>
                  </td>
                  <td className="num">{formatDuration(c.talkSeconds)}</td>
                  <td>
                    {label(t, 'ch_', c.channel)}
                    {c.source && (
                      <span className="muted sub">
                        {c.source}
                        {c.medium ? ` / ${c.medium}` : ''}
                      </span>
                    )}
                  </td>
                  <td className="num">
                    <Confidence value={c.confidence} />
                  </td>
                  <td>{c.recordingUrl ? <Recording url={c.recordingUrl} label={t('recording')} /> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hasOlder && (
        <button type="button" onClick={loadOlder} className="more">
          {t('olderCalls')}
        </button>
      )}
      {selected && (
        <CallPanel api={api} project={project} id={selected} onClose={() => setSelected(undefined)} />
      )}
    </div>
  );
}

function Recording({ url, label: name }: { url: string; label: string }) {
  // biome-ignore lint/a11y/useMediaCaption: call recordings come without transcripts to caption them with
  return <audio controls preload="none" src={url} aria-label={name} />;
}

function Confidence({ value }: { value: number | null }) {
  if (value === null) return <>—</>;
  const level = value >= 80 ? 'high' : value >= 40 ? 'mid' : 'low';
  return <span className={`confidence ${level}`}>{value}%</span>;
}

function CallPanel({
  api,
  project,
  id,
  onClose,
}: {
  api: Api;
  project: Project;
  id: string;
  onClose(): void;
}) {
  const { t, locale } = useI18n();
  const detail = useAsync(
    () => api.get<{ call: Call; visit: Visit | null }>(`/api/v1/projects/${project.id}/calls/${id}`),
    [api, project.id, id],
  );
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const call = detail.data?.call;
  const visit = detail.data?.visit;
  const row = (k: string, v: unknown) =>
    v === null || v === undefined || v === '' ? null : (
      <>
        <dt>{k}</dt>
        <dd>{String(v)}</dd>
      </>
    );
  return (
    <aside className="panel" aria-labelledby="call-panel-title" role="dialog" aria-modal="false">
      <div className="panel-head">
        <h2 id="call-panel-title">{t('callDetails')}</h2>
        <button type="button" ref={closeRef} onClick={onClose} aria-label={t('close')}>
          ×
        </button>
      </div>
      {detail.loading && !call && <Loading />}
      <ErrorNote error={detail.error} />
      {call && (
        <>
          <dl className="facts">
            {row(t('time'), formatDateTime(call.startedAt, locale, project.timezone))}
            {row(
              t('caller'),
              `${formatPhone(call.caller)} (${call.firstTimeCaller ? t('firstTime') : t('repeat')})`,
            )}
            {row(t('trackingNumber'), formatPhone(call.trackingNumber))}
            {row(
              t('forwardedTo'),
              call.destination &&
                (call.destination.startsWith('+') ? formatPhone(call.destination) : call.destination),
            )}
            {row(t('status'), label(t, 'st_', call.status))}
            {row(t('wait'), formatDuration(call.waitSeconds))}
            {row(t('duration'), formatDuration(call.talkSeconds))}
            {row(t('target'), call.isTarget ? t('yes') : t('no'))}
          </dl>
          {call.recordingUrl && <Recording url={call.recordingUrl} label={t('recording')} />}
          <h3>{t('attribution')}</h3>
          <p>
            <Confidence value={call.confidence} /> · {label(t, 'ch_', call.channel)}
            {call.source ? ` · ${call.source}${call.medium ? ` / ${call.medium}` : ''}` : ''}
          </p>
          {call.attribution && (
            <>
              <p className="explanation">
                <strong>{t('explanation')}:</strong> {call.attribution.explanation}{' '}
                <code className="muted">{call.attribution.rule}</code>
              </p>
              {call.attribution.candidates.length > 1 && (
                <>
                  <h4>{t('candidates')}</h4>
                  <ul>
                    {call.attribution.candidates.map((c) => (
                      <li key={c.visitId}>
                        <code>…{c.visitId.slice(-8)}</code> — {t('weight')} {c.weight.toFixed(2)}
                        {c.shared ? `, ${t('shared')}` : ''}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </>
          )}
          <h3>{t('visit')}</h3>
          {visit ? (
            <dl className="facts">
              {row(
                t('time'),
                typeof visit.started_at === 'number'
                  ? formatDateTime(visit.started_at, locale, project.timezone)
                  : null,
              )}
              {row(t('landing'), visit.landing_url)}
              {row(t('referrer'), visit.referrer)}
              {row(t('channel'), label(t, 'ch_', visit.channel as string | null))}
              {row(t('source'), [visit.source, visit.medium].filter(Boolean).join(' / '))}
              {row(t('campaign'), visit.utm_campaign ?? visit.campaign)}
              {row(t('keyword'), visit.keyword ?? visit.utm_term)}
              {row(t('device'), [visit.device_type, visit.browser, visit.os].filter(Boolean).join(', '))}
              {row('GA client id', visit.ga_client_id)}
              {row('Metrica ClientID', visit.ym_client_id)}
            </dl>
          ) : (
            <p className="muted">{t('noVisit')}</p>
          )}
        </>
      )}
    </aside>
  );
}
