import { useEffect, useRef } from 'react';
import type { Api, Call, Project, Visit } from '../api.js';
import { ErrorNote, Loading } from '../components/ui.js';
import { formatDateTime, formatDuration, formatPhone } from '../format.js';
import { label, useI18n } from '../i18n.js';
import { useAsync } from '../use-async.js';
import { Confidence, Recording, recordingPath } from './call-table.js';

/** One call: its facts, the attribution with its confidence and candidates, and the visit behind it. */
export function CallPanel({
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
          {call.recordingUrl && <Recording src={recordingPath(project.id, call.id)} label={t('recording')} />}
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
