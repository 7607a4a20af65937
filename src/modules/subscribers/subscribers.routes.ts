import multipart from '@fastify/multipart';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, noContent, sendCsv } from '../../platform/http/routes.ts';
import { sendXlsx, xlsxResponse } from '../../platform/xlsx/xlsx.ts';
import { exportSubscribersXlsx } from '../invoices/documents/exports.ts';
import { bulkAction, bulkActionSchema, bulkResultSchema, deleteSubscriber } from './bulk.service.ts';
import * as documents from './documents.service.ts';
import { importReportSchema, importSubscribers, importSchema, MAX_IMPORT_BYTES } from './import.service.ts';
import * as service from './subscribers.service.ts';
import {
  changeStatusSchema,
  createNoteSchema,
  createSubscriberSchema,
  documentParams,
  documentSchema,
  noteSchema,
  numberingSchema,
  statusChangeSchema,
  subscriberDetailSchema,
  subscriberListQuery,
  subscriberPage,
  updateNumberingSchema,
  updateSubscriberSchema,
} from './subscribers.schemas.ts';

const tags = ['Subscribers'];
const params = idParams;
const fileResponse = { description: 'The file as uploaded', content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } } };

function uploadRoutes(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/api/subscribers/:id/documents',
    {
      schema: { tags, summary: 'Upload a KYC document (multipart: file, kind)', consumes: ['multipart/form-data'], params, body: documents.uploadDocumentSchema, response: { 201: documentSchema, ...errors } },
      config: { permission: 'subscribers.update' },
    },
    async (req, reply) => reply.code(201).send(await documents.uploadDocument(ctx, actorOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/subscribers/import',
    {
      schema: {
        tags,
        summary: 'Import subscribers from CSV or XLSX (multipart): all rows or none, with a report of bad rows; dryRun checks only',
        consumes: ['multipart/form-data'],
        body: importSchema,
        response: { 200: importReportSchema, ...errors },
      },
      config: { permission: 'subscribers.create' },
    },
    (req) => importSubscribers(ctx, actorOf(req), req.body),
  );
}

export function subscriberRoutes(app: TypedApp, ctx: AppContext): void {
  // Multipart bodies only for the upload routes: a scope of their own with the parser and its size limit.
  app.register(async (scoped) => {
    await scoped.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: Math.max(documents.MAX_DOCUMENT_BYTES, MAX_IMPORT_BYTES), files: 1, fields: 10 },
      async onFile(part) {
        (part as unknown as { value: documents.UploadedFile }).value = { filename: part.filename, mimetype: part.mimetype, data: await part.toBuffer() };
      },
    });
    uploadRoutes(scoped.withTypeProvider(), ctx);
  });

  app.get(
    '/api/subscribers',
    { schema: { tags, summary: 'List and search subscribers in your subtree', querystring: subscriberListQuery, response: { 200: subscriberPage, ...errors } }, config: { permission: 'subscribers.read' } },
    (req) => service.listSubscribers(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/subscribers/export',
    {
      schema: { tags, summary: 'Export subscribers as CSV', querystring: subscriberListQuery.omit({ cursor: true, limit: true }), response: { 200: csvResponse, ...errors } },
      config: { permission: 'subscribers.export' },
    },
    async (req, reply) => sendCsv(reply, 'subscribers.csv', await service.exportSubscribers(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/subscribers/export.xlsx',
    {
      schema: { tags, summary: 'Export subscribers as an XLSX workbook', querystring: subscriberListQuery.omit({ cursor: true, limit: true }), response: { 200: xlsxResponse, ...errors } },
      config: { permission: 'subscribers.export' },
    },
    async (req, reply) => sendXlsx(reply, 'subscribers.xlsx', await exportSubscribersXlsx(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/subscribers/numbering',
    {
      schema: { tags, summary: 'The account number format and counter of an organization', querystring: z.object({ organizationId: z.uuid() }), response: { 200: numberingSchema, ...errors } },
      config: { permission: 'subscribers.read' },
    },
    (req) => service.getNumbering(ctx, actorOf(req), req.query.organizationId),
  );
  app.patch(
    '/api/subscribers/numbering',
    {
      schema: { tags, summary: 'Change the account number format of an organization', body: updateNumberingSchema, response: { 200: numberingSchema, ...errors } },
      config: { permission: 'organizations.update' },
    },
    (req) => service.setNumbering(ctx, actorOf(req), req.body),
  );
  app.post(
    '/api/subscribers/bulk',
    {
      schema: { tags, summary: 'Activate, suspend, resume, move, assign, archive or delete many subscribers: all or none', body: bulkActionSchema, response: { 200: bulkResultSchema, ...errors } },
      config: { permission: 'subscribers.update' },
    },
    (req) => bulkAction(ctx, actorOf(req), req.body),
  );
  app.get(
    '/api/subscribers/:id',
    { schema: { tags, summary: 'Get a subscriber with contacts and addresses', params, response: { 200: subscriberDetailSchema, ...errors } }, config: { permission: 'subscribers.read' } },
    (req) => service.getSubscriber(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/subscribers',
    { schema: { tags, summary: 'Create a subscriber', body: createSubscriberSchema, response: { 201: subscriberDetailSchema, ...errors } }, config: { permission: 'subscribers.create' } },
    async (req, reply) => reply.code(201).send(await service.createSubscriber(ctx, actorOf(req), req.body)),
  );
  app.patch(
    '/api/subscribers/:id',
    { schema: { tags, summary: 'Edit a subscriber', params, body: updateSubscriberSchema, response: { 200: subscriberDetailSchema, ...errors } }, config: { permission: 'subscribers.update' } },
    (req) => service.updateSubscriber(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/subscribers/:id',
    {
      schema: { tags, summary: 'Delete a lead or archived subscriber with no documents and no ledger accounts', params, response: { 204: noContent, ...errors } },
      config: { permission: 'subscribers.delete' },
    },
    async (req, reply) => {
      await deleteSubscriber(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/subscribers/:id/status',
    { schema: { tags, summary: 'Change the status (activate, suspend, disconnect, archive…) with a reason', params, body: changeStatusSchema, response: { 200: subscriberDetailSchema, ...errors } }, config: { permission: 'subscribers.update' } },
    (req) => service.changeStatus(ctx, actorOf(req), req.params.id, req.body),
  );
  app.get(
    '/api/subscribers/:id/history',
    { schema: { tags, summary: 'Status history, newest first', params, response: { 200: z.array(statusChangeSchema), ...errors } }, config: { permission: 'subscribers.read' } },
    (req) => service.statusHistory(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/subscribers/:id/notes',
    { schema: { tags, summary: 'Notes, newest first', params, response: { 200: z.array(noteSchema), ...errors } }, config: { permission: 'subscribers.read' } },
    (req) => service.listNotes(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/subscribers/:id/notes',
    { schema: { tags, summary: 'Add a note', params, body: createNoteSchema, response: { 201: noteSchema, ...errors } }, config: { permission: 'subscribers.update' } },
    async (req, reply) => reply.code(201).send(await service.addNote(ctx, actorOf(req), req.params.id, req.body.body)),
  );
  app.get(
    '/api/subscribers/:id/documents',
    { schema: { tags, summary: 'KYC documents on file', params, response: { 200: z.array(documentSchema), ...errors } }, config: { permission: 'subscribers.read' } },
    (req) => documents.listDocuments(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/subscribers/:id/documents/:documentId',
    { schema: { tags, summary: 'Download a KYC document', params: documentParams, response: { 200: fileResponse, ...errors } }, config: { permission: 'subscribers.read' } },
    async (req, reply) => {
      const { document, data } = await documents.downloadDocument(ctx, actorOf(req), req.params.id, req.params.documentId);
      return reply
        .type(document.mimeType)
        .header('content-disposition', `attachment; filename="${document.filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(document.filename)}`)
        .header('x-content-type-options', 'nosniff')
        .send(data as unknown as string); // the bytes go out as they are; the schema documents them as a binary string
    },
  );
  app.delete(
    '/api/subscribers/:id/documents/:documentId',
    { schema: { tags, summary: 'Remove a document filed by mistake', params: documentParams, response: { 204: noContent, ...errors } }, config: { permission: 'subscribers.delete' } },
    async (req, reply) => {
      await documents.deleteDocument(ctx, actorOf(req), req.params.id, req.params.documentId);
      return reply.code(204).send(null);
    },
  );
}
