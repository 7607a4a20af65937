/**
 * What RADIUS gives a refused subscriber, per organization (inherited down the tree) and per plan
 * (overrides), and the interim interval. Reading needs sessions.read, changing sessions.update:
 * they decide what sessions get. Organizations and plans outside the caller's subtree answer 404.
 */
import { sql } from 'kysely';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { orgInScope, subtreePattern } from '../../platform/tenancy/scope.ts';
import type { UpdateAaaSettingsInput, UpdatePlanAaaSettingsInput } from './aaa-settings.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

async function organizationOf(deps: Deps, actor: Actor, id: string | undefined) {
  const org = await deps.db
    .selectFrom('organizations')
    .select(['id', 'path'])
    .where('id', '=', id ?? actor.principal.scope.orgId)
    .where(orgInScope(actor.principal.scope))
    .executeTakeFirst();
  if (!org) throw new NotFoundError('Organization');
  return org;
}

async function effective(deps: Deps, org: { id: string; path: string }) {
  const row = await deps.db
    .selectFrom('aaa_settings as a')
    .innerJoin('organizations as o', 'o.id', 'a.organization_id')
    .selectAll('a')
    .where(sql<boolean>`${org.path} like o.path || '%'`)
    .orderBy(sql`length(o.path)`, 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    organizationId: org.id,
    inheritedFrom: row?.organization_id ?? null,
    blockedAction: row?.blocked_action ?? 'reject',
    blockedPool: row?.blocked_pool ?? null,
    blockedAddressList: row?.blocked_address_list ?? null,
    captiveMessage: row?.captive_message ?? '',
    interimIntervalSeconds: row?.interim_interval_seconds ?? 300,
  };
}

export async function getAaaSettings(deps: Deps, actor: Actor, organizationId: string | undefined) {
  requirePermission(actor, 'sessions.read');
  return effective(deps, await organizationOf(deps, actor, organizationId));
}

export async function updateAaaSettings(deps: Deps, actor: Actor, input: UpdateAaaSettingsInput) {
  requirePermission(actor, 'sessions.update');
  const org = await organizationOf(deps, actor, input.organizationId);
  const values = {
    blocked_action: input.blockedAction,
    blocked_pool: input.blockedPool,
    blocked_address_list: input.blockedAddressList,
    captive_message: input.captiveMessage,
    interim_interval_seconds: input.interimIntervalSeconds,
    updated_at: deps.clock.now(),
  };
  await deps.db.transaction().execute(async (trx) => {
    await trx.insertInto('aaa_settings').values({ organization_id: org.id, ...values }).onConflict((oc) => oc.column('organization_id').doUpdateSet(values)).execute();
    await appendAudit(trx, deps.clock, actor.audit, { action: 'aaa_settings.update', organizationId: org.id, organizationPath: org.path, objectType: 'organization', objectId: org.id, after: input });
  });
  return effective(deps, org);
}

async function planOf(deps: Deps, actor: Actor, id: string) {
  const plan = await deps.db
    .selectFrom('plans')
    .innerJoin('organizations', 'organizations.id', 'plans.organization_id')
    .leftJoin('aaa_plan_settings as ps', 'ps.plan_id', 'plans.id')
    .select(['plans.id', 'plans.organization_id', 'organizations.path', 'ps.blocked_action', 'ps.blocked_pool', 'ps.blocked_address_list', 'ps.captive_message'])
    .where('plans.id', '=', id)
    .where(sql<boolean>`organizations.path like ${subtreePattern(actor.principal.scope)}`)
    .executeTakeFirst();
  if (!plan) throw new NotFoundError('Plan');
  return plan;
}

const mapPlan = (p: Awaited<ReturnType<typeof planOf>>) => ({
  planId: p.id,
  blockedAction: p.blocked_action ?? null,
  blockedPool: p.blocked_pool ?? null,
  blockedAddressList: p.blocked_address_list ?? null,
  captiveMessage: p.captive_message ?? null,
});

export async function getPlanAaaSettings(deps: Deps, actor: Actor, planId: string) {
  requirePermission(actor, 'sessions.read');
  return mapPlan(await planOf(deps, actor, planId));
}

export async function updatePlanAaaSettings(deps: Deps, actor: Actor, planId: string, input: UpdatePlanAaaSettingsInput) {
  requirePermission(actor, 'sessions.update');
  const plan = await planOf(deps, actor, planId);
  const values = { blocked_action: input.blockedAction, blocked_pool: input.blockedPool, blocked_address_list: input.blockedAddressList, captive_message: input.captiveMessage, updated_at: deps.clock.now() };
  await deps.db.transaction().execute(async (trx) => {
    await trx.insertInto('aaa_plan_settings').values({ plan_id: plan.id, ...values }).onConflict((oc) => oc.column('plan_id').doUpdateSet(values)).execute();
    await appendAudit(trx, deps.clock, actor.audit, { action: 'aaa_settings.plan_update', organizationId: plan.organization_id, organizationPath: plan.path, objectType: 'plan', objectId: plan.id, after: input });
  });
  return mapPlan(await planOf(deps, actor, planId));
}
