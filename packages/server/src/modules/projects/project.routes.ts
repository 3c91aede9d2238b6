import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { principalOf, scope } from '../../http/auth.js';
import { errorResponses, ProjectParams } from '../../http/schemas.js';
import { CreateProjectBody, UpdateProjectBody } from './project.schemas.js';

export async function projectRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const projects = deps.services.projects;
  const tags = ['projects'];
  const project = Type.Ref('Project');

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'Projects this key can see',
        response: { 200: Type.Array(project), ...errorResponses },
      },
    },
    (request) => projects.list(principalOf(request)),
  );

  app.post(
    '',
    {
      schema: {
        tags,
        summary: 'Create a project (installation-wide admin keys)',
        body: CreateProjectBody,
        response: { 201: project, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await projects.create(principalOf(request), request.body)),
  );

  app.get(
    '/:projectId',
    {
      schema: {
        tags,
        summary: 'One project',
        params: ProjectParams,
        response: { 200: project, ...errorResponses },
      },
    },
    (request) => scope(request).project,
  );

  app.patch(
    '/:projectId',
    {
      schema: {
        tags,
        summary: 'Change a project',
        params: ProjectParams,
        body: UpdateProjectBody,
        response: { 200: project, ...errorResponses },
      },
    },
    (request) => projects.update(principalOf(request), request.params.projectId, request.body),
  );

  app.delete(
    '/:projectId',
    {
      schema: {
        tags,
        summary: 'Delete a project and all its data',
        params: ProjectParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await projects.remove(principalOf(request), request.params.projectId);
      return reply.status(204).send(null);
    },
  );
}
