/**
 * Gateway settings: each organization's accounts with the gateways (one per kind), credentials
 * sealed with the server's secret key. Secret settings are write-only: an answer says which are
 * set, never what they are; leaving one out keeps it. Each account has a random callback secret,
 * the last segment of its callback URLs, shown only to those who may change the settings.
 */
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import { randomToken } from '../../platform/crypto.ts';
import { BadRequestError, NotFoundError } from '../../platform/errors.ts';
import { orgInScope } from '../../platform/tenancy/scope.ts';
import { gatewayKinds, adapterFor } from '../../integrations/payments/registry.ts';
import { callbackUrl, storedCredentials } from './credentials.ts';
import * as repo from './gateways.repo.ts';
import type { GatewayAccountOutput, SaveGatewayAccountInput } from './gateways.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets' | 'config'>;

/** The callback endpoints each gateway posts to (the rest post to `webhook`). */
const endpoints: Record<string, readonly string[]> = { mpesa: ['stk', 'c2b-validation', 'c2b-confirmation'] };
export const endpointsOf = (kind: string): readonly string[] => endpoints[kind] ?? ['webhook'];

export function mapAccount(deps: Pick<Deps, 'secrets'>, r: repo.AccountRow): GatewayAccountOutput {
  const fields = adapterFor(r.kind)?.fields ?? [];
  const stored = storedCredentials(deps.secrets, r);
  const secret = new Set(fields.filter((f) => f.secret).map((f) => f.key));
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(stored)) if (!secret.has(k)) settings[k] = v;
  return {
    id: r.id,
    organizationId: r.organization_id,
    organizationName: r.organization_name,
    kind: r.kind,
    label: r.label,
    enabled: r.enabled,
    acceptUnknownReferences: r.accept_unknown_references,
    settings,
    secretsSet: [...secret].filter((k) => Boolean(stored[k])),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function listKinds(actor: Actor) {
  requirePermission(actor, 'gateways.read');
  return { items: gatewayKinds().map((kind) => ({ kind, fields: [...adapterFor(kind)!.fields] })) };
}

export async function listAccounts(deps: Deps, actor: Actor, organizationId?: string) {
  requirePermission(actor, 'gateways.read');
  return { items: (await repo.listAccounts(deps.db, actor.principal.scope, organizationId)).map((r) => mapAccount(deps, r)) };
}

export async function getAccount(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'gateways.read');
  const row = await repo.accountInScope(deps.db, actor.principal.scope, id);
  if (!row) throw new NotFoundError('Gateway account');
  return mapAccount(deps, row);
}

/** Creates or changes the organization's account for a gateway kind. */
export async function saveAccount(deps: Deps, actor: Actor, input: SaveGatewayAccountInput) {
  requirePermission(actor, 'gateways.update');
  const adapter = adapterFor(input.kind);
  if (!adapter) throw new BadRequestError(`Uplink has no gateway called ${input.kind}`, [{ field: 'kind', message: `is not one of ${gatewayKinds().join(', ')}` }]);
  const scope = actor.principal.scope;
  const id = await deps.db.transaction().execute(async (trx) => {
    const org = await trx.selectFrom('organizations').select(['id', 'path']).where('id', '=', input.organizationId ?? scope.orgId).where(orgInScope(scope)).executeTakeFirst();
    if (!org) throw new NotFoundError('Organization');
    const existing = await repo.accountByKind(trx, org.id, input.kind);
    const known = new Map(adapter.fields.map((f) => [f.key, f]));
    const unknown = Object.keys(input.settings).filter((k) => !known.has(k));
    if (unknown.length) throw new BadRequestError(`${adapter.kind} has no setting ${unknown.join(', ')}`, unknown.map((k) => ({ field: `settings.${k}`, message: 'is not a setting of this gateway' })));
    const merged: Record<string, string> = existing ? storedCredentials(deps.secrets, existing) : {};
    for (const [k, v] of Object.entries(input.settings)) {
      const value = v.trim();
      if (value) merged[k] = value;
      else if (!known.get(k)!.secret) delete merged[k];
    }
    const missing = adapter.fields.filter((f) => f.required && !merged[f.key]);
    if (missing.length) throw new BadRequestError(`Settings missing: ${missing.map((f) => f.label).join(', ')}`, missing.map((f) => ({ field: `settings.${f.key}`, message: 'is required' })));
    const now = deps.clock.now();
    const values = { label: input.label, enabled: input.enabled, accept_unknown_references: input.acceptUnknownReferences, credentials_enc: deps.secrets.seal(JSON.stringify(merged)), updated_at: now };
    const saved = existing
      ? await repo.updateAccount(trx, existing.id, values)
      : await repo.insertAccount(trx, { ...values, organization_id: org.id, kind: input.kind, callback_secret_enc: deps.secrets.seal(randomToken(24)), created_at: now });
    await appendAudit(trx, deps.clock, actor.audit, {
      action: existing ? 'gateway_account.update' : 'gateway_account.create',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'gateway_account',
      objectId: saved.id,
      after: { kind: saved.kind, label: saved.label, enabled: saved.enabled, acceptUnknownReferences: saved.accept_unknown_references, settingsChanged: Object.keys(input.settings).sort() },
    });
    return saved.id;
  });
  return mapAccount(deps, (await repo.accountById(deps.db, id))!);
}

export async function callbackUrls(deps: Deps, actor: Actor, id: string, origin: string) {
  requirePermission(actor, 'gateways.update');
  const row = await repo.accountInScope(deps.db, actor.principal.scope, id);
  if (!row) throw new NotFoundError('Gateway account');
  const secret = deps.secrets.open(row.callback_secret_enc);
  const base = deps.config.publicUrl ?? origin;
  return { urls: Object.fromEntries(endpointsOf(row.kind).map((e) => [e, callbackUrl(base, row, e, secret)])) };
}

export async function listSecurityEvents(deps: Deps, actor: Actor, limit: number) {
  requirePermission(actor, 'gateways.read');
  const rows = await repo.securityEvents(deps.db, actor.principal.scope, limit);
  return {
    items: rows.map((r) => ({ id: r.id, organizationId: r.organization_id, gatewayAccountId: r.gateway_account_id, gateway: r.gateway, kind: r.kind, remoteAddress: r.remote_address, detail: r.detail, at: r.at.toISOString() })),
  };
}
