import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, sendCsv } from '../../platform/http/routes.ts';
import { sendXlsx, xlsxResponse } from '../../platform/xlsx/xlsx.ts';
import { locales } from './documents/labels.ts';
import * as documents from './documents/documents.service.ts';
import { exportInvoicesCsv, exportInvoicesXlsx } from './documents/exports.ts';
import { invoiceListQuery } from './invoices.schemas.ts';

const tags = ['Invoices'];
const pdfResponse = { description: 'PDF document', content: { 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } } };
const documentQuery = z.object({ locale: z.enum(locales).optional().describe("Language of the document; defaults to the organization's") });
const receiptParams = idParams.extend({ allocationId: z.string().regex(/^\d{1,18}$/, 'must be the id of one of the invoice’s allocations') });
const exportQuery = invoiceListQuery.omit({ cursor: true, limit: true });

function sendPdf(reply: FastifyReply, file: documents.PdfFile): FastifyReply {
  return reply
    .type('application/pdf')
    .header('content-disposition', `inline; filename="${file.filename}"`)
    .send(file.data as unknown as string); // raw bytes; the schema documents them as a binary string
}

export function invoiceDocumentRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/invoices/export.csv',
    { schema: { tags, summary: 'Export invoices and credit notes as CSV (the list filters)', querystring: exportQuery, response: { 200: csvResponse, ...errors } }, config: { permission: 'invoices.export' } },
    async (req, reply) => sendCsv(reply, 'invoices.csv', await exportInvoicesCsv(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/invoices/export.xlsx',
    {
      schema: { tags, summary: 'Export invoices and credit notes as an XLSX workbook with amounts as numbers (the list filters)', querystring: exportQuery, response: { 200: xlsxResponse, ...errors } },
      config: { permission: 'invoices.export' },
    },
    async (req, reply) => sendXlsx(reply, 'invoices.xlsx', await exportInvoicesXlsx(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/invoices/:id/pdf',
    { schema: { tags, summary: 'The invoice or credit note as a PDF', params: idParams, querystring: documentQuery, response: { 200: pdfResponse, ...errors } }, config: { permission: 'invoices.read' } },
    async (req, reply) => sendPdf(reply, await documents.invoicePdf(ctx, actorOf(req), req.params.id, req.query.locale)),
  );
  app.get(
    '/api/invoices/:id/receipts/:allocationId/pdf',
    {
      schema: { tags, summary: 'The receipt for one payment, wallet deduction or credit note settling the invoice, as a PDF', params: receiptParams, querystring: documentQuery, response: { 200: pdfResponse, ...errors } },
      config: { permission: 'invoices.read' },
    },
    async (req, reply) => sendPdf(reply, await documents.receiptPdf(ctx, actorOf(req), req.params.id, req.params.allocationId, req.query.locale)),
  );
}
