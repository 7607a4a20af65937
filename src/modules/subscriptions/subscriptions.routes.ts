import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, noContent, sendCsv } from '../../platform/http/routes.ts';
import { activateSchema, cancelScheduledSchema, resumeSchema, suspendSchema, terminateSchema } from './lifecycle.schemas.ts';
import * as lifecycle from './lifecycle.service.ts';
import { planChangePreviewSchema, planChangeResultSchema, planChangeSchema } from './plan-change.schemas.ts';
import { changePlan, previewPlanChange } from './plan-change.service.ts';
import * as service from './subscriptions.service.ts';
import {
  createdSubscriptionSchema,
  createSubscriptionSchema,
  credentialsSchema,
  eventSchema,
  revealCredentialsSchema,
  subscriberSubscriptionsQuery,
  subscriptionListQuery,
  subscriptionPage,
  subscriptionSchema,
  updateSubscriptionSchema,
} from './subscriptions.schemas.ts';

const tags = ['Subscriptions'];
const params = idParams;
const read = { permission: 'subscriptions.read' } as const;
const update = { permission: 'subscriptions.update' } as const;
const one = { 200: subscriptionSchema, ...errors };

function lifecycleRoutes(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/api/subscriptions/:id/activate',
    { schema: { tags, summary: 'Activate a pending subscription now and bill what is due', params, body: activateSchema, response: one }, config: update },
    (req) => lifecycle.activateNow(ctx, actorOf(req), req.params.id, req.body.note),
  );
  app.post(
    '/api/subscriptions/:id/suspend',
    {
      schema: { tags, summary: 'Suspend now or at a date, with a reason; with resumeAt it resumes by itself (vacation hold)', params, body: suspendSchema, response: one },
      config: update,
    },
    (req) => lifecycle.suspend(ctx, actorOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/subscriptions/:id/resume',
    { schema: { tags, summary: 'Resume a suspended subscription now or at a date', params, body: resumeSchema, response: one }, config: update },
    (req) => lifecycle.resumeSubscription(ctx, actorOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/subscriptions/:id/terminate',
    { schema: { tags, summary: 'End the subscription now or at a date', params, body: terminateSchema, response: one }, config: update },
    (req) => lifecycle.terminate(ctx, actorOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/subscriptions/:id/cancel-scheduled',
    { schema: { tags, summary: 'Cancel a scheduled suspension, resumption, termination or plan change', params, body: cancelScheduledSchema, response: one }, config: update },
    (req) => lifecycle.cancelScheduled(ctx, actorOf(req), req.params.id, req.body.change),
  );
  app.get(
    '/api/subscriptions/:id/events',
    { schema: { tags, summary: 'Lifecycle history, newest first', params, response: { 200: z.array(eventSchema), ...errors } }, config: read },
    (req) => lifecycle.history(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/subscriptions/:id/plan-change/preview',
    { schema: { tags, summary: 'The lines and totals a plan change would invoice; changes nothing', params, body: planChangeSchema, response: { 200: planChangePreviewSchema, ...errors } }, config: update },
    (req) => previewPlanChange(ctx, actorOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/subscriptions/:id/plan-change',
    {
      schema: { tags, summary: 'Change plan now (prorated, invoiced; prepaid pays from the wallet) or at the period end', params, body: planChangeSchema, response: { 200: planChangeResultSchema, ...errors } },
      config: update,
    },
    (req) => changePlan(ctx, actorOf(req), req.params.id, req.body),
  );
}

export function subscriptionRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/subscriptions',
    { schema: { tags, summary: 'List and search subscriptions in your subtree', querystring: subscriptionListQuery, response: { 200: subscriptionPage, ...errors } }, config: read },
    (req) => service.listSubscriptions(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/subscriptions/export',
    {
      schema: { tags, summary: 'Export subscriptions as CSV', querystring: subscriptionListQuery.omit({ cursor: true, limit: true }), response: { 200: csvResponse, ...errors } },
      config: { permission: 'subscriptions.export' },
    },
    async (req, reply) => sendCsv(reply, 'subscriptions.csv', await service.exportSubscriptions(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/subscribers/:id/subscriptions',
    { schema: { tags, summary: 'A subscriber’s subscriptions', params, querystring: subscriberSubscriptionsQuery, response: { 200: subscriptionPage, ...errors } }, config: read },
    (req) => service.listForSubscriber(ctx, actorOf(req), req.params.id, req.query),
  );
  app.get('/api/subscriptions/:id', { schema: { tags, summary: 'Get a subscription', params, response: one }, config: read }, (req) => service.getSubscription(ctx, actorOf(req), req.params.id));
  app.post(
    '/api/subscriptions',
    {
      schema: { tags, summary: 'Sell a plan to a subscriber: active now, or pending until startsAt', body: createSubscriptionSchema, response: { 201: createdSubscriptionSchema, ...errors } },
      config: { permission: 'subscriptions.create' },
    },
    async (req, reply) => reply.code(201).send(await service.createSubscription(ctx, actorOf(req), req.body)),
  );
  app.patch(
    '/api/subscriptions/:id',
    { schema: { tags, summary: 'Edit the login, MAC binding, static addresses, installation address or auto-renewal', params, body: updateSubscriptionSchema, response: one }, config: update },
    (req) => service.updateSubscription(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/subscriptions/:id',
    { schema: { tags, summary: 'Delete a pending subscription that was never billed', params, response: { 204: noContent, ...errors } }, config: { permission: 'subscriptions.delete' } },
    async (req, reply) => {
      await service.deleteSubscription(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/subscriptions/:id/credentials',
    { schema: { tags, summary: 'Reveal the login’s clear password (recorded in the history and audit log)', params, body: revealCredentialsSchema, response: { 200: credentialsSchema, ...errors } }, config: update },
    (req) => service.revealCredentials(ctx, actorOf(req), req.params.id, req.body.reason),
  );
  lifecycleRoutes(app, ctx);
}
