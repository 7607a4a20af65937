import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, sendCsv } from '../../platform/http/routes.ts';
import { aaaSettingsRoutes } from './aaa-settings.routes.ts';
import * as service from './sessions.service.ts';
import { enforcementPage, enforcementSchema, sessionHistoryQuery, sessionListQuery, sessionPage, sessionParams } from './sessions.schemas.ts';

const tags = ['Sessions'];

export function sessionRoutes(app: TypedApp, ctx: AppContext): void {
  aaaSettingsRoutes(app, ctx);
  app.get(
    '/api/sessions',
    {
      schema: { tags, summary: 'Online RADIUS sessions with live counters; q searches username, address, MAC, subscriber', querystring: sessionListQuery, response: { 200: sessionPage, ...errors } },
      config: { permission: 'sessions.read' },
    },
    (req) => service.listOnlineSessions(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/sessions/export',
    {
      schema: { tags, summary: 'Online sessions as CSV (same filters as the list)', querystring: sessionListQuery.omit({ cursor: true, limit: true }), response: { 200: csvResponse, ...errors } },
      config: { permission: 'sessions.export' },
    },
    async (req, reply) => sendCsv(reply, 'sessions.csv', await service.exportOnlineSessions(ctx, actorOf(req), req.query)),
  );
  app.post(
    '/api/sessions/:id/disconnect',
    {
      schema: { tags, summary: 'Send a Disconnect-Request (RFC 5176) for an open session: queued, sent and retried by the worker', params: sessionParams, response: { 202: enforcementSchema, ...errors } },
      config: { permission: 'sessions.update' },
    },
    async (req, reply) => reply.code(202).send(await service.disconnectSession(ctx, actorOf(req), req.params.id)),
  );
  app.get(
    '/api/subscriptions/:id/sessions',
    {
      schema: { tags, summary: 'Sessions of a subscription, newest first', params: idParams, querystring: sessionHistoryQuery, response: { 200: sessionPage, ...errors } },
      config: { permission: 'sessions.read' },
    },
    (req) => service.sessionsOfSubscription(ctx, actorOf(req), req.params.id, req.query),
  );
  app.get(
    '/api/subscriptions/:id/enforcement',
    {
      schema: { tags, summary: 'CoA and Disconnect requests of a subscription and their outcomes, newest first', params: idParams, querystring: sessionHistoryQuery, response: { 200: enforcementPage, ...errors } },
      config: { permission: 'sessions.read' },
    },
    (req) => service.enforcementOfSubscription(ctx, actorOf(req), req.params.id, req.query),
  );
}
