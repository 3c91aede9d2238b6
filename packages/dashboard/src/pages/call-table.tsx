import { useEffect, useRef, useState } from 'react';
import type { Call, Project } from '../api.js';
import { formatDateTime, formatDuration, formatPhone } from '../format.js';
import { label, useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import { useRowWindow } from '../use-row-window.js';

/** Every row is this tall (CSS keeps it so), which is what lets the table draw only the rows in view. */
export const CALL_ROW_HEIGHT = 56;
const COLUMNS = 8;

/** Where the server plays a call's recording from (it fetches the file from the provider with its credentials). */
export const recordingPath = (projectId: string, callId: string) =>
  `/api/v1/projects/${encodeURIComponent(projectId)}/calls/${encodeURIComponent(callId)}/recording`;

/**
 * A call's recording, played through the server. Signed in by cookie, the player loads it directly (the cookie
 * authenticates the audio requests, seeking included). Signed in with an API key, which an <audio> element cannot
 * send, a click fetches the file with the key and plays it from memory.
 */
export function Recording({ src, label: name }: { src: string; label: string }) {
  const { api } = useSession();
  const { t } = useI18n();
  const [loaded, setLoaded] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(
    () => () => {
      if (loaded) URL.revokeObjectURL(loaded);
    },
    [loaded],
  );
  const note = failed && (
    <span className="error inline" role="alert">
      {t('recordingUnavailable')}
    </span>
  );
  if (!api.linksAuthenticate && !loaded)
    return (
      <>
        <button
          type="button"
          onClick={async () => {
            setFailed(false);
            try {
              setLoaded(URL.createObjectURL(await api.file(src)));
            } catch {
              setFailed(true);
            }
          }}
        >
          {t('playRecording')}
        </button>
        {note}
      </>
    );
  return (
    <>
      {/* biome-ignore lint/a11y/useMediaCaption: call recordings come without transcripts to caption them with */}
      <audio
        controls
        preload={loaded ? 'auto' : 'none'}
        src={loaded ?? src}
        aria-label={name}
        onError={() => setFailed(true)}
      />
      {note}
    </>
  );
}

export function Confidence({ value }: { value: number | null }) {
  if (value === null) return <>—</>;
  const level = value >= 80 ? 'high' : value >= 40 ? 'mid' : 'low';
  return <span className={`confidence ${level}`}>{value}%</span>;
}

/**
 * The calls log as a table that scrolls inside its own box and renders only the rows in view: fast with
 * 10,000 calls loaded. Screen readers still hear the full count (aria-rowcount / aria-rowindex). Scrolling
 * near the end asks for older calls.
 */
export function CallTable({
  calls,
  project,
  selected,
  onSelect,
  onNearEnd,
}: {
  calls: Call[];
  project: Project;
  selected: string | undefined;
  onSelect(id: string): void;
  onNearEnd?(): void;
}) {
  const { t, locale } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const view = useRowWindow(box, calls.length, CALL_ROW_HEIGHT);
  const nearEnd = view.last >= calls.length - 20;
  useEffect(() => {
    if (nearEnd) onNearEnd?.();
  }, [nearEnd, onNearEnd]);

  return (
    <div className="table-wrap scroll" ref={box} data-testid="calls-scroll">
      <table className="table calls" aria-label={t('calls')} aria-rowcount={calls.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
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
          {view.padTop > 0 && (
            <tr className="spacer-row">
              <td colSpan={COLUMNS} aria-hidden="true" style={{ height: view.padTop }} />
            </tr>
          )}
          {calls.slice(view.first, view.last).map((c, i) => {
            const when = formatDateTime(c.startedAt, locale, project.timezone);
            return (
              <tr
                key={c.id}
                className={selected === c.id ? 'selected' : ''}
                data-call-id={c.id}
                aria-rowindex={view.first + i + 2}
              >
                <td className="when">
                  <button
                    type="button"
                    className="link"
                    onClick={() => onSelect(c.id)}
                    aria-label={`${t('callDetails')}: ${when}`}
                  >
                    {when}
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
                <td>
                  {c.recordingUrl ? (
                    <Recording src={recordingPath(project.id, c.id)} label={t('recording')} />
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            );
          })}
          {view.padBottom > 0 && (
            <tr className="spacer-row">
              <td colSpan={COLUMNS} aria-hidden="true" style={{ height: view.padBottom }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
