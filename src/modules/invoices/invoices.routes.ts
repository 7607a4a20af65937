import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams, noContent } from '../../platform/http/routes.ts';
import * as invoices from './invoices.service.ts';
import * as settings from './billing-settings.service.ts';
import {
  billingSettingsSchema,
  createInvoiceSchema,
  creditNoteSchema,
  invoiceDetailSchema,
  invoiceListQuery,
  invoicePage,
  updateBillingSettingsSchema,
  updateDraftSchema,
  voidSchema,
} from './invoices.schemas.ts';

const tags = ['Invoices'];
const detail = { 200: invoiceDetailSchema, ...errors };

export function invoiceRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/invoices',
    { schema: { tags, summary: 'List invoices and credit notes', querystring: invoiceListQuery, response: { 200: invoicePage, ...errors } }, config: { permission: 'invoices.read' } },
    (req) => invoices.listInvoices(ctx, actorOf(req), req.query),
  );
  app.post(
    '/api/invoices',
    {
      schema: { tags, summary: 'Create a manual invoice (a draft, or issued at once)', body: createInvoiceSchema, response: { 201: invoiceDetailSchema, ...errors } },
      config: { permission: 'invoices.create' },
    },
    async (req, reply) => reply.code(201).send(await invoices.createManualInvoice(ctx, actorOf(req), req.body)),
  );
  app.get(
    '/api/invoices/:id',
    { schema: { tags, summary: 'Get an invoice with its lines, payments and credit notes', params: idParams, response: detail }, config: { permission: 'invoices.read' } },
    (req) => invoices.getInvoice(ctx, actorOf(req), req.params.id),
  );
  app.patch(
    '/api/invoices/:id',
    { schema: { tags, summary: 'Edit a draft invoice', params: idParams, body: updateDraftSchema, response: detail }, config: { permission: 'invoices.update' } },
    (req) => invoices.updateDraft(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/invoices/:id',
    { schema: { tags, summary: 'Delete a manual invoice that is not issued yet', params: idParams, response: { 204: noContent, ...errors } }, config: { permission: 'invoices.delete' } },
    async (req, reply) => {
      await invoices.deleteDraft(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  const steps = [
    ['submit', 'Send a draft for review (where invoices are approved before they are sent)', invoices.submitForReview],
    ['approve', 'Approve an invoice in review', invoices.approve],
    ['issue', 'Issue (send) the invoice: it gets its number, is posted to the ledger and falls due', invoices.issue],
    ['pay-from-wallet', "Pay what the subscriber's wallet can of the invoice", invoices.payWithWallet],
  ] as const;
  for (const [path, summary, run] of steps)
    app.post(
      `/api/invoices/:id/${path}`,
      { schema: { tags, summary, params: idParams, response: detail }, config: { permission: 'invoices.update' } },
      (req) => run(ctx, actorOf(req), req.params.id),
    );
  app.post(
    '/api/invoices/:id/void',
    { schema: { tags, summary: 'Void an issued invoice nobody has paid (its ledger entry is reversed)', params: idParams, body: voidSchema, response: detail }, config: { permission: 'invoices.update' } },
    (req) => invoices.voidOne(ctx, actorOf(req), req.params.id, req.body.reason),
  );
  app.post(
    '/api/invoices/:id/credit-notes',
    {
      schema: { tags, summary: 'Issue a credit note for lines of an issued invoice', params: idParams, body: creditNoteSchema, response: { 201: invoiceDetailSchema, ...errors } },
      config: { permission: 'invoices.create' },
    },
    async (req, reply) => reply.code(201).send(await invoices.creditNote(ctx, actorOf(req), req.params.id, req.body)),
  );

  const orgParams = z.object({ organizationId: z.uuid() });
  app.get(
    '/api/billing/settings/:organizationId',
    { schema: { tags: ['Billing'], summary: "An organization's billing settings", params: orgParams, response: { 200: billingSettingsSchema, ...errors } }, config: { permission: 'billing.read' } },
    (req) => settings.getBillingSettings(ctx, actorOf(req), req.params.organizationId),
  );
  app.patch(
    '/api/billing/settings/:organizationId',
    {
      schema: { tags: ['Billing'], summary: "Change an organization's billing settings", params: orgParams, body: updateBillingSettingsSchema, response: { 200: billingSettingsSchema, ...errors } },
      config: { permission: 'billing.update' },
    },
    (req) => settings.updateBillingSettings(ctx, actorOf(req), req.params.organizationId, req.body),
  );
}
