import { useCallback, useEffect, useRef, useState } from 'react';
import { CALL_STATUSES, type Call, type Project, withQuery } from '../api.js';
import { DownloadLink } from '../components/download-link.js';
import { ErrorNote, Field, Loading } from '../components/ui.js';
import { label, useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import { CallPanel } from './call-panel.js';
import { CallTable } from './call-table.js';

/** The newest page, polled; older calls come in larger pages as the table is scrolled towards its end. */
const PAGE_SIZE = 50;
const OLDER_PAGE_SIZE = 500;
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
  limit: before ? OLDER_PAGE_SIZE : PAGE_SIZE,
  status: f.status || undefined,
  channel: f.channel || undefined,
  target: f.target || undefined,
  before,
});

/** The live calls log: the newest page is polled every few seconds; older pages load on demand. */
export function CallsPage({ project, pollMs = 4000 }: { project: Project; pollMs?: number }) {
  const { t } = useI18n();
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

  const loadingOlder = useRef(false);
  const oldest = calls[calls.length - 1]?.id;
  const loadOlder = useCallback(async () => {
    if (!oldest || loadingOlder.current) return;
    loadingOlder.current = true;
    const mine = generation.current;
    try {
      const page = await api.get<Call[]>(url, query(filters, oldest));
      if (mine !== generation.current) return;
      setCalls((prev) => mergeCalls(prev, page));
      setHasOlder(page.length === OLDER_PAGE_SIZE);
    } catch (e) {
      setError(e);
    } finally {
      loadingOlder.current = false;
    }
  }, [api, url, filters, oldest]);

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
        <DownloadLink
          href={withQuery(`${url}/export.csv`, {
            status: filters.status,
            channel: filters.channel,
            target: filters.target,
          })}
          filename="calls.csv"
        >
          {t('exportCsv')}
        </DownloadLink>
      </form>
      <ErrorNote error={error} onRetry={() => void refresh(true)} />
      {!loaded && !error && <Loading />}
      {loaded && calls.length === 0 && <p className="muted empty">{t('noCalls')}</p>}
      {calls.length > 0 && (
        <CallTable
          calls={calls}
          project={project}
          selected={selected}
          onSelect={setSelected}
          {...(hasOlder ? { onNearEnd: loadOlder } : {})}
        />
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
