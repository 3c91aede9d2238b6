import { type FormEvent, useState } from 'react';
import type { Project } from '../api.js';
import { Layout } from '../components/layout.js';
import { ErrorNote, Field, Loading } from '../components/ui.js';
import { formatPhone } from '../format.js';
import { useI18n } from '../i18n.js';
import { Link, useRouter } from '../router.js';
import { canCreateProjects, useSession } from '../session.js';
import { useAsync } from '../use-async.js';

export function ProjectsPage() {
  const { t } = useI18n();
  const { api, me } = useSession();
  const projects = useAsync(() => api.get<Project[]>('/api/v1/projects'), [api]);
  return (
    <Layout>
      <h1>{t('projects')}</h1>
      {projects.loading && !projects.data && <Loading />}
      <ErrorNote error={projects.error} onRetry={projects.reload} />
      {projects.data && projects.data.length === 0 && <p className="muted">{t('noProjects')}</p>}
      {projects.data && projects.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('projectName')}</th>
              <th scope="col">{t('siteNumber')}</th>
              <th scope="col">{t('country')}</th>
              <th scope="col">{t('currency')}</th>
              <th scope="col">{t('timezone')}</th>
            </tr>
          </thead>
          <tbody>
            {projects.data.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/projects/${p.id}/calls`}>{p.name}</Link>
                </td>
                <td>{p.siteNumbers.map(formatPhone).join(', ') || '—'}</td>
                <td>{p.country}</td>
                <td>{p.currency}</td>
                <td>{p.timezone}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canCreateProjects(me) ? <NewProject /> : <p className="muted">{t('onlyAdmins')}</p>}
    </Layout>
  );
}

function NewProject() {
  const { t } = useI18n();
  const { api } = useSession();
  const { navigate } = useRouter();
  const [form, setForm] = useState({
    name: '',
    country: 'RU',
    currency: 'RUB',
    timezone: 'Europe/Moscow',
    siteNumber: '',
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const project = await api.send<Project>('POST', '/api/v1/projects', {
        name: form.name,
        country: form.country,
        currency: form.currency,
        timezone: form.timezone,
        ...(form.siteNumber.trim() && { siteNumbers: [form.siteNumber.trim()] }),
      });
      navigate(`/projects/${project.id}/setup`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="new-project">
      <h2 id="new-project">{t('newProject')}</h2>
      <form onSubmit={submit} className="grid-form">
        <Field label={t('projectName')}>
          {(p) => <input {...p} required value={form.name} onChange={set('name')} />}
        </Field>
        <Field label={t('siteNumber')}>
          {(p) => (
            <input
              {...p}
              type="tel"
              placeholder="+7 495 123-45-67"
              value={form.siteNumber}
              onChange={set('siteNumber')}
            />
          )}
        </Field>
        <Field label={t('country')}>
          {(p) => (
            <input
              {...p}
              required
              pattern="[A-Za-z]{2}"
              maxLength={2}
              value={form.country}
              onChange={set('country')}
            />
          )}
        </Field>
        <Field label={t('currency')}>
          {(p) => (
            <input
              {...p}
              required
              pattern="[A-Za-z]{3}"
              maxLength={3}
              value={form.currency}
              onChange={set('currency')}
            />
          )}
        </Field>
        <Field label={t('timezone')}>
          {(p) => <input {...p} required value={form.timezone} onChange={set('timezone')} />}
        </Field>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('create')}
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}
