import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, noContent, sendCsv } from '../../platform/http/routes.ts';
import * as service from './organizations.service.ts';
import {
  createOrganizationSchema,
  organizationListQuery,
  organizationPage,
  organizationSchema,
  updateOrganizationSchema,
} from './organizations.schemas.ts';

const tags = ['Organizations'];

export function organizationRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/organizations',
    {
      schema: { tags, summary: 'List organizations in your subtree', querystring: organizationListQuery, response: { 200: organizationPage, ...errors } },
      config: { permission: 'organizations.read' },
    },
    (req) => service.listOrganizations(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/organizations/export',
    {
      schema: { tags, summary: 'Export organizations as CSV', querystring: organizationListQuery.omit({ cursor: true, limit: true }), response: { 200: csvResponse, ...errors } },
      config: { permission: 'organizations.export' },
    },
    async (req, reply) => sendCsv(reply, 'organizations.csv', await service.exportOrganizations(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/organizations/:id',
    {
      schema: { tags, summary: 'Get an organization', params: idParams, response: { 200: organizationSchema, ...errors } },
      config: { permission: 'organizations.read' },
    },
    (req) => service.getOrganization(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/organizations',
    {
      schema: { tags, summary: 'Create a reseller, sub-reseller or card partner', body: createOrganizationSchema, response: { 201: organizationSchema, ...errors } },
      config: { permission: 'organizations.create' },
    },
    async (req, reply) => reply.code(201).send(await service.createOrganization(ctx, actorOf(req), req.body)),
  );
  app.patch(
    '/api/organizations/:id',
    {
      schema: { tags, summary: 'Update an organization', params: idParams, body: updateOrganizationSchema, response: { 200: organizationSchema, ...errors } },
      config: { permission: 'organizations.update' },
    },
    (req) => service.updateOrganization(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/organizations/:id',
    {
      schema: { tags, summary: 'Delete an empty organization', params: idParams, response: { 204: noContent, ...errors } },
      config: { permission: 'organizations.delete' },
    },
    async (req, reply) => {
      await service.deleteOrganization(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
