import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams } from '../../platform/http/routes.ts';
import * as plans from './installments.service.ts';
import { cancelPlanSchema, createPlanSchema, planDetailSchema, planListQuery, planPage } from './installments.schemas.ts';

const tags = ['Installment plans'];

export function installmentRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/installment-plans',
    { schema: { tags, summary: 'Installment plans, newest first', querystring: planListQuery, response: { 200: planPage, ...errors } }, config: { permission: 'payments.read' } },
    (req) => plans.listPlans(ctx, actorOf(req), req.query),
  );
  app.post(
    '/api/installment-plans',
    {
      schema: { tags, summary: "Agree a plan to pay a subscriber's unpaid invoices in installments", body: createPlanSchema, response: { 201: planDetailSchema, ...errors } },
      config: { permission: 'payments.update' },
    },
    async (req, reply) => reply.code(201).send(await plans.createPlan(ctx, actorOf(req), req.body)),
  );
  app.get(
    '/api/installment-plans/:id',
    { schema: { tags, summary: 'A plan with its installments (paid, due, overdue) and invoices', params: idParams, response: { 200: planDetailSchema, ...errors } }, config: { permission: 'payments.read' } },
    (req) => plans.getPlan(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/installment-plans/:id/cancel',
    { schema: { tags, summary: 'Cancel an active plan: its invoices fall back into the normal overdue flow', params: idParams, body: cancelPlanSchema, response: { 200: planDetailSchema, ...errors } }, config: { permission: 'payments.update' } },
    (req) => plans.cancelPlan(ctx, actorOf(req), req.params.id, req.body.reason),
  );
}
