import { type FormEvent, useState } from 'react';
import { ApiError, type Credentials, createApi, login, type Me } from '../api.js';
import { LanguageSwitch } from '../components/layout.js';
import { Field } from '../components/ui.js';
import { useI18n } from '../i18n.js';

/** Email and password (a session cookie), or an API key pasted by the operator (kept for this tab). */
export function SignIn({
  onSignedIn,
  fetchImpl = fetch,
}: {
  onSignedIn(me: Me, credentials: Credentials): void;
  fetchImpl?: typeof fetch;
}) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'rate_limited') {
        const seconds = (e.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 60;
        setError(t('tooManySignIns', { minutes: Math.max(1, Math.ceil(seconds / 60)) }));
      } else setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => onSignedIn(await login(email, password, fetchImpl), { kind: 'cookie' }));
  };
  const submitKey = (event: FormEvent) => {
    event.preventDefault();
    const credentials: Credentials = { kind: 'key', key: key.trim() };
    void run(async () =>
      onSignedIn(await createApi(credentials, fetchImpl).get<Me>('/api/v1/auth/me'), credentials),
    );
  };

  return (
    <main className="signin">
      <div className="signin-card">
        <div className="signin-head">
          <h1>
            <span aria-hidden="true">◉</span> {t('appName')}
          </h1>
          <LanguageSwitch />
        </div>
        <form onSubmit={submitPassword} aria-label={t('signIn')}>
          <Field label={t('email')}>
            {(p) => (
              <input
                {...p}
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          <Field label={t('password')}>
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="primary" disabled={busy}>
            {t('signIn')}
          </button>
        </form>
        <details className="keyform">
          <summary>{t('orApiKey')}</summary>
          <form onSubmit={submitKey} aria-label={t('orApiKey')}>
            <Field label={t('apiKey')}>
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="rt_…"
                  required
                  value={key}
                  onChange={(e) => setKey(e.target.value)}
                />
              )}
            </Field>
            <button type="submit" disabled={busy}>
              {t('useKey')}
            </button>
          </form>
        </details>
        {error && (
          <p className="error" role="alert">
            {t('signInFailed', { message: error })}
          </p>
        )}
      </div>
    </main>
  );
}
