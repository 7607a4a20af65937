import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { fileStoreFor } from '../../platform/files/store.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams, requestOrigin } from '../../platform/http/routes.ts';
import { locales } from '../invoices/documents/labels.ts';
import { portalDailyUsage } from '../usage/usage-daily.service.ts';
import { dailyUsageQuery, dailyUsageSchema } from '../usage/usage-daily.schemas.ts';
import { createdUserSchema } from '../users/users.schemas.ts';
import { walletStatementQuery, walletStatementSchema } from '../wallets/wallets.schemas.ts';
import { customerOf, customerOnly } from './portal.access.ts';
import * as logins from './portal-logins.service.ts';
import * as portal from './portal.service.ts';
import {
  portalInvoiceDetailSchema,
  portalInvoicePage,
  portalInvoiceQuery,
  portalLoginSchema,
  portalPaymentSchema,
  portalProfileSchema,
  portalSubscriptionListSchema,
} from './portal.schemas.ts';

const tags = ['Customer portal'];
const pdfResponse = { description: 'PDF document', content: { 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } } };
const pdfQuery = z.object({ locale: z.enum(locales).optional().describe('Language of the document; defaults to yours') });

export function portalRoutes(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/api/subscribers/:id/portal-login',
    {
      schema: { tags, summary: 'Give the subscriber a login to the customer portal (with a password, or a one-time link to choose one)', params: idParams, body: portalLoginSchema, response: { 201: createdUserSchema, ...errors } },
      config: { permission: 'subscribers.update' },
    },
    async (req, reply) => reply.code(201).send(await logins.createPortalLogin(ctx, actorOf(req), req.params.id, req.body, { baseUrl: requestOrigin(req) })),
  );

  // Portal routes need no staff permission: the hook admits only a customer login linked to a subscriber.
  const customer = { preValidation: customerOnly(ctx.db) };
  app.get(
    '/api/portal/me',
    { ...customer, schema: { tags, summary: 'You as a subscriber: account, provider, wallet and what you owe', response: { 200: portalProfileSchema, ...errors } } },
    (req) => portal.getProfile(ctx, customerOf(req)),
  );
  app.get(
    '/api/portal/subscriptions',
    { ...customer, schema: { tags, summary: 'Your subscriptions with their status, period and usage this period', response: { 200: portalSubscriptionListSchema, ...errors } } },
    (req) => portal.listSubscriptions(ctx, customerOf(req)),
  );
  app.get(
    '/api/portal/subscriptions/:id/usage/daily',
    { ...customer, schema: { tags, summary: 'Your usage per day for one of your subscriptions: data down and up, time online', params: idParams, querystring: dailyUsageQuery, response: { 200: dailyUsageSchema, ...errors } } },
    (req) => portalDailyUsage(ctx, customerOf(req).subscriberId, req.params.id, req.query),
  );
  app.get(
    '/api/portal/invoices',
    { ...customer, schema: { tags, summary: 'Your invoices and credit notes, newest first', querystring: portalInvoiceQuery, response: { 200: portalInvoicePage, ...errors } } },
    (req) => portal.listInvoices(ctx, customerOf(req), req.query),
  );
  app.get(
    '/api/portal/invoices/:id',
    { ...customer, schema: { tags, summary: 'One of your invoices with its lines and payments', params: idParams, response: { 200: portalInvoiceDetailSchema, ...errors } } },
    (req) => portal.getInvoice(ctx, customerOf(req), req.params.id),
  );
  const files = fileStoreFor(ctx.config);
  app.get(
    '/api/portal/invoices/:id/pdf',
    { ...customer, schema: { tags, summary: 'One of your invoices as a PDF', params: idParams, querystring: pdfQuery, response: { 200: pdfResponse, ...errors } } },
    async (req, reply) => {
      const { filename, pdf } = await portal.invoicePdf({ ...ctx, files }, customerOf(req), req.params.id, req.query.locale);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${filename}"`).send(pdf as unknown as string); // the bytes go out as they are; the schema documents them as a binary string
    },
  );
  app.post(
    '/api/portal/invoices/:id/pay-from-wallet',
    { ...customer, schema: { tags, summary: 'Pay what your wallet holds of an unpaid invoice', params: idParams, response: { 200: portalPaymentSchema, ...errors } } },
    (req) => portal.payInvoiceFromWallet(ctx, customerOf(req), req.params.id),
  );
  app.get(
    '/api/portal/wallet/statement',
    { ...customer, schema: { tags, summary: "Your wallet's movements, newest first, with the balance after each", querystring: walletStatementQuery, response: { 200: walletStatementSchema, ...errors } } },
    (req) => portal.walletStatement(ctx, customerOf(req), req.query),
  );
}
