import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams, noContent } from '../../platform/http/routes.ts';
import * as service from './api-tokens.service.ts';

const tags = ['API tokens'];

export function apiTokenRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/api-tokens',
    { schema: { tags, summary: 'API tokens in your subtree', querystring: service.apiTokenListQuery, response: { 200: service.apiTokenPage, ...errors } }, config: { permission: 'api_tokens.read' } },
    (req) => service.listApiTokens(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/api-tokens/:id',
    { schema: { tags, summary: 'Get an API token (never its secret)', params: idParams, response: { 200: service.apiTokenSchema, ...errors } }, config: { permission: 'api_tokens.read' } },
    (req) => service.getApiToken(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/api-tokens',
    {
      schema: { tags, summary: 'Create a scoped API token (the secret is shown once)', body: service.createApiTokenSchema, response: { 201: service.createdApiTokenSchema, ...errors } },
      config: { permission: 'api_tokens.create' },
    },
    async (req, reply) => reply.code(201).send(await service.createApiToken(ctx, actorOf(req), req.body)),
  );
  app.delete(
    '/api/api-tokens/:id',
    { schema: { tags, summary: 'Revoke an API token', params: idParams, response: { 204: noContent, ...errors } }, config: { permission: 'api_tokens.delete' } },
    async (req, reply) => {
      await service.revokeApiToken(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
