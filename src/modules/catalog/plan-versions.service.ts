/**
 * Versions of a plan: a change of price, billing or network profile is a new version, and the
 * plan points to it from then on. Earlier versions stay exactly as they were (the database
 * refuses to change them), so whatever was invoiced from one can always be shown again.
 */
import { randomUUID } from 'node:crypto';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import { BadRequestError, NotFoundError } from '../../platform/errors.ts';
import { organizationById } from './catalog.repo.ts';
import { mapVersion, sameContent, versionContent } from './plan-versions.ts';
import * as repo from './plans.repo.ts';
import type { PlanVersionInput } from './plans.schemas.ts';
import { viewPlan } from './plans.service.ts';
import { findUsableBy } from './tax-classes.repo.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

export async function listVersions(deps: Deps, actor: Actor, planId: string) {
  requirePermission(actor, 'plans.read');
  const plan = await repo.findReadable(deps.db, actor.principal.scope, planId);
  if (!plan) throw new NotFoundError('Plan');
  return { items: (await repo.versionsOfPlan(deps.db, plan.id)).map(mapVersion) };
}

/**
 * Adds a version and makes it current. A version that would sell exactly what the current one
 * sells is not added: the answer then says `created: false` and the plan is unchanged.
 */
export async function createVersion(deps: Deps, actor: Actor, planId: string, input: PlanVersionInput) {
  requirePermission(actor, 'plans.update');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const plan = await repo.findManagedForUpdate(trx, scope, planId);
    if (!plan) throw new NotFoundError('Plan');
    const { content, errors } = versionContent(input, plan);
    const current = (await repo.findVersions(trx, [plan.current_version_id]))[0]!;
    const now = deps.clock.now();
    const validFrom = input.validFrom ? new Date(input.validFrom) : now;
    if (validFrom < current.valid_from)
      errors.push({ field: 'validFrom', message: `must not be before version ${current.version}, valid from ${current.valid_from.toISOString()}` });
    if (errors.length) throw new BadRequestError('The plan version is not valid', errors);
    const org = (await organizationById(trx, plan.organization_id))!;
    if (content.tax_class_id && !(await findUsableBy(trx, org, content.tax_class_id)))
      throw new BadRequestError('The tax class is not one this organization may charge', [{ field: 'taxClassId', message: 'is not a tax class of this organization or one above it' }]);
    if (sameContent(current, content)) return { plan: await viewPlan(trx, scope, plan), created: false };

    const before = mapVersion(current);
    const version = await repo.insertVersion(trx, {
      ...content,
      id: randomUUID(),
      plan_id: plan.id,
      version: current.version + 1,
      valid_from: validFrom,
      created_at: now,
      created_by: actor.principal.userId,
    });
    await repo.updatePlan(trx, plan.id, { current_version_id: version.id }, now);
    const after = mapVersion(version);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'plan.version.create',
      organizationId: plan.organization_id,
      organizationPath: plan.organization_path,
      objectType: 'plan',
      objectId: plan.id,
      before,
      after,
    });
    return { plan: await viewPlan(trx, scope, (await repo.findReadable(trx, scope, plan.id))!), created: true };
  });
}
