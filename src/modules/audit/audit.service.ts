import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AuditEntry } from '../../platform/db/schema.ts';
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { everyPage, keyset, likeContains, listQuerySchema, page, pageSchema, toCsv, type SortSpec } from '../../platform/http/list.ts';
import { subtreePattern, type Scope } from '../../platform/tenancy/scope.ts';

type Deps = Pick<AppContext, 'db'>;

export const auditEntrySchema = z
  .object({
    seq: z.string().describe('Position in the hash chain'),
    at: z.iso.datetime(),
    organizationId: z.string().nullable(),
    actorType: z.enum(['user', 'api_token', 'system', 'anonymous']),
    actorId: z.string().nullable(),
    actorLabel: z.string().nullable(),
    action: z.string(),
    objectType: z.string().nullable(),
    objectId: z.string().nullable(),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export const auditListQuery = listQuerySchema.extend({
  action: z.string().max(80).optional().describe('Exact action, or a prefix ending in "." such as "user."'),
  objectType: z.string().max(40).optional(),
  objectId: z.string().max(80).optional(),
  actorId: z.string().max(80).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export const auditPage = pageSchema(auditEntrySchema, 'AuditPage');
export const verifyResultSchema = z
  .object({ ok: z.boolean(), entries: z.number().int(), brokenSeq: z.string().nullable(), reason: z.string().nullable() })
  .meta({ id: 'AuditVerifyResult' });

const sort: SortSpec = { fields: { seq: 'audit_log.seq' }, default: '-seq', id: 'audit_log.seq' };

function mapEntry(e: AuditEntry): z.infer<typeof auditEntrySchema> {
  return {
    seq: e.seq.toString(),
    at: e.at.toISOString(),
    organizationId: e.organization_id,
    actorType: e.actor_type,
    actorId: e.actor_id,
    actorLabel: e.actor_label,
    action: e.action,
    objectType: e.object_type,
    objectId: e.object_id,
    before: e.before ?? null,
    after: e.after ?? null,
    requestId: e.request_id,
    ip: e.ip,
    hash: e.hash,
  };
}

const isRoot = (scope: Scope) => scope.orgPath.split('/').filter(Boolean).length === 1;

function scoped(deps: Deps, scope: Scope) {
  const pattern = subtreePattern(scope);
  // Events tied to no organization (sign-in attempts for unknown e-mails) belong to the ISP level.
  return deps.db
    .selectFrom('audit_log')
    .selectAll()
    .where((eb) => (isRoot(scope) ? eb.or([eb('organization_path', 'like', pattern), eb('organization_path', 'is', null)]) : eb('organization_path', 'like', pattern)));
}

function filtered(deps: Deps, actor: Actor, query: z.infer<typeof auditListQuery>) {
  let q = scoped(deps, actor.principal.scope);
  if (query.action) q = query.action.endsWith('.') ? q.where('action', 'like', `${query.action.replace(/[\\%_]/g, '\\$&')}%`) : q.where('action', '=', query.action);
  if (query.objectType) q = q.where('object_type', '=', query.objectType);
  if (query.objectId) q = q.where('object_id', '=', query.objectId);
  if (query.actorId) q = q.where('actor_id', '=', query.actorId);
  if (query.from) q = q.where('at', '>=', new Date(query.from));
  if (query.to) q = q.where('at', '<', new Date(query.to));
  if (query.q) {
    const like = likeContains(query.q);
    q = q.where((eb) => eb.or([eb('actor_label', 'ilike', like), eb('action', 'ilike', like), eb('object_id', 'ilike', like), eb(sql`after::text`, 'ilike', like)]));
  }
  return q;
}

async function auditRows(deps: Deps, actor: Actor, query: z.infer<typeof auditListQuery>) {
  const rows = await keyset(filtered(deps, actor, query), sort, query).execute();
  return page(rows, sort, query, (r) => r.seq, (r) => r.seq.toString());
}

export async function listAudit(deps: Deps, actor: Actor, query: z.infer<typeof auditListQuery>) {
  requirePermission(actor, 'audit.read');
  const p = await auditRows(deps, actor, query);
  return { items: p.items.map(mapEntry), nextCursor: p.nextCursor };
}

export async function getAuditEntry(deps: Deps, actor: Actor, seq: string) {
  requirePermission(actor, 'audit.read');
  const e = await scoped(deps, actor.principal.scope).where('seq', '=', BigInt(seq)).executeTakeFirst();
  if (!e) throw new NotFoundError('Audit entry');
  return mapEntry(e);
}

export async function exportAudit(deps: Deps, actor: Actor, query: Omit<z.infer<typeof auditListQuery>, 'cursor' | 'limit'>): Promise<string> {
  requirePermission(actor, 'audit.export');
  const entries = await everyPage(query, (q: z.infer<typeof auditListQuery>) => auditRows(deps, actor, q));
  const rows = entries.map((e) => ({ ...mapEntry(e), before: e.before ? JSON.stringify(e.before) : '', after: e.after ? JSON.stringify(e.after) : '' }));
  return toCsv(['seq', 'at', 'organizationId', 'actorType', 'actorId', 'actorLabel', 'action', 'objectType', 'objectId', 'before', 'after', 'requestId', 'ip', 'hash'], rows);
}

/** The whole chain spans every tenant, so only the ISP level may check it. */
export async function verifyAudit(deps: Deps, actor: Actor) {
  requirePermission(actor, 'audit.read');
  if (!isRoot(actor.principal.scope)) throw new ForbiddenError('Only the ISP level can verify the whole audit chain');
  const r = await verifyAuditChain(deps.db);
  return r.ok
    ? { ok: true, entries: r.entries, brokenSeq: null, reason: null }
    : { ok: false, entries: r.entries, brokenSeq: r.brokenSeq.toString(), reason: r.reason };
}
