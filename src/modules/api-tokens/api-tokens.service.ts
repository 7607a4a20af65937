import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { API_TOKEN_PREFIX } from '../../platform/auth/sessions.ts';
import { randomToken, sha256 } from '../../platform/crypto.ts';
import type { ApiToken } from '../../platform/db/schema.ts';
import { BadRequestError, NotFoundError } from '../../platform/errors.ts';
import { keyset, listQuerySchema, page, pageSchema, type SortSpec } from '../../platform/http/list.ts';
import { inScope } from '../../platform/tenancy/scope.ts';
import { assertCanGrant } from '../roles/roles.policy.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

export const apiTokenSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    userId: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the token, to recognise it'),
    scopes: z.array(z.string()),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiToken' });
export const createApiTokenSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.string().max(80)).min(1).max(500).describe('Permissions the token may use (a subset of yours)'),
    expiresInDays: z.number().int().min(1).max(3650).optional().describe('Omit for a token that does not expire'),
  })
  .meta({ id: 'CreateApiToken' });
export const createdApiTokenSchema = z
  .object({ apiToken: apiTokenSchema, token: z.string().describe('Shown once: store it now') })
  .meta({ id: 'CreatedApiToken' });
export const apiTokenListQuery = listQuerySchema.extend({ includeRevoked: z.enum(['true', 'false']).optional() });
export const apiTokenPage = pageSchema(apiTokenSchema, 'ApiTokenPage');

const sort: SortSpec = { fields: { created_at: 'api_tokens.created_at', name: 'api_tokens.name' }, default: '-created_at', id: 'api_tokens.id' };

function mapToken(t: ApiToken): z.infer<typeof apiTokenSchema> {
  return {
    id: t.id,
    organizationId: t.organization_id,
    userId: t.user_id,
    name: t.name,
    prefix: t.token_prefix,
    scopes: t.scopes,
    createdAt: t.created_at.toISOString(),
    lastUsedAt: t.last_used_at?.toISOString() ?? null,
    expiresAt: t.expires_at?.toISOString() ?? null,
    revokedAt: t.revoked_at?.toISOString() ?? null,
  };
}

export async function listApiTokens(deps: Deps, actor: Actor, query: z.infer<typeof apiTokenListQuery>) {
  requirePermission(actor, 'api_tokens.read');
  let q = deps.db.selectFrom('api_tokens').selectAll().where(inScope(actor.principal.scope, 'api_tokens.organization_id'));
  if (query.includeRevoked !== 'true') q = q.where('revoked_at', 'is', null);
  const rows = await keyset(q, sort, query).execute();
  const p = page(rows, sort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map(mapToken), nextCursor: p.nextCursor };
}

async function findInScope(deps: Deps, actor: Actor, id: string) {
  return deps.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('id', '=', id)
    .where(inScope(actor.principal.scope, 'api_tokens.organization_id'))
    .executeTakeFirst();
}

export async function getApiToken(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'api_tokens.read');
  const t = await findInScope(deps, actor, id);
  if (!t) throw new NotFoundError('API token');
  return mapToken(t);
}

export async function createApiToken(deps: Deps, actor: Actor, input: z.infer<typeof createApiTokenSchema>) {
  requirePermission(actor, 'api_tokens.create');
  const p = actor.principal;
  if (p.via === 'api_token') throw new BadRequestError('API tokens cannot create API tokens; sign in to create one');
  const known = new Set((await deps.db.selectFrom('permissions').select('key').execute()).map((r) => r.key));
  const unknown = input.scopes.filter((s) => !known.has(s));
  if (unknown.length) throw new BadRequestError(`Unknown scope(s): ${unknown.join(', ')}`, [{ field: 'scopes', message: 'contains unknown permissions' }]);
  assertCanGrant(actor, input.scopes, 'create a token with these scopes');
  const secret = `${API_TOKEN_PREFIX}${randomToken(32)}`;
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const org = await orgRepo.findById(trx, p.scope.orgId);
    const row = await trx
      .insertInto('api_tokens')
      .values({
        organization_id: p.scope.orgId,
        user_id: p.userId,
        name: input.name,
        token_prefix: secret.slice(0, 10),
        token_hash: sha256(secret),
        scopes: [...new Set(input.scopes)].sort(),
        created_at: now,
        expires_at: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const apiToken = mapToken(row);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'api_token.create',
      organizationId: p.scope.orgId,
      organizationPath: org?.path ?? p.scope.orgPath,
      objectType: 'api_token',
      objectId: row.id,
      after: apiToken,
    });
    return { apiToken, token: secret };
  });
}

export async function revokeApiToken(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'api_tokens.delete');
  await deps.db.transaction().execute(async (trx) => {
    const t = await trx
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .where(inScope(actor.principal.scope, 'api_tokens.organization_id'))
      .executeTakeFirst();
    if (!t) throw new NotFoundError('API token');
    if (t.revoked_at) return;
    const updated = await trx.updateTable('api_tokens').set({ revoked_at: deps.clock.now() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    const org = await orgRepo.findById(trx, t.organization_id);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'api_token.revoke',
      organizationId: t.organization_id,
      organizationPath: org?.path ?? null,
      objectType: 'api_token',
      objectId: id,
      before: mapToken(t),
      after: mapToken(updated),
    });
  });
}
