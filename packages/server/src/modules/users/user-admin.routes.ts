import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../deps.js';
import { principalOf } from '../../http/auth.js';
import { errorResponses, Id, Name, Timestamp } from '../../http/schemas.js';
import type { Principal } from '../access/access.js';

const Role = Type.Union([Type.Literal('admin'), Type.Literal('analyst')], {
  description: 'admin: changes setup and manages users of their projects; analyst: reads',
});

const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
  allProjects: Type.Boolean(),
  projectIds: Type.Array(Type.String()),
  createdAt: Timestamp,
});

const Password = (description: string) => Type.String({ minLength: 10, maxLength: 1024, description });
const ProjectIds = Type.Array(Id, { maxItems: 1000 });

const CreateBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    name: Type.Optional(Name),
    role: Role,
    allProjects: Type.Optional(Type.Boolean()),
    projectIds: Type.Optional(ProjectIds),
    password: Type.Optional(Password('left out: one is generated and returned once as temporaryPassword')),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    role: Type.Optional(Role),
    allProjects: Type.Optional(Type.Boolean()),
    projectIds: Type.Optional(ProjectIds),
    password: Type.Optional(Password('a new password; ends the user’s sessions')),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ItemParams = Type.Object({ id: Id });

/**
 * Dashboard users: /api/v1/users. An installation-wide admin manages everyone; a project admin manages the
 * users of their own projects (others are "not found"); analysts get 403.
 */
export async function userAdminRoutes(instance: FastifyInstance, { deps }: { deps: Deps }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const users = deps.services.users;
  const tags = ['users'];
  /** Every project id must be one the caller can see (otherwise "not found"). */
  const checkProjects = async (principal: Principal, ids: readonly string[] | undefined) => {
    for (const id of ids ?? []) await deps.services.projects.get(principal, id);
  };

  app.get(
    '',
    {
      schema: {
        tags,
        summary: 'Users the caller may manage, by email',
        response: { 200: Type.Array(UserSchema), ...errorResponses },
      },
    },
    (request) => users.listBy(principalOf(request)),
  );

  app.post(
    '',
    {
      schema: {
        tags,
        summary: 'Invite (create) a user; a generated password is shown only in this answer',
        body: CreateBody,
        response: {
          201: Type.Object({ user: UserSchema, temporaryPassword: Type.Union([Type.String(), Type.Null()]) }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await checkProjects(principal, request.body.projectIds);
      return reply.status(201).send(await users.createBy(principal, request.body));
    },
  );

  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a user’s name, role, projects or password',
        params: ItemParams,
        body: UpdateBody,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await checkProjects(principal, request.body.projectIds);
      return users.updateBy(principal, request.params.id, request.body);
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Remove a user and end their sessions',
        params: ItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await users.removeBy(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
