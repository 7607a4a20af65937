import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, noContent, requestOrigin, sendCsv } from '../../platform/http/routes.ts';
import * as service from './users.service.ts';
import {
  createdUserSchema,
  createUserSchema,
  passwordLinkSchema,
  updateUserSchema,
  userListQuery,
  userPage,
  userSchema,
} from './users.schemas.ts';

const tags = ['Users'];

export function userRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/users',
    { schema: { tags, summary: 'List users in your subtree', querystring: userListQuery, response: { 200: userPage, ...errors } }, config: { permission: 'users.read' } },
    (req) => service.listUsers(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/users/export',
    {
      schema: { tags, summary: 'Export users as CSV', querystring: userListQuery.omit({ cursor: true, limit: true }), response: { 200: csvResponse, ...errors } },
      config: { permission: 'users.export' },
    },
    async (req, reply) => sendCsv(reply, 'users.csv', await service.exportUsers(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/users/:id',
    { schema: { tags, summary: 'Get a user', params: idParams, response: { 200: userSchema, ...errors } }, config: { permission: 'users.read' } },
    (req) => service.getUser(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/users',
    {
      schema: { tags, summary: 'Create a staff, reseller or customer user', body: createUserSchema, response: { 201: createdUserSchema, ...errors } },
      config: { permission: 'users.create' },
    },
    async (req, reply) => reply.code(201).send(await service.createUser(ctx, actorOf(req), req.body, { baseUrl: requestOrigin(req) })),
  );
  app.patch(
    '/api/users/:id',
    {
      schema: { tags, summary: 'Update, disable or move a user', params: idParams, body: updateUserSchema, response: { 200: userSchema, ...errors } },
      config: { permission: 'users.update' },
    },
    (req) => service.updateUser(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/users/:id',
    { schema: { tags, summary: 'Delete a user', params: idParams, response: { 204: noContent, ...errors } }, config: { permission: 'users.delete' } },
    async (req, reply) => {
      await service.deleteUser(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/users/:id/password-link',
    {
      schema: { tags, summary: 'Issue a one-time link for the user to set a new password', params: idParams, response: { 200: passwordLinkSchema, ...errors } },
      config: { permission: 'users.update' },
    },
    (req) => service.issuePasswordLink(ctx, actorOf(req), req.params.id, { baseUrl: requestOrigin(req) }),
  );
  app.post(
    '/api/users/:id/unlock',
    { schema: { tags, summary: 'Lift a sign-in lockout', params: idParams, response: { 200: userSchema, ...errors } }, config: { permission: 'users.update' } },
    (req) => service.unlockUser(ctx, actorOf(req), req.params.id),
  );
}
