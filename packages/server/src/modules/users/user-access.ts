// Who may manage which dashboard users. An installation-wide admin manages everyone; a project admin manages
// the users whose projects all lie within their own, and grants only those projects. Analysts manage no one.
import type { Principal } from '../access/access.js';

export interface Access {
  allProjects: boolean;
  projectIds: readonly string[];
}

export const isAdmin = (actor: Principal) => actor.role === 'admin';

/** Whether `actor` may see and change a user with this access. */
export function canManage(actor: Principal, target: Access): boolean {
  if (!isAdmin(actor)) return false;
  if (actor.allProjects) return true;
  return (
    !target.allProjects &&
    target.projectIds.length > 0 &&
    target.projectIds.every((id) => actor.projectIds.has(id))
  );
}

/** Whether `actor` may give a user this access (the same test: nobody grants more than they hold). */
export const canGrant = canManage;
