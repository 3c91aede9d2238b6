import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  ApiError,
  type Credentials,
  createApi,
  type Me,
  type Project,
  storeCredentials,
  storedCredentials,
} from './api.js';
import { Layout, PROJECT_NAV, type ProjectPage } from './components/layout.js';
import { ErrorNote, Loading } from './components/ui.js';
import { useI18n } from './i18n.js';
import { CallsPage } from './pages/calls.js';
import { IntegrationsPage } from './pages/integrations.js';
import { NumbersPage } from './pages/numbers.js';
import { PoolSizingPage } from './pages/pool-sizing.js';
import { ProjectsPage } from './pages/projects.js';
import { ReportPage } from './pages/report.js';
import { SetupPage } from './pages/setup-wizard.js';
import { SignIn } from './pages/sign-in.js';
import { UsersPage } from './pages/users.js';
import { useRouter } from './router.js';
import { SessionContext, useSession } from './session.js';
import { useAsync } from './use-async.js';

/** Signs in (or finds the session of an earlier sign-in), then routes. */
export function App() {
  const [credentials, setCredentials] = useState<Credentials>(storedCredentials);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const api = useMemo(() => createApi(credentials), [credentials]);

  useEffect(() => {
    let live = true;
    api.get<Me>('/api/v1/auth/me').then(
      (found) => live && setMe(found),
      () => live && setMe(null),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const signOut = useCallback(() => {
    if (credentials.kind === 'cookie') void api.send('POST', '/api/v1/auth/logout').catch(() => undefined);
    storeCredentials({ kind: 'cookie' });
    setCredentials({ kind: 'cookie' });
    setMe(null);
  }, [api, credentials]);

  if (me === undefined) return <Loading />;
  if (me === null) {
    return (
      <SignIn
        onSignedIn={(who, creds) => {
          storeCredentials(creds);
          setCredentials(creds);
          setMe(who);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={{ api, me, signOut }}>
      <Routes />
    </SessionContext.Provider>
  );
}

const PAGES = new Set<string>(PROJECT_NAV.map((n) => n.page));

function Routes() {
  const { path } = useRouter();
  const { t } = useI18n();
  if (path === '/' || path === '/projects') return <ProjectsPage />;
  if (path === '/users') return <UsersPage />;
  const match = /^\/projects\/([^/]+)(?:\/([a-z-]+))?\/?$/.exec(path);
  if (match?.[1] && (!match[2] || PAGES.has(match[2]))) {
    return <ProjectRoute id={match[1]} page={(match[2] ?? 'calls') as ProjectPage} />;
  }
  return (
    <Layout>
      <p>{t('notFound')}</p>
    </Layout>
  );
}

function ProjectRoute({ id, page }: { id: string; page: ProjectPage }) {
  const { api, signOut } = useSession();
  const project = useAsync(() => api.get<Project>(`/api/v1/projects/${id}`), [api, id]);
  useEffect(() => {
    if (project.error instanceof ApiError && project.error.status === 401) signOut();
  }, [project.error, signOut]);
  const p = project.data?.id === id ? project.data : undefined;
  return (
    <Layout {...(p ? { project: p } : {})}>
      {!p && project.loading && <Loading />}
      {!p && <ErrorNote error={project.error} onRetry={project.reload} />}
      {p && page === 'setup' && <SetupPage project={p} />}
      {p && page === 'numbers' && <NumbersPage project={p} />}
      {p && page === 'calls' && <CallsPage project={p} />}
      {p && page === 'report' && <ReportPage project={p} />}
      {p && page === 'integrations' && <IntegrationsPage project={p} />}
      {p && page === 'pool-sizing' && <PoolSizingPage project={p} />}
    </Layout>
  );
}
