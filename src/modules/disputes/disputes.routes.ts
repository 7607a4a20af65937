import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams } from '../../platform/http/routes.ts';
import * as disputes from './disputes.service.ts';
import { disputeDetailSchema, disputeListQuery, disputeNoteSchema, disputePage, disputeReviewSchema, openDisputeSchema, resolveDisputeSchema } from './disputes.schemas.ts';

const tags = ['Disputes'];
const detail = { 200: disputeDetailSchema, ...errors };

export function disputeRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/disputes',
    { schema: { tags, summary: 'Billing disputes, newest first', querystring: disputeListQuery, response: { 200: disputePage, ...errors } }, config: { permission: 'payments.read' } },
    (req) => disputes.listDisputes(ctx, actorOf(req), req.query),
  );
  app.post(
    '/api/disputes',
    { schema: { tags, summary: 'Open a dispute on an invoice or a payment', body: openDisputeSchema, response: { 201: disputeDetailSchema, ...errors } }, config: { permission: 'payments.create' } },
    async (req, reply) => reply.code(201).send(await disputes.openDispute(ctx, actorOf(req), req.body)),
  );
  app.get(
    '/api/disputes/:id',
    { schema: { tags, summary: 'A dispute with its notes', params: idParams, response: detail }, config: { permission: 'payments.read' } },
    (req) => disputes.getDispute(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/disputes/:id/notes',
    { schema: { tags, summary: 'Add a note to a dispute', params: idParams, body: disputeNoteSchema, response: detail }, config: { permission: 'payments.create' } },
    (req) => disputes.addNote(ctx, actorOf(req), req.params.id, req.body.body),
  );
  app.post(
    '/api/disputes/:id/review',
    { schema: { tags, summary: 'Take an open dispute under review', params: idParams, body: disputeReviewSchema, response: detail }, config: { permission: 'payments.update' } },
    (req) => disputes.startReview(ctx, actorOf(req), req.params.id, req.body.note),
  );
  app.post(
    '/api/disputes/:id/resolve',
    {
      schema: { tags, summary: 'Close a dispute: a credit note on the invoice, a refund of the payment, or rejection', params: idParams, body: resolveDisputeSchema, response: detail },
      config: { permission: 'payments.update' },
    },
    (req) => disputes.resolveDispute(ctx, actorOf(req), req.params.id, req.body),
  );
}
