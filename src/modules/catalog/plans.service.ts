/**
 * Plans: what an ISP or a reseller sells. A plan is managed only inside the caller's subtree;
 * organizations below may read (and sell) the plans an organization above shares with its
 * subtree, and never change them. Prices and network profiles live in versions (plan-versions
 * use cases); here are the plan's own fields, its bundle items, listing and export.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, Organization } from '../../platform/db/schema.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../platform/errors.ts';
import { everyPage, page, toCsv } from '../../platform/http/list.ts';
import { pathInScope, type Scope } from '../../platform/tenancy/scope.ts';
import { organizationInScope } from './catalog.repo.ts';
import { formatPrices, mapVersion, versionContent } from './plan-versions.ts';
import * as repo from './plans.repo.ts';
import type { CreatePlanInput, PlanListQuery, PlanOutput, UpdatePlanInput } from './plans.schemas.ts';
import { findUsableBy } from './tax-classes.repo.ts';
import { scopeOf } from './visibility.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;
type Db = Kysely<DB> | Transaction<DB>;

/** Plans with their current versions and bundle items, as the API shows them to this scope. */
async function viewPlans(db: Db, scope: Scope, rows: readonly repo.PlanWithOrganization[]): Promise<PlanOutput[]> {
  const versions = new Map((await repo.findVersions(db, rows.map((r) => r.current_version_id))).map((v) => [v.id, v]));
  const items = await repo.bundleItems(db, rows.filter((r) => r.kind === 'bundle').map((r) => r.id));
  return rows.map((r) => ({
    id: r.id,
    organizationId: r.organization_id,
    organizationName: r.organization_name,
    code: r.code,
    name: r.name,
    description: r.description,
    serviceType: r.service_type,
    kind: r.kind,
    billingModel: r.billing_model,
    status: r.status,
    sharedWithSubtree: r.shared_with_subtree,
    readOnly: !pathInScope(scope, r.organization_path),
    bundleItems: items.filter((i) => i.bundle_plan_id === r.id).map((i) => ({ planId: i.item_plan_id, code: i.code, name: i.name, quantity: i.quantity })),
    currentVersion: mapVersion(versions.get(r.current_version_id)!),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  }));
}

export async function viewPlan(db: Db, scope: Scope, row: repo.PlanWithOrganization): Promise<PlanOutput> {
  return (await viewPlans(db, scope, [row]))[0]!;
}

/** Bundle items must be plans the bundle's organization may sell, and not bundles themselves. */
async function checkBundleItems(db: Db, org: Organization, kind: string, items: readonly { planId: string }[] | undefined, bundleId?: string) {
  if (kind !== 'bundle') {
    if (items?.length) throw new BadRequestError('Only a bundle includes other plans', [{ field: 'bundleItems', message: 'only a bundle includes other plans' }]);
    return;
  }
  if (items === undefined) return;
  if (items.length === 0) throw new BadRequestError('A bundle includes at least one plan', [{ field: 'bundleItems', message: 'name at least one plan' }]);
  const found = new Map((await repo.readableAmong(db, scopeOf(org), items.map((i) => i.planId))).map((p) => [p.id, p]));
  const errors = items.flatMap((item, i) => {
    const plan = found.get(item.planId);
    if (!plan || item.planId === bundleId) return [{ field: `bundleItems.${i}.planId`, message: 'is not a plan this organization sells' }];
    if (plan.kind === 'bundle') return [{ field: `bundleItems.${i}.planId`, message: 'a bundle cannot include another bundle' }];
    return [];
  });
  if (new Set(items.map((i) => i.planId)).size !== items.length) errors.push({ field: 'bundleItems', message: 'names a plan twice' });
  if (errors.length) throw new BadRequestError('The bundle items are not valid', errors);
}

async function planPage(deps: Deps, actor: Actor, query: PlanListQuery) {
  const rows = await repo.list(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.planSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: await viewPlans(deps.db, actor.principal.scope, p.items), nextCursor: p.nextCursor };
}

export async function listPlans(deps: Deps, actor: Actor, query: PlanListQuery) {
  requirePermission(actor, 'plans.read');
  return planPage(deps, actor, query);
}

export async function exportPlans(deps: Deps, actor: Actor, query: Omit<PlanListQuery, 'cursor' | 'limit'>): Promise<string> {
  requirePermission(actor, 'plans.export');
  const plans = await everyPage(query, (q: PlanListQuery) => planPage(deps, actor, q));
  const rows = plans.map(({ currentVersion: v, ...plan }) => ({
    ...plan,
    version: v.version,
    validFrom: v.validFrom,
    cycle: v.billing.cycle,
    timing: v.billing.timing,
    graceDays: v.billing.graceDays,
    prices: formatPrices(v.prices),
    downloadKbps: v.network.download?.rateKbps,
    uploadKbps: v.network.upload?.rateKbps,
    dataQuotaBytes: v.network.dataQuotaBytes,
  }));
  const columns = ['id', 'organizationName', 'code', 'name', 'serviceType', 'kind', 'billingModel', 'status', 'sharedWithSubtree', 'version', 'validFrom', 'cycle', 'timing', 'graceDays', 'prices', 'downloadKbps', 'uploadKbps', 'dataQuotaBytes', 'createdAt'];
  return toCsv(columns, rows);
}

export async function getPlan(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'plans.read');
  const row = await repo.findReadable(deps.db, actor.principal.scope, id);
  if (!row) throw new NotFoundError('Plan');
  return viewPlan(deps.db, actor.principal.scope, row);
}

export async function createPlan(deps: Deps, actor: Actor, input: CreatePlanInput) {
  requirePermission(actor, 'plans.create');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const org = await organizationInScope(trx, scope, input.organizationId ?? scope.orgId);
    if (!org) throw new NotFoundError('Organization');
    const { content, errors } = versionContent(input.version, { kind: input.kind, billing_model: input.billingModel });
    if (errors.length) throw new BadRequestError('The plan is not valid', errors.map((e) => ({ ...e, field: `version.${e.field}` })));
    if (content.tax_class_id && !(await findUsableBy(trx, org, content.tax_class_id)))
      throw new BadRequestError('The tax class is not one this organization may charge', [{ field: 'version.taxClassId', message: 'is not a tax class of this organization or one above it' }]);
    await checkBundleItems(trx, org, input.kind, input.bundleItems ?? (input.kind === 'bundle' ? [] : undefined));
    if (await repo.codeTaken(trx, org.id, input.code))
      throw new ConflictError(`${org.name} already has a plan ${input.code}`, [{ field: 'code', message: 'is taken' }]);
    const id = randomUUID();
    const versionId = randomUUID();
    const now = deps.clock.now();
    await repo.insertPlan(trx, {
      id,
      organization_id: org.id,
      code: input.code,
      name: input.name,
      description: input.description ?? '',
      service_type: input.serviceType,
      kind: input.kind,
      billing_model: input.billingModel,
      shared_with_subtree: input.sharedWithSubtree,
      current_version_id: versionId,
      created_at: now,
      updated_at: now,
    });
    await repo.insertVersion(trx, {
      ...content,
      id: versionId,
      plan_id: id,
      version: 1,
      valid_from: input.version.validFrom ? new Date(input.version.validFrom) : now,
      created_at: now,
      created_by: actor.principal.userId,
    });
    if (input.bundleItems) await repo.replaceBundleItems(trx, id, input.bundleItems);
    const after = await viewPlan(trx, scope, (await repo.findReadable(trx, scope, id))!);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'plan.create',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'plan',
      objectId: id,
      after,
    });
    return after;
  });
}

/** The plan's own fields; archiving stops new sales while subscriptions keep their version. */
export async function updatePlan(deps: Deps, actor: Actor, id: string, input: UpdatePlanInput) {
  requirePermission(actor, 'plans.update');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const current = await repo.findManagedForUpdate(trx, scope, id);
    if (!current) throw new NotFoundError('Plan');
    const org = (await organizationInScope(trx, scope, current.organization_id))!;
    await checkBundleItems(trx, org, current.kind, input.bundleItems, id);
    const before = await viewPlan(trx, scope, current);
    await repo.updatePlan(
      trx,
      id,
      { name: input.name, description: input.description, status: input.status, shared_with_subtree: input.sharedWithSubtree },
      deps.clock.now(),
    );
    if (input.bundleItems) await repo.replaceBundleItems(trx, id, input.bundleItems);
    const after = await viewPlan(trx, scope, (await repo.findReadable(trx, scope, id))!);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: input.status && input.status !== before.status ? `plan.${input.status === 'archived' ? 'archive' : 'restore'}` : 'plan.update',
      organizationId: current.organization_id,
      organizationPath: current.organization_path,
      objectType: 'plan',
      objectId: id,
      before,
      after,
    });
    return after;
  });
}

/** Only a plan nothing names may go, and its versions with it; archive a plan that was sold. */
export async function deletePlan(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'plans.delete');
  const scope = actor.principal.scope;
  await deps.db.transaction().execute(async (trx) => {
    const current = await repo.findManagedForUpdate(trx, scope, id);
    if (!current) throw new NotFoundError('Plan');
    const used = await repo.usages(trx, id);
    if (used.bundles > 0 || used.discounts > 0)
      throw new ConflictError(`The plan is included in ${used.bundles} bundle(s) and named by ${used.discounts} discount(s); archive it instead`);
    const before = await viewPlan(trx, scope, current);
    await repo.deletePlan(trx, id);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'plan.delete',
      organizationId: current.organization_id,
      organizationPath: current.organization_path,
      objectType: 'plan',
      objectId: id,
      before,
    });
  });
}
