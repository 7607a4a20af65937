import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams, noContent } from '../../platform/http/routes.ts';
import * as service from './penalties.service.ts';
import {
  assignPenaltyClassSchema,
  createPenaltyClassSchema,
  penaltyClassListQuery,
  penaltyClassPage,
  penaltyClassSchema,
  subscriberPenaltyClassSchema,
  updatePenaltyClassSchema,
} from './penalties.schemas.ts';

const tags = ['Billing'];
const params = idParams;

/** Late-payment penalty classes, and which one a subscriber has. */
export function penaltyRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/billing/penalty-classes',
    {
      schema: { tags, summary: "List penalty classes: your subtree's and those of the organizations above", querystring: penaltyClassListQuery, response: { 200: penaltyClassPage, ...errors } },
      config: { permission: 'billing.read' },
    },
    (req) => service.listPenaltyClasses(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/billing/penalty-classes/:id',
    { schema: { tags, summary: 'Get a penalty class', params, response: { 200: penaltyClassSchema, ...errors } }, config: { permission: 'billing.read' } },
    (req) => service.getPenaltyClass(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/billing/penalty-classes',
    {
      schema: { tags, summary: 'Create a penalty class: a fixed amount, or a percentage of what is owed with a minimum', body: createPenaltyClassSchema, response: { 201: penaltyClassSchema, ...errors } },
      config: { permission: 'billing.update' },
    },
    async (req, reply) => reply.code(201).send(await service.createPenaltyClass(ctx, actorOf(req), req.body)),
  );
  app.patch(
    '/api/billing/penalty-classes/:id',
    {
      schema: { tags, summary: 'Change a penalty class (penalties already charged keep their amounts)', params, body: updatePenaltyClassSchema, response: { 200: penaltyClassSchema, ...errors } },
      config: { permission: 'billing.update' },
    },
    (req) => service.updatePenaltyClass(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/billing/penalty-classes/:id',
    { schema: { tags, summary: 'Delete a penalty class no subscriber has', params, response: { 204: noContent, ...errors } }, config: { permission: 'billing.update' } },
    async (req, reply) => {
      await service.deletePenaltyClass(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/api/subscribers/:id/penalty-class',
    { schema: { tags, summary: "A subscriber's penalty class", params, response: { 200: subscriberPenaltyClassSchema, ...errors } }, config: { permission: 'billing.read' } },
    (req) => service.subscriberPenaltyClass(ctx, actorOf(req), req.params.id),
  );
  app.put(
    '/api/subscribers/:id/penalty-class',
    {
      schema: { tags, summary: 'Give a subscriber a penalty class (null for none)', params, body: assignPenaltyClassSchema, response: { 200: subscriberPenaltyClassSchema, ...errors } },
      config: { permission: 'billing.update' },
    },
    (req) => service.assignPenaltyClass(ctx, actorOf(req), req.params.id, req.body.penaltyClassId),
  );
}
