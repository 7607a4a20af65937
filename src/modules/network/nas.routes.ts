import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, noContent, sendCsv } from '../../platform/http/routes.ts';
import * as service from './nas.service.ts';
import {
  createNasSchema,
  nasDetailSchema,
  nasEventList,
  nasEventsQuery,
  nasListQuery,
  nasPage,
  nasSchema,
  rotatedSecretSchema,
  rotateSecretSchema,
  updateNasSchema,
} from './nas.schemas.ts';

const tags = ['NAS'];

export function nasRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/nas',
    {
      schema: { tags, summary: 'List NAS (routers and access servers) with filters and search', querystring: nasListQuery, response: { 200: nasPage, ...errors } },
      config: { permission: 'nas.read' },
    },
    (req) => service.listNas(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/nas/export',
    {
      schema: { tags, summary: 'Export NAS as CSV (no secrets)', querystring: nasListQuery.omit({ cursor: true, limit: true }), response: { 200: csvResponse, ...errors } },
      config: { permission: 'nas.export' },
    },
    async (req, reply) => sendCsv(reply, 'nas.csv', await service.exportNas(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/nas/events',
    {
      schema: { tags, summary: 'Netwatch: NAS that went down or came back, newest first', querystring: nasEventsQuery, response: { 200: nasEventList, ...errors } },
      config: { permission: 'nas.read' },
    },
    (req) => service.listEvents(ctx, actorOf(req), req.query.limit),
  );
  app.get(
    '/api/nas/:id',
    {
      schema: { tags, summary: 'Get a NAS with its latest netwatch events', params: idParams, response: { 200: nasDetailSchema, ...errors } },
      config: { permission: 'nas.read' },
    },
    (req) => service.getNas(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/nas',
    {
      schema: { tags, summary: 'Add a NAS; its address must not belong to another NAS', body: createNasSchema, response: { 201: nasSchema, ...errors } },
      config: { permission: 'nas.create' },
    },
    async (req, reply) => reply.code(201).send(await service.createNas(ctx, actorOf(req), req.body)),
  );
  app.patch(
    '/api/nas/:id',
    {
      schema: { tags, summary: 'Edit, deactivate or reactivate a NAS', params: idParams, body: updateNasSchema, response: { 200: nasSchema, ...errors } },
      config: { permission: 'nas.update' },
    },
    (req) => service.updateNas(ctx, actorOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/nas/:id/rotate-secret',
    {
      schema: { tags, summary: 'Replace the RADIUS shared secret; the new one is answered this once', params: idParams, body: rotateSecretSchema, response: { 200: rotatedSecretSchema, ...errors } },
      config: { permission: 'nas.update' },
    },
    (req) => service.rotateSecret(ctx, actorOf(req), req.params.id, req.body.secret),
  );
  app.delete(
    '/api/nas/:id',
    {
      schema: { tags, summary: 'Delete a NAS nothing refers to (deactivate one that has pools or sessions)', params: idParams, response: { 204: noContent, ...errors } },
      config: { permission: 'nas.delete' },
    },
    async (req, reply) => {
      await service.deleteNas(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
