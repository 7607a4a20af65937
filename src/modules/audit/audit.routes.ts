import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, sendCsv } from '../../platform/http/routes.ts';
import * as service from './audit.service.ts';

const tags = ['Audit log'];

export function auditRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/audit',
    { schema: { tags, summary: 'Search the audit log', querystring: service.auditListQuery, response: { 200: service.auditPage, ...errors } }, config: { permission: 'audit.read' } },
    (req) => service.listAudit(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/audit/export',
    {
      schema: { tags, summary: 'Export audit entries as CSV', querystring: service.auditListQuery.omit({ cursor: true, limit: true }), response: { 200: csvResponse, ...errors } },
      config: { permission: 'audit.export' },
    },
    async (req, reply) => sendCsv(reply, 'audit.csv', await service.exportAudit(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/audit/verify',
    { schema: { tags, summary: 'Check the hash chain of the whole audit log', response: { 200: service.verifyResultSchema, ...errors } }, config: { permission: 'audit.read' } },
    (req) => service.verifyAudit(ctx, actorOf(req)),
  );
  app.get(
    '/api/audit/:seq',
    { schema: { tags, summary: 'One audit entry', params: z.object({ seq: z.string().regex(/^\d{1,18}$/) }), response: { 200: service.auditEntrySchema, ...errors } }, config: { permission: 'audit.read' } },
    (req) => service.getAuditEntry(ctx, actorOf(req), req.params.seq),
  );
}
