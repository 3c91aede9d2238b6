import type { ReactNode } from 'react';
import type { Project } from '../api.js';
import { LANGS, type Lang, type MessageKey, useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

export type ProjectPage = 'setup' | 'numbers' | 'calls' | 'report' | 'integrations' | 'pool-sizing';

/** The project's pages; those marked `soon` are placeholders for later issues. */
export const PROJECT_NAV: { page: ProjectPage; label: MessageKey; soon?: boolean }[] = [
  { page: 'setup', label: 'navSetup' },
  { page: 'numbers', label: 'navNumbers' },
  { page: 'calls', label: 'navCalls' },
  { page: 'report', label: 'navReport' },
  { page: 'integrations', label: 'navIntegrations' },
  { page: 'pool-sizing', label: 'navPoolSizing' },
];

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang">
      <span className="sr-only">{t('language')}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} aria-label={t('language')}>
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {l === 'en' ? 'English' : 'Русский'}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout({ project, children }: { project?: Project; children: ReactNode }) {
  const { t } = useI18n();
  const { me, signOut } = useSession();
  const who = me.email ?? t('apiKeyWho', { role: me.role });
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          <span aria-hidden="true">◉</span> {t('appName')}
        </Link>
        <nav aria-label={t('projects')} className="crumbs">
          <Link to="/">{t('projects')}</Link>
          {project && (
            <>
              <span aria-hidden="true"> / </span>
              <span>{project.name}</span>
            </>
          )}
        </nav>
        {me.role === 'admin' && (
          <Link to="/users" className="topnav">
            {t('users')}
          </Link>
        )}
        <div className="spacer" />
        <span className="muted who">{t('signedInAs', { who })}</span>
        <LanguageSwitch />
        <button type="button" onClick={signOut}>
          {t('signOut')}
        </button>
      </header>
      <div className="body">
        {project && (
          <nav className="sidenav" aria-label={project.name}>
            <ul>
              {PROJECT_NAV.map((item) => (
                <li key={item.page}>
                  <Link to={`/projects/${project.id}/${item.page}`}>
                    {t(item.label)}
                    {item.soon && <span className="badge">{t('soon')}</span>}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <main className="content">{children}</main>
      </div>
    </div>
  );
}
