/**
 * Penalty classes: the late-payment rule an ISP gives its subscribers (a fixed amount, or a
 * percentage of what is owed with a minimum), and which subscriber has which. The overdue job
 * (penalties.jobs.ts) charges them.
 */
import type { LateFeeRule } from '../../core/late-fees.ts';
import { formatMoney, parseMoney } from '../../core/money.ts';
import { compare, parseDecimal, rational, toDecimalString, zero } from '../../core/rational.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { PenaltyClassRow } from '../../platform/db/schema.ts';
import { BadRequestError, ConflictError, NotFoundError, type FieldError } from '../../platform/errors.ts';
import { page } from '../../platform/http/list.ts';
import { pathInScope } from '../../platform/tenancy/scope.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as repo from './penalties.repo.ts';
import { type CreatePenaltyClassInput, type PenaltyClassListQuery, type UpdatePenaltyClassInput, mapPenaltyClass } from './penalties.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

type RuleFields = Pick<PenaltyClassRow, 'kind' | 'amount' | 'percent' | 'minimum' | 'currency' | 'penalty_on_penalty'>;

const view = (actor: Actor, row: repo.PenaltyClassWithPath) => mapPenaltyClass(row, !pathInScope(actor.principal.scope, row.organization_path));

/** The class as the late-fee rule of src/core. */
export function ruleOf(c: RuleFields): LateFeeRule {
  return c.kind === 'fixed'
    ? { kind: 'fixed', amount: c.amount!, penaltyOnPenalty: c.penalty_on_penalty }
    : { kind: 'percentage', percent: c.percent!, minimum: c.minimum ?? undefined, penaltyOnPenalty: c.penalty_on_penalty };
}

/**
 * Checks a class's fields together and answers them as stored: amounts with exactly the
 * currency's decimals ("200.00"), the percentage in its shortest form, the other kind's fields null.
 */
function normalise(c: RuleFields): { fields: RuleFields; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const amountOf = (field: 'amount' | 'minimum', text: string | null, positive: boolean): string | null => {
    if (text === null) return null;
    try {
      const m = parseMoney(text, c.currency);
      if (positive && m.minor <= 0n) errors.push({ field, message: 'must be more than 0' });
      return formatMoney(m);
    } catch (err) {
      errors.push({ field, message: (err as Error).message });
      return null;
    }
  };
  const fields: RuleFields = { ...c, amount: null, percent: null, minimum: null };
  if (c.kind === 'fixed') {
    if (c.amount === null) errors.push({ field: 'amount', message: 'is required for a fixed penalty' });
    fields.amount = amountOf('amount', c.amount, true);
  } else {
    if (c.percent === null) errors.push({ field: 'percent', message: 'is required for a percentage penalty' });
    else {
      const p = parseDecimal(c.percent, 'Percent');
      if (compare(p, zero) <= 0 || compare(p, rational(100n)) > 0) errors.push({ field: 'percent', message: 'must be more than 0 and at most 100' });
      fields.percent = toDecimalString(p, 4);
    }
    fields.minimum = amountOf('minimum', c.minimum, false);
  }
  return { fields, errors };
}

function checked(c: RuleFields): RuleFields {
  const { fields, errors } = normalise(c);
  if (errors.length) throw new BadRequestError('The penalty is not valid', errors);
  return fields;
}

async function audit(trx: Parameters<typeof appendAudit>[0], deps: Deps, actor: Actor, action: string, org: { id: string; path: string }, objectId: string, before?: unknown, after?: unknown) {
  await appendAudit(trx, deps.clock, actor.audit, { action, organizationId: org.id, organizationPath: org.path, objectType: 'penalty_class', objectId, before, after });
}

export async function listPenaltyClasses(deps: Deps, actor: Actor, query: PenaltyClassListQuery) {
  requirePermission(actor, 'billing.read');
  const rows = await repo.list(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.penaltyClassSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map((r) => view(actor, r)), nextCursor: p.nextCursor };
}

export async function getPenaltyClass(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'billing.read');
  const row = await repo.findReadable(deps.db, actor.principal.scope, id);
  if (!row) throw new NotFoundError('Penalty class');
  return view(actor, row);
}

export async function createPenaltyClass(deps: Deps, actor: Actor, input: CreatePenaltyClassInput) {
  requirePermission(actor, 'billing.update');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const org = await orgRepo.findInScope(trx, scope, input.organizationId ?? scope.orgId);
    if (!org) throw new NotFoundError('Organization');
    const fields = checked({
      kind: input.kind,
      amount: input.amount ?? null,
      percent: input.percent ?? null,
      minimum: input.minimum ?? null,
      currency: input.currency ?? org.currency,
      penalty_on_penalty: input.penaltyOnPenalty,
    });
    if (await repo.nameTaken(trx, org.id, input.name)) throw new ConflictError(`${org.name} already has a penalty class ${input.name}`, [{ field: 'name', message: 'is taken' }]);
    const row = await repo.insert(trx, { ...fields, organization_id: org.id, name: input.name, days_after_due: input.daysAfterDue, created_at: deps.clock.now() });
    const after = mapPenaltyClass(row, false);
    await audit(trx, deps, actor, 'penalty_class.create', org, row.id, undefined, after);
    return after;
  });
}

/** A change applies to penalties charged from now on; penalties already invoiced keep their amounts. */
export async function updatePenaltyClass(deps: Deps, actor: Actor, id: string, input: UpdatePenaltyClassInput) {
  requirePermission(actor, 'billing.update');
  return deps.db.transaction().execute(async (trx) => {
    const current = await repo.lockManaged(trx, actor.principal.scope, id);
    if (!current) throw new NotFoundError('Penalty class');
    const switched = input.kind !== undefined && input.kind !== current.kind;
    const pick = <K extends 'amount' | 'percent' | 'minimum'>(k: K) => (input[k] !== undefined ? input[k] : switched ? null : current[k]);
    const fields = checked({
      kind: input.kind ?? current.kind,
      amount: pick('amount'),
      percent: pick('percent'),
      minimum: pick('minimum'),
      currency: input.currency ?? current.currency,
      penalty_on_penalty: input.penaltyOnPenalty ?? current.penalty_on_penalty,
    });
    const name = input.name ?? current.name;
    if (await repo.nameTaken(trx, current.organization_id, name, id)) throw new ConflictError(`Another penalty class is named ${name}`, [{ field: 'name', message: 'is taken' }]);
    const row = await repo.update(trx, id, { ...fields, name, days_after_due: input.daysAfterDue ?? current.days_after_due });
    const before = mapPenaltyClass(current, false);
    const after = mapPenaltyClass(row, false);
    await audit(trx, deps, actor, 'penalty_class.update', { id: current.organization_id, path: current.organization_path }, id, before, after);
    return after;
  });
}

export async function deletePenaltyClass(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'billing.update');
  await deps.db.transaction().execute(async (trx) => {
    const current = await repo.lockManaged(trx, actor.principal.scope, id);
    if (!current) throw new NotFoundError('Penalty class');
    const used = await repo.subscribersUsing(trx, id);
    if (used > 0) throw new ConflictError(`${used} subscriber(s) have this penalty class; give them another class (or none) first`);
    await repo.remove(trx, id);
    await audit(trx, deps, actor, 'penalty_class.delete', { id: current.organization_id, path: current.organization_path }, id, mapPenaltyClass(current, false));
  });
}

export async function subscriberPenaltyClass(deps: Deps, actor: Actor, subscriberId: string) {
  requirePermission(actor, 'billing.read');
  const s = await repo.subscriberInScope(deps.db, actor.principal.scope, subscriberId);
  if (!s) throw new NotFoundError('Subscriber');
  const row = s.penalty_class_id ? await repo.findReadable(deps.db, actor.principal.scope, s.penalty_class_id) : undefined;
  return { subscriberId, penaltyClass: row ? view(actor, row) : null };
}

/** Gives a subscriber a penalty class of its organization or one above (or none). */
export async function assignPenaltyClass(deps: Deps, actor: Actor, subscriberId: string, penaltyClassId: string | null) {
  requirePermission(actor, 'billing.update');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const s = await repo.lockSubscriber(trx, scope, subscriberId);
    if (!s) throw new NotFoundError('Subscriber');
    let row: repo.PenaltyClassWithPath | undefined;
    if (penaltyClassId) {
      row = await repo.findReadable(trx, scope, penaltyClassId);
      if (!row || !(await repo.findUsableBy(trx, s.organization_path, penaltyClassId)))
        throw new BadRequestError('The penalty class is not one of the subscriber’s organization or an organization above it', [{ field: 'penaltyClassId', message: 'is not a class this subscriber may have' }]);
    }
    if (s.penalty_class_id !== penaltyClassId) {
      await repo.setSubscriberClass(trx, s.id, penaltyClassId, deps.clock.now());
      await appendAudit(trx, deps.clock, actor.audit, {
        action: 'subscriber.penalty_class',
        organizationId: s.organization_id,
        organizationPath: s.organization_path,
        objectType: 'subscriber',
        objectId: s.id,
        before: { penaltyClassId: s.penalty_class_id },
        after: { penaltyClassId },
      });
    }
    return { subscriberId, penaltyClass: row ? view(actor, row) : null };
  });
}
