import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { fileStoreFor } from '../../platform/files/store.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, sendCsv } from '../../platform/http/routes.ts';
import { sendXlsx, xlsxResponse } from '../../platform/xlsx/xlsx.ts';
import { locales } from '../invoices/documents/labels.ts';
import { customerOf, customerOnly } from '../portal/portal.access.ts';
import {
  cancelPaymentQuery,
  matchPaymentSchema,
  paymentDetailSchema,
  paymentExportQuery,
  paymentListQuery,
  paymentPage,
  paymentReportSchema,
  portalPaymentPage,
  portalPaymentQuery,
  recordedPaymentSchema,
  recordPaymentSchema,
  reportQuery,
} from './payments.schemas.ts';
import * as payments from './payments.service.ts';
import * as portal from './portal-payments.service.ts';
import * as reports from './reports.service.ts';

const tags = ['Payments'];
const pdfResponse = { description: 'PDF document', content: { 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } } };
const documentQuery = z.object({ locale: z.enum(locales).optional().describe("Language of the receipt; defaults to the organization's") });

function sendPdf(reply: FastifyReply, file: { filename: string; data: Buffer }): FastifyReply {
  return reply
    .type('application/pdf')
    .header('content-disposition', `inline; filename="${file.filename}"`)
    .send(file.data as unknown as string); // raw bytes; the schema documents them as a binary string
}

export function paymentRoutes(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/api/payments',
    {
      schema: {
        tags,
        summary: 'Record a payment taken by staff (cash, bank transfer, cheque, mobile transfer): it pays the chosen invoices, then the oldest unpaid, and the rest stays in the wallet',
        body: recordPaymentSchema,
        response: { 201: recordedPaymentSchema, ...errors },
      },
      config: { permission: 'payments.create' },
    },
    async (req, reply) => reply.code(201).send(await payments.recordPayment(ctx, actorOf(req), req.body)),
  );
  app.get(
    '/api/payments',
    { schema: { tags, summary: 'Payments received, newest first, with filters', querystring: paymentListQuery, response: { 200: paymentPage, ...errors } }, config: { permission: 'payments.read' } },
    (req) => payments.listPayments(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/payments/export.csv',
    { schema: { tags, summary: 'Export payments as CSV (the list filters)', querystring: paymentExportQuery, response: { 200: csvResponse, ...errors } }, config: { permission: 'payments.export' } },
    async (req, reply) => sendCsv(reply, 'payments.csv', await reports.exportPaymentsCsv(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/payments/export.xlsx',
    { schema: { tags, summary: 'Export payments as an XLSX workbook, amounts as numbers (the list filters)', querystring: paymentExportQuery, response: { 200: xlsxResponse, ...errors } }, config: { permission: 'payments.export' } },
    async (req, reply) => sendXlsx(reply, 'payments.xlsx', await reports.exportPaymentsXlsx(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/payments/report',
    { schema: { tags, summary: 'Payments by method and gateway, by collector and by day, with totals', querystring: reportQuery, response: { 200: paymentReportSchema, ...errors } }, config: { permission: 'payments.read' } },
    (req) => reports.paymentReport(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/payments/report.csv',
    { schema: { tags, summary: 'The payments report as CSV', querystring: reportQuery, response: { 200: csvResponse, ...errors } }, config: { permission: 'payments.export' } },
    async (req, reply) => sendCsv(reply, 'payments-report.csv', await reports.paymentReportCsv(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/payments/:id',
    { schema: { tags, summary: 'One payment: what it paid and its ledger entries', params: idParams, response: { 200: paymentDetailSchema, ...errors } }, config: { permission: 'payments.read' } },
    (req) => payments.getPayment(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/payments/:id/receipt.pdf',
    { schema: { tags, summary: "The payment's receipt as a PDF", params: idParams, querystring: documentQuery, response: { 200: pdfResponse, ...errors } }, config: { permission: 'payments.read' } },
    async (req, reply) => sendPdf(reply, await reports.paymentReceiptPdf(ctx, actorOf(req), req.params.id, req.query.locale)),
  );
  app.post(
    '/api/payments/:id/match',
    {
      schema: { tags, summary: 'Match a payment waiting in suspense to a subscriber: it pays what is owed and the rest stays in the wallet', params: idParams, body: matchPaymentSchema, response: { 200: paymentDetailSchema, ...errors } },
      config: { permission: 'payments.update' },
    },
    (req) => payments.matchPayment(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/payments/:id',
    {
      schema: { tags, summary: 'Cancel a staff-recorded payment entered in error while its money is still in the wallet (its entries are reversed)', params: idParams, querystring: cancelPaymentQuery, response: { 200: paymentDetailSchema, ...errors } },
      config: { permission: 'payments.delete' },
    },
    (req) => payments.cancelPayment(ctx, actorOf(req), req.params.id, req.query.reason),
  );

  // The customer portal: the subscriber's own payments and receipts (no staff permission; see portal.access.ts).
  const customer = { preValidation: customerOnly(ctx.db) };
  const portalTags = ['Customer portal'];
  app.get(
    '/api/portal/payments',
    { ...customer, schema: { tags: portalTags, summary: 'Your payments, newest first', querystring: portalPaymentQuery, response: { 200: portalPaymentPage, ...errors } } },
    (req) => portal.listOwnPayments(ctx, customerOf(req), req.query),
  );
  app.get(
    '/api/portal/payments/:id/receipt.pdf',
    { ...customer, schema: { tags: portalTags, summary: 'The receipt of one of your payments as a PDF', params: idParams, querystring: documentQuery, response: { 200: pdfResponse, ...errors } } },
    async (req, reply) => sendPdf(reply, await portal.ownReceipt({ db: ctx.db, files: fileStoreFor(ctx.config) }, customerOf(req), req.params.id, req.query.locale)),
  );
}
