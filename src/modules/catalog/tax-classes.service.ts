import { type TaxClass, type TaxRate, taxLine } from '../../core/tax.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import { BadRequestError, ConflictError, NotFoundError, type FieldError } from '../../platform/errors.ts';
import { page } from '../../platform/http/list.ts';
import { pathInScope } from '../../platform/tenancy/scope.ts';
import { organizationInScope } from './catalog.repo.ts';
import * as repo from './tax-classes.repo.ts';
import { type CreateTaxClassInput, type TaxClassListQuery, type UpdateTaxClassInput, mapTaxClass } from './tax-classes.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

const view = (actor: Actor, row: repo.TaxClassWithPath) => mapTaxClass(row, !pathInScope(actor.principal.scope, row.organization_path));

/** Taxes a sample price with each rate, then with all of them: what an invoice will do with the class. */
function rateErrors(rates: readonly TaxRate[], inclusive: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const sample = { minor: 1_000_000n, currency: 'USD' };
  const seen = new Set<string>();
  rates.forEach((rate, i) => {
    if (seen.has(rate.code)) errors.push({ field: `rates.${i}.code`, message: `${rate.code} is listed twice` });
    seen.add(rate.code);
    try {
      taxLine(sample, { code: 'check', inclusive, rates: [rate] } satisfies TaxClass);
    } catch (err) {
      errors.push({ field: `rates.${i}.percent`, message: (err as Error).message });
    }
  });
  return errors;
}

export async function listTaxClasses(deps: Deps, actor: Actor, query: TaxClassListQuery) {
  requirePermission(actor, 'plans.read');
  const rows = await repo.list(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.taxClassSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map((r) => view(actor, r)), nextCursor: p.nextCursor };
}

export async function getTaxClass(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'plans.read');
  const row = await repo.findReadable(deps.db, actor.principal.scope, id);
  if (!row) throw new NotFoundError('Tax class');
  return view(actor, row);
}

export async function createTaxClass(deps: Deps, actor: Actor, input: CreateTaxClassInput) {
  requirePermission(actor, 'plans.create');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const org = await organizationInScope(trx, scope, input.organizationId ?? scope.orgId);
    if (!org) throw new NotFoundError('Organization');
    const errors = rateErrors(input.rates, input.inclusive);
    if (errors.length) throw new BadRequestError('The tax rates are not valid', errors);
    if (await repo.codeTaken(trx, org.id, input.code))
      throw new ConflictError(`${org.name} already has a tax class ${input.code}`, [{ field: 'code', message: 'is taken' }]);
    const row = await repo.insert(trx, { organization_id: org.id, code: input.code, name: input.name, inclusive: input.inclusive, rates: JSON.stringify(input.rates) });
    const after = mapTaxClass(row, false);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'tax_class.create',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'tax_class',
      objectId: row.id,
      after,
    });
    return after;
  });
}

/** A new rate applies to invoices issued from now on; issued invoices keep the taxes they charged. */
export async function updateTaxClass(deps: Deps, actor: Actor, id: string, input: UpdateTaxClassInput) {
  requirePermission(actor, 'plans.update');
  return deps.db.transaction().execute(async (trx) => {
    const current = await repo.findManaged(trx, actor.principal.scope, id);
    if (!current) throw new NotFoundError('Tax class');
    const before = mapTaxClass(current, false);
    const errors = rateErrors(input.rates ?? before.rates, input.inclusive ?? before.inclusive);
    if (errors.length) throw new BadRequestError('The tax rates are not valid', errors);
    const row = await repo.update(
      trx,
      id,
      { name: input.name, inclusive: input.inclusive, rates: input.rates ? JSON.stringify(input.rates) : undefined },
      deps.clock.now(),
    );
    const after = mapTaxClass(row, false);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'tax_class.update',
      organizationId: row.organization_id,
      organizationPath: current.organization_path,
      objectType: 'tax_class',
      objectId: id,
      before,
      after,
    });
    return after;
  });
}

export async function deleteTaxClass(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'plans.delete');
  await deps.db.transaction().execute(async (trx) => {
    const current = await repo.findManaged(trx, actor.principal.scope, id);
    if (!current) throw new NotFoundError('Tax class');
    const used = await repo.versionsUsing(trx, id);
    if (used > 0) throw new ConflictError(`${used} plan version(s) charge this tax class; change its rates instead of deleting it`);
    await repo.remove(trx, id);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'tax_class.delete',
      organizationId: current.organization_id,
      organizationPath: current.organization_path,
      objectType: 'tax_class',
      objectId: id,
      before: mapTaxClass(current, false),
    });
  });
}
