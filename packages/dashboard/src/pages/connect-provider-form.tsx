import { type FormEvent, useState } from 'react';
import type { Project } from '../api.js';
import { ApiErrorNote } from '../components/api-error-note.js';
import { Field, RadioGroup } from '../components/ui.js';
import { useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import {
  MAX_SOURCES,
  PROVIDERS,
  type Provider,
  type ProviderAccount,
  parseSources,
  providerInfo,
} from '../telephony.js';

/** Creates a provider account: the provider, its credentials, a name and optionally where webhooks may come from. */
export function ConnectProviderForm({
  project,
  onConnected,
}: {
  project: Project;
  onConnected(account: ProviderAccount): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [provider, setProvider] = useState<Provider>('twilio');
  const [name, setName] = useState('');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [sources, setSources] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const info = providerInfo(provider);

  const choose = (next: Provider) => {
    setProvider(next);
    // Another provider's secrets must not linger in the form (Mango and Zadarma both have an "apiKey").
    setCredentials({});
    setError(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const allowedSources = parseSources(sources);
    if (allowedSources.length > MAX_SOURCES) {
      setError(new Error(t('tooManySources', { max: MAX_SOURCES, count: allowedSources.length })));
      return;
    }
    const filled: Record<string, string> = {};
    for (const field of info.fields) {
      const value = credentials[field.key]?.trim();
      if (value) filled[field.key] = value;
    }
    setBusy(true);
    try {
      const account = await api.send<ProviderAccount>(
        'POST',
        `/api/v1/projects/${project.id}/provider-accounts`,
        {
          provider,
          name: name.trim() || t(info.label),
          credentials: filled,
          ...(allowedSources.length > 0 ? { allowedSources } : {}),
        },
      );
      setName('');
      setCredentials({});
      setSources('');
      onConnected(account);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="connect-title" className="card connect-provider">
      <h2 id="connect-title">{t('connectProvider')}</h2>
      <form onSubmit={submit}>
        <RadioGroup
          legend={t('provider')}
          name="provider"
          options={PROVIDERS.map((p) => ({ value: p.provider, label: t(p.label) }))}
          value={provider}
          onChange={choose}
        />
        <fieldset>
          <legend>{t('credentialsOf', { provider: t(info.label) })}</legend>
          <p className="hint">
            {t(info.credentialsHint)} {t('secretsWriteOnly')}
          </p>
          {info.fields.map((field) => (
            <Field
              key={`${provider}-${field.key}`}
              label={field.optional ? `${t(field.label)} ${t('optional')}` : t(field.label)}
              {...(field.hint ? { hint: t(field.hint, { timezone: project.timezone }) } : {})}
            >
              {(p) => (
                <input
                  {...p}
                  type={field.secret ? 'password' : 'text'}
                  required={!field.optional}
                  maxLength={512}
                  // Keep the browser from offering the user's own sign-in password here.
                  autoComplete={field.secret ? 'new-password' : 'off'}
                  spellCheck={false}
                  value={credentials[field.key] ?? ''}
                  onChange={(e) => setCredentials((c) => ({ ...c, [field.key]: e.target.value }))}
                />
              )}
            </Field>
          ))}
        </fieldset>
        <Field label={t('accountName')} hint={t('accountNameHint')}>
          {(p) => (
            <input
              {...p}
              maxLength={200}
              placeholder={t(info.label)}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field label={`${t('allowedSources')} ${t('optional')}`} hint={t('allowedSourcesHint')}>
          {(p) => (
            <textarea
              {...p}
              rows={3}
              spellCheck={false}
              placeholder="185.45.152.0/24"
              value={sources}
              onChange={(e) => setSources(e.target.value)}
            />
          )}
        </Field>
        <ApiErrorNote error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('connect')}
          </button>
        </div>
      </form>
    </section>
  );
}
