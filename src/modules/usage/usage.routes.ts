import multipart from '@fastify/multipart';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams } from '../../platform/http/routes.ts';
import type { UploadedFile } from '../subscribers/documents.service.ts';
import { importUsage, MAX_USAGE_IMPORT_BYTES, usageImportReportSchema, usageImportSchema } from './usage-import.service.ts';
import { dailyUsage } from './usage-daily.service.ts';
import { dailyUsageQuery, dailyUsageSchema } from './usage-daily.schemas.ts';
import * as service from './usage.service.ts';
import { createUsageSchema, usageListQuery, usagePage, usageRecordSchema, usageTotalsQuery, usageTotalsSchema } from './usage.schemas.ts';

const tags = ['Usage'];
const params = idParams;

function importRoute(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/api/usage/import',
    {
      schema: {
        tags,
        summary: 'Import usage readings from CSV or XLSX (multipart): all rows or none, with a report of bad rows; dryRun checks only',
        consumes: ['multipart/form-data'],
        body: usageImportSchema,
        response: { 200: usageImportReportSchema, ...errors },
      },
      config: { permission: 'subscriptions.update' },
    },
    (req) => importUsage(ctx, actorOf(req), req.body),
  );
}

export function usageRoutes(app: TypedApp, ctx: AppContext): void {
  // The import takes a multipart body: a scope of its own with the parser and its size limit.
  app.register(async (scoped) => {
    await scoped.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: MAX_USAGE_IMPORT_BYTES, files: 1, fields: 5 },
      async onFile(part) {
        (part as unknown as { value: UploadedFile }).value = { filename: part.filename, mimetype: part.mimetype, data: await part.toBuffer() };
      },
    });
    importRoute(scoped.withTypeProvider(), ctx);
  });

  app.get(
    '/api/subscriptions/:id/usage',
    {
      schema: { tags, summary: 'Usage records of a subscription, newest first; from/to limit them to a period', params, querystring: usageListQuery, response: { 200: usagePage, ...errors } },
      config: { permission: 'subscriptions.read' },
    },
    (req) => service.listUsage(ctx, actorOf(req), req.params.id, req.query),
  );
  app.get(
    '/api/subscriptions/:id/usage/totals',
    {
      schema: { tags, summary: 'Usage of a subscription in a period, summed exactly per unit', params, querystring: usageTotalsQuery, response: { 200: usageTotalsSchema, ...errors } },
      config: { permission: 'subscriptions.read' },
    },
    (req) => service.usageTotalsOf(ctx, actorOf(req), req.params.id, req.query),
  );
  app.get(
    '/api/subscriptions/:id/usage/daily',
    {
      schema: { tags, summary: 'Usage per local day for charts: bytes down and up and time online (accounting) and usage records per unit', params, querystring: dailyUsageQuery, response: { 200: dailyUsageSchema, ...errors } },
      config: { permission: 'subscriptions.read' },
    },
    (req) => dailyUsage(ctx, actorOf(req), req.params.id, req.query),
  );
  app.post(
    '/api/subscriptions/:id/usage',
    {
      schema: {
        tags,
        summary: 'Record a usage reading; a reference already stored with the same reading answers that record (200)',
        params,
        body: createUsageSchema,
        response: { 200: usageRecordSchema, 201: usageRecordSchema, ...errors },
      },
      config: { permission: 'subscriptions.update' },
    },
    async (req, reply) => {
      const { record, created } = await service.recordUsage(ctx, actorOf(req), req.params.id, req.body);
      return reply.code(created ? 201 : 200).send(record);
    },
  );
}
