
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams, problemSchema } from '../../platform/http/routes.ts';
import * as backups from './backups.service.ts';
import * as queues from './queues.service.ts';
import * as service from './routers.service.ts';
import {
  activeSessionsSchema,
  backupDiffQuery,
  backupDiffSchema,
  backupPage,
  backupParams,
  backupSchema,
  backupWithContentSchema,
  commandPage,
  pushPlansSchema,
  pushQueuesResultSchema,
  pushResultSchema,
  routerListQuery,
  routerStatusSchema,
  tlsPinSchema,
} from './routers.schemas.ts';

const tags = ['Routers'];
const params = idParams;
/** 502: the router was unreachable, refused the login or refused a command (the detail says which). */
const routerErrors = { ...errors, 502: problemSchema };

export function routerRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/nas/:id/router',
    {
      schema: { tags, summary: "Connect to the NAS's router: identity and resources, or why it failed (the connection test)", params, response: { 200: routerStatusSchema, ...errors } },
      config: { permission: 'nas.read' },
    },
    (req) => service.routerStatus(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/nas/:id/router/push-plans',
    {
      schema: {
        tags,
        summary: "Create or update the router's PPP and hotspot user profiles from the active plans; dryRun only compares",
        params,
        body: pushPlansSchema,
        response: { 200: pushResultSchema, ...routerErrors },
      },
      config: { permission: 'nas.update' },
    },
    (req) => service.pushPlans(ctx, actorOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/nas/:id/router/push-queues',
    {
      schema: {
        tags,
        summary: "Create or update a simple queue per active static-IP subscriber the NAS serves (address in one of its pools), and remove Uplink's stale ones; dryRun only compares",
        params,
        body: pushPlansSchema,
        response: { 200: pushQueuesResultSchema, ...routerErrors },
      },
      config: { permission: 'nas.update' },
    },
    (req) => queues.pushQueues(ctx, actorOf(req), req.params.id, req.body),
  );
  app.get(
    '/api/nas/:id/router/active-sessions',
    {
      schema: { tags, summary: 'PPP and hotspot sessions active on the router now', params, response: { 200: activeSessionsSchema, ...routerErrors } },
      config: { permission: 'nas.read' },
    },
    (req) => service.activeSessions(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/nas/:id/router/commands',
    {
      schema: { tags, summary: 'Every command sent to the router, newest first (secrets masked)', params, querystring: routerListQuery, response: { 200: commandPage, ...errors } },
      config: { permission: 'nas.read' },
    },
    (req) => service.listCommands(ctx, actorOf(req), req.params.id, req.query),
  );
  app.put(
    '/api/nas/:id/router/tls-pin',
    {
      schema: { tags, summary: "Pin the router's TLS certificate by its SHA-256 fingerprint (null unpins)", params, body: tlsPinSchema, response: { 200: tlsPinSchema, ...errors } },
      config: { permission: 'nas.update' },
    },
    (req) => service.setTlsPin(ctx, actorOf(req), req.params.id, req.body.fingerprint),
  );
  app.get(
    '/api/nas/:id/router/backups',
    {
      schema: { tags, summary: 'Configuration backups of the router, newest first', params, querystring: routerListQuery, response: { 200: backupPage, ...errors } },
      config: { permission: 'nas.export' },
    },
    (req) => backups.listBackups(ctx, actorOf(req), req.params.id, req.query),
  );
  app.post(
    '/api/nas/:id/router/backups',
    {
      schema: { tags, summary: "Take a backup now (the router's /export)", params, response: { 201: backupSchema, ...routerErrors } },
      config: { permission: 'nas.export' },
    },
    async (req, reply) => reply.code(201).send(await backups.takeBackup(ctx, actorOf(req), req.params.id)),
  );
  app.get(
    '/api/nas/:id/router/backups/diff',
    {
      schema: { tags, summary: 'Line diff between two backups of the router', params, querystring: backupDiffQuery, response: { 200: backupDiffSchema, ...errors } },
      config: { permission: 'nas.export' },
    },
    (req) => backups.diffBackups(ctx, actorOf(req), req.params.id, req.query),
  );
  app.get(
    '/api/nas/:id/router/backups/:backupId',
    {
      schema: { tags, summary: 'One backup with its configuration text', params: backupParams, response: { 200: backupWithContentSchema, ...errors } },
      config: { permission: 'nas.export' },
    },
    (req) => backups.getBackup(ctx, actorOf(req), req.params.id, req.params.backupId),
  );
}

