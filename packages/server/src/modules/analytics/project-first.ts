import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';

/**
 * Checks that the key may see the project before the body is validated (the shared tenancy hook runs after
 * validation), so another tenant's project answers 404 whatever is sent, and a 400 leaks nothing about it.
 */
export function checkProjectBeforeValidation(app: FastifyInstance, deps: Deps): void {
  app.addHook('preValidation', async (request) => {
    const projectId = (request.params as { projectId?: string } | undefined)?.projectId;
    if (projectId !== undefined && request.principal)
      await deps.services.projects.get(request.principal, projectId);
  });
}
