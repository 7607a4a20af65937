import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, noContent, sendCsv } from '../../platform/http/routes.ts';
import * as versions from './plan-versions.service.ts';
import * as service from './plans.service.ts';
import { createPlanSchema, planListQuery, planPage, planSchema, planVersionInput, planVersionList, updatePlanSchema } from './plans.schemas.ts';
import { pricePreviewRequest, pricePreviewSchema } from './pricing.schemas.ts';
import { previewPrice } from './pricing.service.ts';

const tags = ['Plans'];

export function planRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/plans',
    {
      schema: { tags, summary: "List plans: your subtree's and the master packages shared from above", querystring: planListQuery, response: { 200: planPage, ...errors } },
      config: { permission: 'plans.read' },
    },
    (req) => service.listPlans(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/plans/export',
    {
      schema: { tags, summary: 'Export plans with their current prices as CSV', querystring: planListQuery.omit({ cursor: true, limit: true }), response: { 200: csvResponse, ...errors } },
      config: { permission: 'plans.export' },
    },
    async (req, reply) => sendCsv(reply, 'plans.csv', await service.exportPlans(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/plans/:id',
    {
      schema: { tags, summary: 'Get a plan with its current version', params: idParams, response: { 200: planSchema, ...errors } },
      config: { permission: 'plans.read' },
    },
    (req) => service.getPlan(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/plans',
    {
      schema: { tags, summary: 'Create a plan with its first version', body: createPlanSchema, response: { 201: planSchema, ...errors } },
      config: { permission: 'plans.create' },
    },
    async (req, reply) => reply.code(201).send(await service.createPlan(ctx, actorOf(req), req.body)),
  );
  app.patch(
    '/api/plans/:id',
    {
      schema: {
        tags,
        summary: 'Rename, describe, share, archive or restore a plan, or change what a bundle includes',
        description: 'Prices, billing and the network profile change through a new version.',
        params: idParams,
        body: updatePlanSchema,
        response: { 200: planSchema, ...errors },
      },
      config: { permission: 'plans.update' },
    },
    (req) => service.updatePlan(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/plans/:id',
    {
      schema: { tags, summary: 'Delete a plan nothing uses (archive a plan that was sold)', params: idParams, response: { 204: noContent, ...errors } },
      config: { permission: 'plans.delete' },
    },
    async (req, reply) => {
      await service.deletePlan(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/api/plans/:id/versions',
    {
      schema: { tags, summary: 'Version history of a plan, newest first', params: idParams, response: { 200: planVersionList, ...errors } },
      config: { permission: 'plans.read' },
    },
    (req) => versions.listVersions(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/plans/:id/versions',
    {
      schema: {
        tags,
        summary: 'Change prices, billing or the network profile: a new version becomes current',
        description: 'Answers 201 with the plan and its new version, or 200 with the plan unchanged when the version would sell exactly what the current one sells.',
        params: idParams,
        body: planVersionInput,
        response: { 200: planSchema, 201: planSchema, ...errors },
      },
      config: { permission: 'plans.update' },
    },
    async (req, reply) => {
      const { plan, created } = await versions.createVersion(ctx, actorOf(req), req.params.id, req.body);
      return reply.code(created ? 201 : 200).send(plan);
    },
  );
  app.post(
    '/api/plans/:id/preview',
    {
      schema: {
        tags,
        summary: 'Price one period of a plan as the invoice will: rated, discounted and taxed',
        params: idParams,
        body: pricePreviewRequest,
        response: { 200: pricePreviewSchema, ...errors },
      },
      config: { permission: 'plans.read' },
    },
    (req) => previewPrice(ctx, actorOf(req), req.params.id, req.body),
  );
}
