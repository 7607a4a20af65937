import multipart from '@fastify/multipart';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams } from '../../platform/http/routes.ts';
import type { UploadedFile } from '../subscribers/documents.service.ts';
import { dailyReconciliation, gatewaySettlement } from './reconciliation-reports.service.ts';
import * as s from './reconciliation.schemas.ts';
import * as service from './reconciliation.service.ts';
import { importStatement, MAX_STATEMENT_BYTES } from './statement-import.service.ts';
import { creditLine, ignoreLine, matchLine, runAutoMatch, unmatchLine } from './statement-matching.service.ts';

const tags = ['Reconciliation'];
const params = idParams;
const read = { permission: 'payments.read' } as const;
const update = { permission: 'payments.update' } as const;

function importRoute(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/api/reconciliation/sources/:id/imports',
    {
      schema: {
        tags,
        summary: 'Import a statement (multipart: file, dryRun): all lines or none, lines already imported are not stored again, then automatic matching; dryRun previews the mapping',
        consumes: ['multipart/form-data'],
        params,
        body: s.importInput,
        response: { 200: s.importReport, ...errors },
      },
      config: update,
    },
    (req) => importStatement(ctx, actorOf(req), req.params.id, req.body),
  );
}

export function reconciliationRoutes(app: TypedApp, ctx: AppContext): void {
  app.register(async (scoped) => {
    await scoped.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: MAX_STATEMENT_BYTES, files: 1, fields: 3 },
      async onFile(part) {
        (part as unknown as { value: UploadedFile }).value = { filename: part.filename, mimetype: part.mimetype, data: await part.toBuffer() };
      },
    });
    importRoute(scoped.withTypeProvider(), ctx);
  });

  app.get('/api/reconciliation/presets', { schema: { tags, summary: 'Column mappings for common statements (M-PESA paybill, bank CSV)', response: { 200: s.presetList, ...errors } }, config: read }, (req) =>
    service.listPresets(actorOf(req)),
  );
  app.get('/api/reconciliation/sources', { schema: { tags, summary: 'Statement sources (paybills, bank accounts) with their column mappings', response: { 200: s.sourceList, ...errors } }, config: read }, (req) =>
    service.listSources(ctx, actorOf(req)),
  );
  app.post(
    '/api/reconciliation/sources',
    { schema: { tags, summary: 'Add a statement source with its column mapping, in the organization the caller works in', body: s.sourceInput, response: { 201: s.sourceSchema, ...errors } }, config: update },
    async (req, reply) => reply.code(201).send(await service.createSource(ctx, actorOf(req), req.body)),
  );
  app.get('/api/reconciliation/sources/:id', { schema: { tags, summary: 'A statement source', params, response: { 200: s.sourceSchema, ...errors } }, config: read }, (req) =>
    service.getSource(ctx, actorOf(req), req.params.id),
  );
  app.patch(
    '/api/reconciliation/sources/:id',
    { schema: { tags, summary: "Change a statement source's mapping or settings", params, body: s.sourceUpdate, response: { 200: s.sourceSchema, ...errors } }, config: update },
    (req) => service.updateSource(ctx, actorOf(req), req.params.id, req.body),
  );
  app.get('/api/reconciliation/sources/:id/imports', { schema: { tags, summary: "The source's imports, newest first", params, response: { 200: s.importList, ...errors } }, config: read }, (req) =>
    service.listImports(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/reconciliation/sources/:id/lines',
    { schema: { tags, summary: "The source's statement lines, newest first, with the payment each is matched to", params, querystring: s.lineQuery, response: { 200: s.lineList, ...errors } }, config: read },
    (req) => service.listLines(ctx, actorOf(req), req.params.id, req.query),
  );
  app.get(
    '/api/reconciliation/sources/:id/unmatched-payments',
    {
      schema: { tags, summary: "Payments of the source's channels that no statement line accounts for, over the days its statements cover", params, querystring: s.unmatchedPaymentsQuery, response: { 200: s.unmatchedPaymentList, ...errors } },
      config: read,
    },
    (req) => service.unmatchedPayments(ctx, actorOf(req), req.params.id, req.query),
  );
  app.post(
    '/api/reconciliation/sources/:id/auto-match',
    { schema: { tags, summary: 'Match the open lines again (by transaction id, then reference, amount and date)', params, response: { 200: s.matchSummary, ...errors } }, config: update },
    (req) => runAutoMatch(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/reconciliation/sources/:id/report',
    { schema: { tags, summary: 'Daily reconciliation report: per day, lines matched, unmatched on both sides, sums and differences', params, querystring: s.reportQuery, response: { 200: s.dailyReport, ...errors } }, config: read },
    (req) => dailyReconciliation(ctx, actorOf(req), req.params.id, req.query),
  );
  app.get(
    '/api/reconciliation/settlement',
    { schema: { tags, summary: "Gateway settlement report: per day, payments received, fees, paid over to the bank, and the clearing account's balance", querystring: s.settlementQuery, response: { 200: s.settlementReport, ...errors } }, config: read },
    (req) => gatewaySettlement(ctx, actorOf(req), req.query),
  );
  app.post(
    '/api/reconciliation/lines/:id/match',
    { schema: { tags, summary: 'Match a statement line to a payment by hand (amounts may differ; the difference is shown)', params, body: s.matchInput, response: { 200: s.lineSchema, ...errors } }, config: update },
    (req) => matchLine(ctx, actorOf(req), req.params.id, req.body.paymentId),
  );
  app.post(
    '/api/reconciliation/lines/:id/unmatch',
    { schema: { tags, summary: 'Undo a match or an ignore: the line is open again (a credited payment stays credited)', params, response: { 200: s.lineSchema, ...errors } }, config: update },
    (req) => unmatchLine(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/reconciliation/lines/:id/ignore',
    { schema: { tags, summary: 'Set a line aside with a reason (not a payment of ours)', params, body: s.ignoreInput, response: { 200: s.lineSchema, ...errors } }, config: update },
    (req) => ignoreLine(ctx, actorOf(req), req.params.id, req.body.reason),
  );
  app.post(
    '/api/reconciliation/lines/:id/credit',
    {
      schema: { tags, summary: 'Credit a lost callback: the gateway line becomes its payment (once: a callback with the same transaction id is then a replay)', params, response: { 200: s.creditResult, ...errors } },
      config: update,
    },
    (req) => creditLine(ctx, actorOf(req), req.params.id),
  );
}
