import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams } from '../../platform/http/routes.ts';
import * as refunds from './refunds.service.ts';
import {
  chargebackSchema,
  refundSchema,
  reversalListSchema,
  reversalResultSchema,
  writeOffListQuery,
  writeOffListSchema,
  writeOffReversalSchema,
  writeOffSchema,
  writeOffViewSchema,
} from './refunds.schemas.ts';

const tags = ['Refunds'];

export function refundRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/payments/:id/reversals',
    { schema: { tags, summary: "A payment's refunds and chargebacks", params: idParams, response: { 200: reversalListSchema, ...errors } }, config: { permission: 'payments.read' } },
    (req) => refunds.listReversals(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/payments/:id/refunds',
    {
      schema: {
        tags,
        summary: 'Refund a payment, fully or in part: back to the payer (cash, bank) or to the wallet (a credit note); never more than is left unrefunded',
        params: idParams,
        body: refundSchema,
        response: { 201: reversalResultSchema, ...errors },
      },
      config: { permission: 'payments.update' },
    },
    async (req, reply) => {
      const done = await refunds.refund(ctx, actorOf(req), req.params.id, req.body);
      return reply.code(done.replayed ? 200 : 201).send(done);
    },
  );
  app.post(
    '/api/payments/:id/chargebacks',
    {
      schema: {
        tags,
        summary: 'Record a chargeback: the money is taken back, the invoices the payment paid are owed again, the payment is reversed',
        params: idParams,
        body: chargebackSchema,
        response: { 201: reversalResultSchema, ...errors },
      },
      config: { permission: 'payments.update' },
    },
    async (req, reply) => {
      const done = await refunds.recordChargeback(ctx, actorOf(req), req.params.id, req.body);
      return reply.code(done.replayed ? 200 : 201).send(done);
    },
  );
  app.post(
    '/api/invoices/:id/write-off',
    {
      schema: { tags, summary: 'Write off what is unpaid on an invoice as bad debt', params: idParams, body: writeOffSchema, response: { 201: writeOffViewSchema, ...errors } },
      config: { permission: 'payments.update' },
    },
    async (req, reply) => reply.code(201).send(await refunds.writeOff(ctx, actorOf(req), req.params.id, req.body)),
  );
  app.get(
    '/api/invoices/:id/write-offs',
    { schema: { tags, summary: "An invoice's write-offs (live and reversed)", params: idParams, response: { 200: writeOffListSchema, ...errors } }, config: { permission: 'payments.read' } },
    (req) => refunds.writeOffsOfInvoice(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/write-offs',
    { schema: { tags, summary: 'Bad debt written off, newest first', querystring: writeOffListQuery, response: { 200: writeOffListSchema, ...errors } }, config: { permission: 'payments.read' } },
    (req) => refunds.listWriteOffs(ctx, actorOf(req), req.query),
  );
  app.post(
    '/api/write-offs/:id/reverse',
    {
      schema: { tags, summary: 'Reverse a write-off by a new entry: the invoice is owed again', params: idParams, body: writeOffReversalSchema, response: { 200: writeOffViewSchema, ...errors } },
      config: { permission: 'payments.update' },
    },
    (req) => refunds.undoWriteOff(ctx, actorOf(req), req.params.id, req.body),
  );
}
