import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import type { Project, User } from '../api.js';
import { Layout } from '../components/layout.js';
import { CopyButton, ErrorNote, Field, Loading } from '../components/ui.js';
import { useI18n } from '../i18n.js';
import { useSession } from '../session.js';
import { useAsync } from '../use-async.js';

interface Access {
  role: User['role'];
  allProjects: boolean;
  projectIds: string[];
}

/**
 * Users of the installation (or, for a project admin, of their projects): invite, change role and projects,
 * remove. The server decides who may do what; the page only hides what would be refused.
 */
export function UsersPage() {
  const { t } = useI18n();
  const { api, me } = useSession();
  const state = useAsync(async () => {
    const [users, projects] = await Promise.all([
      api.get<User[]>('/api/v1/users'),
      api.get<Project[]>('/api/v1/projects'),
    ]);
    return { users, projects };
  }, [api]);
  const [editing, setEditing] = useState<string>();
  const [confirming, setConfirming] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();

  if (me.role !== 'admin')
    return (
      <Layout>
        <h1>{t('users')}</h1>
        <p className="muted">{t('onlyAdminsUsers')}</p>
      </Layout>
    );
  const projects = state.data?.projects ?? [];
  const projectName = new Map(projects.map((p) => [p.id, p.name]));
  const act = async (action: () => Promise<unknown>, done: string) => {
    setError(undefined);
    try {
      await action();
      setNotice(done);
      state.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <Layout>
      <h1>{t('users')}</h1>
      {state.loading && !state.data && <Loading />}
      <ErrorNote error={state.error} onRetry={state.reload} />
      <ErrorNote error={error} />
      <p className="muted" aria-live="polite">
        {notice}
      </p>
      {state.data && (
        <div className="table-wrap">
          <table className="table" aria-label={t('users')}>
            <thead>
              <tr>
                <th scope="col">{t('email')}</th>
                <th scope="col">{t('userName')}</th>
                <th scope="col">{t('role')}</th>
                <th scope="col">{t('access')}</th>
                <th scope="col">
                  <span className="sr-only">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.data.users.map((u) => {
                const self = me.kind === 'user' && me.id === u.id;
                return (
                  <tr key={u.id}>
                    <th scope="row">
                      {u.email}
                      {self && <span className="badge">{t('you')}</span>}
                    </th>
                    <td>{u.name}</td>
                    <td>{t(u.role === 'admin' ? 'roleAdmin' : 'roleAnalyst')}</td>
                    <td>
                      {u.allProjects
                        ? t('allProjects')
                        : u.projectIds.map((id) => projectName.get(id) ?? id).join(', ')}
                    </td>
                    <td className="actions-cell">
                      {editing === u.id ? (
                        <AccessForm
                          legend={t('editUser', { email: u.email })}
                          initial={u}
                          projects={projects}
                          canGrantAll={me.allProjects}
                          submitLabel={t('save')}
                          focusFirst
                          onCancel={() => setEditing(undefined)}
                          onSubmit={(access) =>
                            act(
                              async () => {
                                await api.send('PATCH', `/api/v1/users/${u.id}`, access);
                                setEditing(undefined);
                              },
                              t('userSaved', { email: u.email }),
                            )
                          }
                        />
                      ) : self ? (
                        <span className="muted">{t('cannotEditSelf')}</span>
                      ) : confirming === u.id ? (
                        <>
                          <FocusedButton
                            className="danger"
                            onClick={() =>
                              act(
                                async () => {
                                  await api.send('DELETE', `/api/v1/users/${u.id}`);
                                  setConfirming(undefined);
                                },
                                t('userRemoved', { email: u.email }),
                              )
                            }
                          >
                            {t('confirmRemove', { email: u.email })}
                          </FocusedButton>{' '}
                          <button type="button" onClick={() => setConfirming(undefined)}>
                            {t('cancel')}
                          </button>
                        </>
                      ) : (
                        <>
                          <button
                            type="button"
                            onClick={() => setEditing(u.id)}
                            aria-label={t('editUser', { email: u.email })}
                          >
                            {t('edit')}
                          </button>{' '}
                          <button
                            type="button"
                            onClick={() => setConfirming(u.id)}
                            aria-label={t('removeUser', { email: u.email })}
                          >
                            {t('remove')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {state.data && <Invite projects={projects} canGrantAll={me.allProjects} onInvited={state.reload} />}
    </Layout>
  );
}

/** Role and projects, as one fieldset: the invite form and the edit row both use it. */
function AccessForm({
  legend,
  initial,
  projects,
  canGrantAll,
  submitLabel,
  onSubmit,
  onCancel,
  children,
  hideLegend = false,
  focusFirst = false,
}: {
  legend: string;
  hideLegend?: boolean;
  /** Move the focus into the form when it opens in place of the button that opened it. */
  focusFirst?: boolean;
  initial: Access;
  projects: Project[];
  canGrantAll: boolean;
  submitLabel: string;
  onSubmit(access: Access): Promise<unknown> | undefined;
  onCancel?(): void;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const [access, setAccess] = useState<Access>({
    role: initial.role,
    allProjects: initial.allProjects,
    projectIds: initial.projectIds,
  });
  const [busy, setBusy] = useState(false);
  const roleRef = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (focusFirst) roleRef.current?.focus();
  }, [focusFirst]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await onSubmit(access.allProjects ? { ...access, projectIds: [] } : access);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (id: string, on: boolean) =>
    setAccess((a) => ({
      ...a,
      projectIds: on ? [...a.projectIds, id] : a.projectIds.filter((p) => p !== id),
    }));
  return (
    <form className="access-form" onSubmit={submit}>
      <fieldset className={hideLegend ? 'plain' : undefined}>
        <legend className={hideLegend ? 'sr-only' : undefined}>{legend}</legend>
        {children}
        <Field label={t('role')}>
          {(p) => (
            <select
              {...p}
              ref={roleRef}
              value={access.role}
              onChange={(e) => setAccess((a) => ({ ...a, role: e.target.value as Access['role'] }))}
            >
              <option value="analyst">{t('roleAnalyst')}</option>
              <option value="admin">{t('roleAdmin')}</option>
            </select>
          )}
        </Field>
        {canGrantAll && (
          <label className="choice">
            <input
              type="checkbox"
              checked={access.allProjects}
              onChange={(e) => setAccess((a) => ({ ...a, allProjects: e.target.checked }))}
            />
            <span>{t('allProjectsGrant')}</span>
          </label>
        )}
        {!access.allProjects && (
          <fieldset className="projects-choice">
            <legend>{t('projects')}</legend>
            {projects.map((p) => (
              <label key={p.id} className="choice">
                <input
                  type="checkbox"
                  checked={access.projectIds.includes(p.id)}
                  onChange={(e) => toggle(p.id, e.target.checked)}
                />
                <span>{p.name}</span>
              </label>
            ))}
          </fieldset>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {submitLabel}
          </button>
          {onCancel && (
            <button type="button" onClick={onCancel}>
              {t('cancel')}
            </button>
          )}
        </div>
      </fieldset>
    </form>
  );
}

function Invite({
  projects,
  canGrantAll,
  onInvited,
}: {
  projects: Project[];
  canGrantAll: boolean;
  onInvited(): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [invited, setInvited] = useState<{ email: string; password: string | null }>();
  const [round, setRound] = useState(0);
  return (
    <section aria-labelledby="invite-title" className="card invite">
      <h2 id="invite-title">{t('inviteUser')}</h2>
      {invited && (
        <div className="notice" role="status">
          <p>{t('invited', { email: invited.email })}</p>
          {invited.password && (
            <p>
              {t('temporaryPassword')}: <code data-testid="temporary-password">{invited.password}</code>{' '}
              <CopyButton text={invited.password} />
            </p>
          )}
        </div>
      )}
      <ErrorNote error={error} />
      <AccessForm
        key={round}
        legend={t('inviteUser')}
        hideLegend
        initial={{
          role: 'analyst',
          allProjects: false,
          projectIds: projects.length === 1 ? [projects[0]?.id ?? ''] : [],
        }}
        projects={projects}
        canGrantAll={canGrantAll}
        submitLabel={t('invite')}
        onSubmit={async (access) => {
          setError(undefined);
          try {
            const res = await api.send<{ user: User; temporaryPassword: string | null }>(
              'POST',
              '/api/v1/users',
              {
                email: email.trim(),
                ...(name.trim() ? { name: name.trim() } : {}),
                ...(password ? { password } : {}),
                ...access,
              },
            );
            setInvited({ email: res.user.email, password: res.temporaryPassword });
            setEmail('');
            setName('');
            setPassword('');
            setRound((n) => n + 1);
            onInvited();
          } catch (e) {
            setError(e);
          }
        }}
      >
        <Field label={t('email')}>
          {(p) => (
            <input
              {...p}
              type="email"
              required
              autoComplete="off"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('userName')}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={t('initialPassword')} hint={t('initialPasswordHint')}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              minLength={10}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
      </AccessForm>
    </section>
  );
}

/** A button that takes the focus when it appears (it replaces the one the user just pressed). */
function FocusedButton({
  className,
  onClick,
  children,
}: {
  className?: string;
  onClick(): void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <button type="button" ref={ref} className={className} onClick={onClick}>
      {children}
    </button>
  );
}
