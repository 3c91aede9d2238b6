import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { Project } from '../api.js';
import { ApiErrorNote } from '../components/api-error-note.js';
import { Field, RadioGroup } from '../components/ui.js';
import { useI18n } from '../i18n.js';
import {
  EVENT_TYPES,
  type EventType,
  eventLabel,
  eventsOf,
  type Integration,
  type IntegrationKind,
  KINDS,
  type KindInfo,
  kindInfo,
  settingValue,
  shownSetting,
} from '../outbound.js';
import { useSession } from '../session.js';

/** Adds an integration: its kind, that kind's settings, a name and the events it is sent. */
export function AddIntegrationForm({
  project,
  onAdded,
}: {
  project: Project;
  onAdded(integration: Integration): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [kind, setKind] = useState<IntegrationKind>('webhook');
  const [name, setName] = useState('');
  const [settings, setSettings] = useState<Record<string, string>>({});
  const [events, setEvents] = useState<readonly EventType[]>(kindInfo('webhook').defaultEvents);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const info = kindInfo(kind);

  const choose = (next: IntegrationKind) => {
    setKind(next);
    // Another kind's settings (and secrets) must not linger in the form or be sent with it.
    setSettings({});
    setEvents(kindInfo(next).defaultEvents);
    setError(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (events.length === 0) {
      setError(new Error(t('chooseAnEvent')));
      return;
    }
    const filled: Record<string, string | number> = {};
    for (const field of info.fields) {
      const value = settingValue(field, settings[field.key] ?? '');
      if (value !== undefined) filled[field.key] = value;
    }
    setBusy(true);
    try {
      const created = await api.send<Integration>('POST', `/api/v1/projects/${project.id}/integrations`, {
        kind,
        name: name.trim() || t(info.label),
        events: [...events],
        settings: filled,
      });
      setName('');
      setSettings({});
      setEvents(info.defaultEvents);
      onAdded(created);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="add-integration-title" className="card add-integration">
      <h2 id="add-integration-title">{t('addIntegration')}</h2>
      <form onSubmit={submit}>
        <RadioGroup
          legend={t('integrationKind')}
          name="integration-kind"
          options={KINDS.map((k) => ({ value: k.kind, label: t(k.label) }))}
          value={kind}
          onChange={choose}
        />
        <SettingsFieldset
          info={info}
          legend={t('settingsOf', { kind: t(info.label) })}
          values={settings}
          onChange={setSettings}
        />
        <Field label={t('accountName')} hint={t('integrationNameHint')}>
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
        <EventsFieldset kind={kind} value={events} onChange={setEvents} />
        <ApiErrorNote error={error} notFound="errIntegrationNotFound" />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('add')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** Rename, choose the events, change settings; only what changed is sent, a secret only when typed. */
export function EditIntegrationForm({
  integration,
  onSaved,
  onCancel,
}: {
  integration: Integration;
  onSaved(integration: Integration): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const info = kindInfo(integration.kind);
  const [name, setName] = useState(integration.name);
  const [events, setEvents] = useState<readonly EventType[]>(integration.events);
  const [settings, setSettings] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      info.fields.filter((f) => !f.secret).map((f) => [f.key, shownSetting(integration.settings[f.key])]),
    ),
  );
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (events.length === 0) {
      setError(new Error(t('chooseAnEvent')));
      return;
    }
    const changedSettings: Record<string, string | number | null> = {};
    for (const field of info.fields) {
      const value = settingValue(field, settings[field.key] ?? '');
      if (field.secret) {
        if (value !== undefined) changedSettings[field.key] = value;
      } else if (shownSetting(value) !== shownSetting(integration.settings[field.key])) {
        // An emptied optional setting is cleared (null), so the server's default applies again.
        changedSettings[field.key] = value ?? null;
      }
    }
    const chosen = EVENT_TYPES.filter((e) => events.includes(e));
    const patch = {
      ...(name.trim() && name.trim() !== integration.name ? { name: name.trim() } : {}),
      ...(chosen.join() !== integration.events.join() ? { events: chosen } : {}),
      ...(Object.keys(changedSettings).length > 0 ? { settings: changedSettings } : {}),
    };
    if (Object.keys(patch).length === 0) return onCancel();
    setBusy(true);
    try {
      onSaved(
        await api.send<Integration>(
          'PATCH',
          `/api/v1/projects/${integration.projectId}/integrations/${integration.id}`,
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
        <legend>{t('editIntegration', { name: integration.name })}</legend>
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
        <SettingsFieldset
          info={info}
          legend={t('settingsOf', { kind: t(info.label) })}
          values={settings}
          onChange={setSettings}
          secretsSet={integration.secretKeys}
        />
        <EventsFieldset kind={integration.kind} value={events} onChange={setEvents} />
        <ApiErrorNote error={error} notFound="errIntegrationNotFound" />
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

/**
 * A kind's settings. Secrets are password fields; when editing (`secretsSet` given) they start empty and an
 * empty one keeps the stored secret.
 */
function SettingsFieldset({
  info,
  legend,
  values,
  onChange,
  secretsSet,
}: {
  info: KindInfo;
  legend: string;
  values: Record<string, string>;
  onChange(values: Record<string, string>): void;
  secretsSet?: readonly string[];
}) {
  const { t } = useI18n();
  const editing = secretsSet !== undefined;
  return (
    <fieldset>
      <legend>{legend}</legend>
      <p className="hint">
        {t('integrationSecretsWriteOnly')}
        {info.kind === 'webhook' && ` ${t('webhookSignatureHelp')}`}
      </p>
      {info.about && <p className="hint">{t(info.about)}</p>}
      {info.fields.map((field) => {
        const keep = editing && field.secret;
        const label = keep
          ? `${t(field.label)} ${t(secretsSet.includes(field.key) ? 'secretKeepIfEmpty' : 'optional')}`
          : field.optional
            ? `${t(field.label)} ${t('optional')}`
            : t(field.label);
        return (
          <Field
            key={`${info.kind}-${field.key}`}
            label={label}
            {...(field.hint && !keep ? { hint: t(field.hint) } : {})}
          >
            {(p) => (
              <input
                {...p}
                type={field.secret ? 'password' : 'text'}
                {...(field.numeric ? { inputMode: 'decimal' as const } : {})}
                required={!field.optional && !keep}
                maxLength={field.maxLength}
                placeholder={field.placeholder}
                // Keep the browser from offering the user's own sign-in password here.
                autoComplete={field.secret ? 'new-password' : 'off'}
                spellCheck={false}
                value={values[field.key] ?? ''}
                onChange={(e) => onChange({ ...values, [field.key]: e.target.value })}
              />
            )}
          </Field>
        );
      })}
    </fieldset>
  );
}

function EventsFieldset({
  kind,
  value,
  onChange,
}: {
  kind: IntegrationKind;
  value: readonly EventType[];
  onChange(events: readonly EventType[]): void;
}) {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{t('integrationEvents')}</legend>
      {eventsOf(kind).map((type) => (
        <label key={type} className="choice">
          <input
            type="checkbox"
            checked={value.includes(type)}
            onChange={(e) =>
              onChange(
                e.target.checked
                  ? EVENT_TYPES.filter((x) => x === type || value.includes(x))
                  : value.filter((x) => x !== type),
              )
            }
          />
          <span>{t(eventLabel(type) ?? 'eventCallEnded')}</span>
        </label>
      ))}
    </fieldset>
  );
}
