import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import type { Project } from '../api.js';
import { ApiErrorNote } from '../components/api-error-note.js';
import { CopyField } from '../components/copy-field.js';
import { ErrorNote, Loading } from '../components/ui.js';
import { formatDateTime } from '../format.js';
import { useI18n } from '../i18n.js';
import { eventLabel, type Integration, kindInfo, shownSetting } from '../outbound.js';
import { canWrite, useSession } from '../session.js';
import { useAsync } from '../use-async.js';
import { DeliveriesPanel } from './deliveries.js';
import { AddIntegrationForm, EditIntegrationForm } from './outbound-integration-form.js';

/**
 * The project's outbound integrations (signed webhooks, GA4, Yandex Metrica, amoCRM, Bitrix24): what each is sent and which
 * secrets it holds (never their values), its deliveries, and for those who may change the project add, edit,
 * pause and delete. Like the telephony section, the list is loaded once and then kept from the API's answers.
 */
export function OutboundIntegrations({ project }: { project: Project }) {
  const { t } = useI18n();
  const { api, me } = useSession();
  const writable = canWrite(me, project);
  const base = `/api/v1/projects/${project.id}/integrations`;
  const loaded = useAsync(() => api.get<Integration[]>(base), [api, base]);
  const [integrations, setIntegrations] = useState<Integration[]>();
  const [notice, setNotice] = useState<string>();
  const [revealed, setRevealed] = useState<{ name: string; secret: string }>();
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (loaded.data) setIntegrations(loaded.data);
  }, [loaded.data]);

  const replace = (changed: Integration) =>
    setIntegrations((list) => list?.map((i) => (i.id === changed.id ? changed : i)));

  return (
    <>
      <section aria-labelledby="outbound-title" className="outbound-integrations">
        <h2 id="outbound-title" ref={title} tabIndex={-1}>
          {t('outboundTitle')}
        </h2>
        <p className="muted">{t('outboundLead')}</p>
        {!writable && <p className="muted">{t('outboundReadOnly')}</p>}
        {/* Not role=status: the telephony section above has that one live region of the page. */}
        <p className="muted" aria-live="polite">
          {notice}
        </p>
        {revealed && (
          <GeneratedSecret
            name={revealed.name}
            secret={revealed.secret}
            onDone={() => {
              setRevealed(undefined);
              title.current?.focus();
            }}
          />
        )}
        {!integrations && loaded.loading && <Loading />}
        {!integrations && <ErrorNote error={loaded.error} onRetry={loaded.reload} />}
        {integrations?.length === 0 && <p className="empty">{t('noIntegrations')}</p>}
        {integrations?.map((integration) => (
          <IntegrationCard
            key={integration.id}
            integration={integration}
            project={project}
            writable={writable}
            onSaved={(changed, message) => {
              replace(changed);
              setNotice(message);
            }}
            onDeleted={() => {
              setIntegrations((list) => list?.filter((i) => i.id !== integration.id));
              setNotice(t('integrationDeleted', { name: integration.name }));
              // The focused confirm button went with the card: keep the focus in the section.
              title.current?.focus();
            }}
          />
        ))}
      </section>
      {writable && integrations && (
        <AddIntegrationForm
          project={project}
          onAdded={({ secret, ...added }) => {
            // The generated secret is shown once, above the list, and never kept with the integration.
            setIntegrations((list) => [...(list ?? []), added]);
            setNotice(t('integrationAdded', { name: added.name }));
            if (secret) setRevealed({ name: added.name, secret });
          }}
        />
      )}
    </>
  );
}

/** A webhook secret the server generated: shown this once, to be pasted into the receiver. */
function GeneratedSecret({ name, secret, onDone }: { name: string; secret: string; onDone(): void }) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  const titleId = useId();
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="card generated-secret" aria-labelledby={titleId}>
      <h3 id={titleId} ref={heading} tabIndex={-1}>
        {t('generatedSecretTitle', { name })}
      </h3>
      <p className="warning">{t('generatedSecretOnce')}</p>
      <CopyField label={t('setWebhookSecret')} value={secret} copyLabel={t('copySecret')} />
      <p className="hint">{t('webhookSignatureHelp')}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={onDone}>
          {t('secretSaved')}
        </button>
      </div>
    </section>
  );
}

function IntegrationCard({
  integration,
  project,
  writable,
  onSaved,
  onDeleted,
}: {
  integration: Integration;
  project: Project;
  writable: boolean;
  onSaved(integration: Integration, notice: string): void;
  onDeleted(): void;
}) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const titleId = useId();
  const panelId = useId();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [showDeliveries, setShowDeliveries] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const info = kindInfo(integration.kind);
  const shown = [...(info.derived ?? []), ...info.fields.filter((f) => !f.secret)].filter(
    (f) => shownSetting(integration.settings[f.key]) !== '',
  );
  const secrets = info.fields.filter((f) => f.secret);

  const toggle = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const changed = await api.send<Integration>(
        'PATCH',
        `/api/v1/projects/${integration.projectId}/integrations/${integration.id}`,
        { enabled: !integration.enabled },
      );
      onSaved(
        changed,
        t(changed.enabled ? 'integrationResumed' : 'integrationPaused', { name: changed.name }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="card outbound-integration" aria-labelledby={titleId}>
      <h3 id={titleId}>
        {integration.name}{' '}
        <span className={integration.enabled ? 'badge ok' : 'badge'}>
          {t(integration.enabled ? 'integrationEnabled' : 'integrationPausedBadge')}
        </span>
      </h3>
      <dl className="facts">
        <dt>{t('integrationKind')}</dt>
        <dd>{t(info.label)}</dd>
        <dt>{t('integrationEvents')}</dt>
        <dd>{integration.events.map((e) => t(eventLabel(e) ?? 'eventCallEnded')).join(', ')}</dd>
        {shown.map((field) => (
          <Fact key={field.key} label={t(field.label)}>
            <code>{shownSetting(integration.settings[field.key])}</code>
          </Fact>
        ))}
        <dt>{t('secretsSet')}</dt>
        <dd>
          {secrets.map((field) => (
            <span key={field.key}>
              {t(field.label)}:{' '}
              {t(integration.secretKeys.includes(field.key) ? 'secretIsSet' : 'secretNotSet')}
            </span>
          ))}{' '}
          <span className="muted">{t('secretsNeverShown')}</span>
        </dd>
        <dt>{t('integrationAddedAt')}</dt>
        <dd>{formatDateTime(integration.createdAt, locale, project.timezone)}</dd>
      </dl>
      {integration.kind === 'webhook' && <p className="hint">{t('webhookSignatureHelp')}</p>}
      {info.about && <p className="hint">{t(info.about)}</p>}
      {!integration.enabled && <p className="muted">{t('pausedNote')}</p>}
      {writable && editing && (
        <EditIntegrationForm
          integration={integration}
          onCancel={() => setEditing(false)}
          onSaved={(changed) => {
            setEditing(false);
            onSaved(changed, t('integrationSaved', { name: changed.name }));
          }}
        />
      )}
      {writable && confirming && (
        <DeleteConfirm
          integration={integration}
          onCancel={() => setConfirming(false)}
          onDeleted={onDeleted}
        />
      )}
      <ApiErrorNote error={error} notFound="errIntegrationNotFound" />
      {!editing && !confirming && (
        <div className="actions">
          <button
            type="button"
            aria-expanded={showDeliveries}
            aria-controls={panelId}
            onClick={() => setShowDeliveries((v) => !v)}
          >
            {t(showDeliveries ? 'hideDeliveries' : 'showDeliveries')}
          </button>
          {writable && (
            <>
              <button
                type="button"
                disabled={busy}
                onClick={toggle}
                aria-label={t(integration.enabled ? 'pauseIntegration' : 'resumeIntegration', {
                  name: integration.name,
                })}
              >
                {t(integration.enabled ? 'pause' : 'resume')}
              </button>
              <button
                type="button"
                onClick={() => setEditing(true)}
                aria-label={t('editIntegration', { name: integration.name })}
              >
                {t('edit')}
              </button>
              <button
                type="button"
                onClick={() => setConfirming(true)}
                aria-label={t('deleteIntegration', { name: integration.name })}
              >
                {t('delete')}
              </button>
            </>
          )}
        </div>
      )}
      {showDeliveries && (
        <DeliveriesPanel integration={integration} project={project} writable={writable} id={panelId} />
      )}
    </article>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** Deleting asks first, saying that the events it is still owed will not be sent. */
function DeleteConfirm({
  integration,
  onCancel,
  onDeleted,
}: {
  integration: Integration;
  onCancel(): void;
  onDeleted(): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [error, setError] = useState<unknown>();
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);

  const remove = async () => {
    setError(undefined);
    try {
      await api.send('DELETE', `/api/v1/projects/${integration.projectId}/integrations/${integration.id}`);
      onDeleted();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <fieldset className="confirm">
      <legend className="sr-only">{t('deleteIntegration', { name: integration.name })}</legend>
      <p className="warning">{t('deleteIntegrationWarning', { name: integration.name })}</p>
      <ApiErrorNote error={error} notFound="errIntegrationNotFound" />
      <div className="actions">
        <button type="button" ref={confirm} className="danger" onClick={remove}>
          {t('confirmDeleteIntegration', { name: integration.name })}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </fieldset>
  );
}
