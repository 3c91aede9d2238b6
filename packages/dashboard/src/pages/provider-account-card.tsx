import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { Project } from '../api.js';
import { ApiErrorNote } from '../components/api-error-note.js';
import { CopyField } from '../components/copy-field.js';
import { Field } from '../components/ui.js';
import { formatDateTime } from '../format.js';
import { useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import {
  isLocalUrl,
  MAX_SOURCES,
  type ProviderAccount,
  parseSources,
  providerInfo,
  urlHint,
} from '../telephony.js';

/** One account: its facts, its webhook URLs with where to paste them, and its edit and disconnect actions. */
export function AccountCard({
  account,
  project,
  writable,
  focusOnMount,
  onSaved,
  onDisconnected,
}: {
  account: ProviderAccount;
  project: Project;
  writable: boolean;
  /** Just connected: take the focus, which also scrolls its URLs into view. */
  focusOnMount: boolean;
  onSaved(account: ProviderAccount): void;
  onDisconnected(): void;
}) {
  const { t, locale } = useI18n();
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (focusOnMount) heading.current?.focus();
  }, [focusOnMount]);
  const info = providerInfo(account.provider);
  const urls = Object.entries(account.webhookUrls);
  const unreachable = urls.some(([, url]) => isLocalUrl(url));

  return (
    <article className="card provider-account" aria-labelledby={titleId}>
      <h3 id={titleId} ref={heading} tabIndex={-1}>
        {account.name}
      </h3>
      <dl className="facts">
        <dt>{t('provider')}</dt>
        <dd>{t(info.label)}</dd>
        <dt>{t('credentialsSet')}</dt>
        <dd>
          {account.credentialKeys.map((key, i) => (
            <span key={key}>
              {i > 0 && ', '}
              <code>{key}</code>
            </span>
          ))}{' '}
          <span className="muted">{t('secretsNeverShown')}</span>
        </dd>
        <dt>{t('allowedSources')}</dt>
        <dd>
          {account.allowedSources.length === 0
            ? t('anyAddress')
            : account.allowedSources.map((source, i) => (
                <span key={source}>
                  {i > 0 && ', '}
                  <code>{source}</code>
                </span>
              ))}
        </dd>
        <dt>{t('connectedAt')}</dt>
        <dd>{formatDateTime(account.createdAt, locale, project.timezone)}</dd>
      </dl>
      <h4>{t('webhookUrls')}</h4>
      {unreachable && (
        <p className="warning" role="status">
          {t('localWebhookUrls')}
        </p>
      )}
      {urls.map(([key, url]) => {
        const hint = urlHint(account.provider, key);
        return (
          <CopyField
            key={key}
            label={t('webhookUrl', { key })}
            value={url}
            copyLabel={t('copyUrl', { key })}
            {...(hint ? { hint: t(hint) } : {})}
          />
        );
      })}
      {writable &&
        (editing ? (
          <EditAccountForm
            account={account}
            onCancel={() => setEditing(false)}
            onSaved={(changed) => {
              setEditing(false);
              onSaved(changed);
            }}
          />
        ) : (
          <AccountActions account={account} onEdit={() => setEditing(true)} onDisconnected={onDisconnected} />
        ))}
    </article>
  );
}

/** Rename, or change the allowed sources; only what changed is sent (the URLs and secrets stay). */
function EditAccountForm({
  account,
  onSaved,
  onCancel,
}: {
  account: ProviderAccount;
  onSaved(account: ProviderAccount): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [name, setName] = useState(account.name);
  const [sources, setSources] = useState(account.allowedSources.join('\n'));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const allowedSources = parseSources(sources);
    if (allowedSources.length > MAX_SOURCES) {
      setError(new Error(t('tooManySources', { max: MAX_SOURCES, count: allowedSources.length })));
      return;
    }
    const patch = {
      ...(name.trim() && name.trim() !== account.name ? { name: name.trim() } : {}),
      ...(allowedSources.join('\n') !== account.allowedSources.join('\n') ? { allowedSources } : {}),
    };
    if (Object.keys(patch).length === 0) return onCancel();
    setBusy(true);
    try {
      onSaved(
        await api.send<ProviderAccount>(
          'PATCH',
          `/api/v1/projects/${account.projectId}/provider-accounts/${account.id}`,
          patch,
        ),
      );
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>{t('editProvider', { name: account.name })}</legend>
        <Field label={t('accountName')}>
          {(p) => (
            <input
              {...p}
              ref={first}
              required
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('allowedSources')} hint={t('allowedSourcesHint')}>
          {(p) => (
            <textarea
              {...p}
              rows={3}
              spellCheck={false}
              value={sources}
              onChange={(e) => setSources(e.target.value)}
            />
          )}
        </Field>
        <ApiErrorNote error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('save')}
          </button>
          <button type="button" onClick={onCancel}>
            {t('cancel')}
          </button>
        </div>
      </fieldset>
    </form>
  );
}

/** Edit and disconnect; disconnecting asks first, saying what stays and what stops. */
function AccountActions({
  account,
  onEdit,
  onDisconnected,
}: {
  account: ProviderAccount;
  onEdit(): void;
  onDisconnected(): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>();
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirm.current?.focus();
  }, [confirming]);

  const disconnect = async () => {
    setError(undefined);
    try {
      await api.send('DELETE', `/api/v1/projects/${account.projectId}/provider-accounts/${account.id}`);
      onDisconnected();
    } catch (e) {
      setError(e);
    }
  };

  if (confirming)
    return (
      <fieldset className="confirm">
        <legend className="sr-only">{t('disconnectProvider', { name: account.name })}</legend>
        <p className="warning">
          {t('disconnectWarning', { name: account.name })}
          {/* A generic PBX reports plain recording URLs; the others' need the account's credentials. */}
          {account.provider !== 'generic' && ` ${t('disconnectRecordings')}`}
        </p>
        <ApiErrorNote error={error} />
        <div className="actions">
          <button type="button" ref={confirm} className="danger" onClick={disconnect}>
            {t('confirmDisconnect', { name: account.name })}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t('cancel')}
          </button>
        </div>
      </fieldset>
    );
  return (
    <div className="actions">
      <button type="button" onClick={onEdit} aria-label={t('editProvider', { name: account.name })}>
        {t('edit')}
      </button>
      <button
        type="button"
        onClick={() => setConfirming(true)}
        aria-label={t('disconnectProvider', { name: account.name })}
      >
        {t('disconnect')}
      </button>
    </div>
  );
}
