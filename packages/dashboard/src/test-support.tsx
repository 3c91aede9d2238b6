// Shared by the component tests: a fake API recording every request, and the providers around a page.
import type { ReactNode } from 'react';
import type { Api, Me, Project } from './api.js';
import { I18nProvider, type Lang } from './i18n.js';
import { RouterProvider } from './router.js';
import { SessionContext } from './session.js';

export interface Recorded {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
}

export function fakeApi(
  handler: (r: Recorded) => unknown,
  options: { linksAuthenticate?: boolean } = {},
): Api & { requests: Recorded[] } {
  const requests: Recorded[] = [];
  const run = async (r: Recorded) => {
    requests.push(r);
    return handler(r);
  };
  return {
    requests,
    get: (path, query) => run({ method: 'GET', path, ...(query ? { query } : {}) }) as never,
    send: (method, path, body) => run({ method, path, body }) as never,
    linksAuthenticate: options.linksAuthenticate ?? true,
    file: async (url) => new Blob([String(await run({ method: 'FILE', path: url }))], { type: 'text/csv' }),
  };
}

export const ADMIN: Me = {
  kind: 'user',
  id: 'u1',
  role: 'admin',
  allProjects: true,
  projectIds: [],
  email: 'admin@example.com',
  name: 'admin',
};

export function Providers({ api, children, lang = 'en' }: { api: Api; children: ReactNode; lang?: Lang }) {
  return (
    <I18nProvider lang={lang}>
      <RouterProvider initialPath="/">
        <SessionContext.Provider value={{ api, me: ADMIN, signOut: () => undefined }}>
          {children}
        </SessionContext.Provider>
      </RouterProvider>
    </I18nProvider>
  );
}

/** The project most page tests render: a Moscow clinic in roubles. */
export const PROJECT: Project = {
  id: 'p1',
  name: 'Clinic',
  timezone: 'Europe/Moscow',
  currency: 'RUB',
  country: 'RU',
  publicKey: 'pk',
  siteNumbers: [],
  defaultDestinationId: null,
  createdAt: 0,
};
