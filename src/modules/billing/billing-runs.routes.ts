import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams } from '../../platform/http/routes.ts';
import { billingRunListQuery, billingRunPage, billingRunSchema, startBillingRunSchema } from './billing-runs.schemas.ts';
import * as runs from './billing-runs.service.ts';

const tags = ['Billing'];

export function billingRunRoutes(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/api/billing/runs',
    {
      schema: {
        tags,
        summary: 'Start a billing run (or a dry run) for an organization; a background job bills every period due',
        body: startBillingRunSchema,
        response: { 202: billingRunSchema, ...errors },
      },
      config: { permission: 'billing.create' },
    },
    async (req, reply) => reply.code(202).send(await runs.startRun(ctx, actorOf(req), req.body)),
  );
  app.get(
    '/api/billing/runs',
    {
      schema: { tags, summary: 'List billing runs with their progress and totals', querystring: billingRunListQuery, response: { 200: billingRunPage, ...errors } },
      config: { permission: 'billing.read' },
    },
    (req) => runs.listRuns(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/billing/runs/:id',
    {
      schema: { tags, summary: 'Get a billing run: progress, totals per currency, failures, and a dry run’s sample lines', params: idParams, response: { 200: billingRunSchema, ...errors } },
      config: { permission: 'billing.read' },
    },
    (req) => runs.getRun(ctx, actorOf(req), req.params.id),
  );
}
