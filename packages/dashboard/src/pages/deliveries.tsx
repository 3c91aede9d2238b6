import { useEffect, useState } from 'react';
import type { Project } from '../api.js';
import { ApiErrorNote } from '../components/api-error-note.js';
import { ErrorNote, Loading } from '../components/ui.js';
import { formatDateTime } from '../format.js';
import { type MessageKey, useI18n } from '../i18n.js';
import { type Delivery, eventLabel, type Integration } from '../outbound.js';
import { useSession } from '../session.js';
import { useAsync } from '../use-async.js';

/** How many of the latest deliveries the panel lists (the API's default). */
export const DELIVERIES_LIMIT = 50;

const STATUS: Record<Delivery['status'], MessageKey> = {
  pending: 'deliveryPending',
  delivered: 'deliveryDelivered',
  failed: 'deliveryFailed',
};

/**
 * An integration's latest deliveries, newest first, as the API lists them: status, attempts, the last error or
 * the note of an event that was not sent; a failed one can be retried (by those who may change the project).
 */
export function DeliveriesPanel({
  integration,
  project,
  writable,
  id,
}: {
  integration: Integration;
  project: Project;
  writable: boolean;
  id: string;
}) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const base = `/api/v1/projects/${project.id}/integrations/${integration.id}/deliveries`;
  const loaded = useAsync(() => api.get<Delivery[]>(base, { limit: DELIVERIES_LIMIT }), [api, base]);
  const [rows, setRows] = useState<Delivery[]>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    if (loaded.data) setRows(loaded.data);
  }, [loaded.data]);
  const when = (ms: number | null) => (ms === null ? '' : formatDateTime(ms, locale, project.timezone));

  const retry = async (delivery: Delivery) => {
    setError(undefined);
    setNotice(undefined);
    try {
      const again = await api.send<Delivery>('POST', `${base}/${delivery.id}/retry`);
      setRows((list) => list?.map((d) => (d.id === again.id ? again : d)));
      setNotice(t('deliveryRetried'));
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section id={id} className="deliveries" aria-label={t('deliveriesOf', { name: integration.name })}>
      <div className="actions">
        <button type="button" onClick={loaded.reload} disabled={loaded.loading}>
          {t('refresh')}
        </button>
        <span className="muted" aria-live="polite">
          {notice}
        </span>
      </div>
      <ApiErrorNote error={error} notFound="errIntegrationNotFound" />
      {!rows && loaded.loading && <Loading />}
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {rows?.length === 0 && <p className="empty">{t('noDeliveries')}</p>}
      {rows && rows.length > 0 && (
        <div className="table-wrap">
          <table className="table deliveries-table">
            <caption className="sr-only">{t('deliveriesOf', { name: integration.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('deliveryCreated')}</th>
                <th scope="col">{t('deliveryEvent')}</th>
                <th scope="col">{t('deliveryStatus')}</th>
                <th scope="col" className="num">
                  {t('deliveryAttempts')}
                </th>
                <th scope="col">{t('deliveryDetails')}</th>
                {writable && <th scope="col">{t('actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => {
                const type = eventLabel(d.type);
                return (
                  <tr key={d.id} className={d.status === 'failed' ? 'warn-row' : undefined}>
                    <td className="when">{when(d.createdAt)}</td>
                    <td>{type ? t(type) : d.type}</td>
                    <td>
                      <span className={`badge delivery-${d.status}`}>{t(STATUS[d.status])}</span>
                    </td>
                    <td className="num">{d.attempts}</td>
                    <td>
                      {d.status === 'pending' && d.nextAttemptAt !== null && (
                        <div>{t('deliveryNextAttempt', { when: when(d.nextAttemptAt) })}</div>
                      )}
                      {d.deliveredAt !== null && (
                        <div>{t('deliveryDeliveredAt', { when: when(d.deliveredAt) })}</div>
                      )}
                      {d.failedAt !== null && <div>{t('deliveryFailedAt', { when: when(d.failedAt) })}</div>}
                      {d.note && <div className="sub">{d.note}</div>}
                      {d.lastError && (
                        <div className="sub">
                          <code>{d.lastError}</code>
                        </div>
                      )}
                    </td>
                    {writable && (
                      <td>
                        {d.status === 'failed' && (
                          <button
                            type="button"
                            onClick={() => retry(d)}
                            aria-label={t('retryDelivery', { when: when(d.createdAt) })}
                          >
                            {t('retry')}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
