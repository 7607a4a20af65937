import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, noContent } from '../../platform/http/routes.ts';
import * as service from './roles.service.ts';

const tags = ['Roles'];
const keyParams = z.object({ key: z.string().max(40) });

export function roleRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/roles',
    { schema: { tags, summary: 'Roles and their permissions', response: { 200: z.array(service.roleSchema), ...errors } }, config: { permission: 'roles.read' } },
    (req) => service.listRoles(ctx, actorOf(req)),
  );
  app.get(
    '/api/permissions',
    { schema: { tags, summary: 'The permission catalogue', response: { 200: z.array(service.permissionSchema), ...errors } }, config: { permission: 'roles.read' } },
    (req) => service.listPermissions(ctx, actorOf(req)),
  );
  app.get(
    '/api/roles/:key',
    { schema: { tags, summary: 'Get a role', params: keyParams, response: { 200: service.roleSchema, ...errors } }, config: { permission: 'roles.read' } },
    (req) => service.getRole(ctx, actorOf(req), req.params.key),
  );
  app.post(
    '/api/roles',
    {
      schema: { tags, summary: 'Create a custom role', body: service.createRoleSchema, response: { 201: service.roleSchema, ...errors } },
      config: { permission: 'roles.create' },
    },
    async (req, reply) => reply.code(201).send(await service.createRole(ctx, actorOf(req), req.body)),
  );
  app.patch(
    '/api/roles/:key',
    {
      schema: { tags, summary: "Change a role's name or permissions", params: keyParams, body: service.updateRoleSchema, response: { 200: service.roleSchema, ...errors } },
      config: { permission: 'roles.update' },
    },
    (req) => service.updateRole(ctx, actorOf(req), req.params.key, req.body),
  );
  app.delete(
    '/api/roles/:key',
    { schema: { tags, summary: 'Delete an unused custom role', params: keyParams, response: { 204: noContent, ...errors } }, config: { permission: 'roles.delete' } },
    async (req, reply) => {
      await service.deleteRole(ctx, actorOf(req), req.params.key);
      return reply.code(204).send(null);
    },
  );
}
