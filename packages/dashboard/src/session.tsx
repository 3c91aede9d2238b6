// Who is signed in, and the API client that acts for them.
import { createContext, useContext } from 'react';
import type { Api, Me, Project } from './api.js';

export interface Session {
  api: Api;
  me: Me;
  signOut(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in tree');
  return session;
}

export const canCreateProjects = (me: Me) => me.role === 'admin' && me.allProjects;
export const canWrite = (me: Me, project: Project) =>
  me.role === 'admin' && (me.allProjects || me.projectIds.includes(project.id));
