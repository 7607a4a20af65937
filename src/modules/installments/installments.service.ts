/**
 * Installment plans: a subscriber's overdue invoices paid in parts on a schedule (core/installments).
 * Payments reach the invoices as always (receivePayment pays unpaid invoices oldest first, or the
 * ones named); what the plan's invoices have been paid since the plan began covers its installments
 * in order. While a plan is active its invoices hold no late penalty and no suspension; the job
 * marks installments paid or overdue, completes a plan that is paid, and breaks one whose
 * installment is late past the grace days — its invoices then fall back into the normal flow.
 */
import type { Transaction } from 'kysely';
import { coverInstallments, installmentSchedule, isBroken } from '../../core/installments.ts';
import { formatMoney } from '../../core/money.ts';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { InstallmentPlan } from '../../platform/db/schema/payment-cases.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { billingSettingsOf } from '../billing/settings.ts';
import { outstanding, unpaidStatuses } from '../invoices/invoice-engine.ts';
import { localDate } from '../invoices/numbering.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as subscriberRepo from '../subscribers/subscribers.repo.ts';
import * as repo from './installments.repo.ts';
import type { CreatePlanInput } from './installments.schemas.ts';

export type Deps = Pick<AppContext, 'db' | 'clock'>;
type Db = Deps['db'] | Transaction<DB>;

async function audit(trx: Transaction<DB>, clock: Clock, actor: AuditActor, action: string, plan: InstallmentPlan, after: Record<string, unknown>) {
  const org = await orgRepo.findById(trx, plan.organization_id);
  await appendAudit(trx, clock, actor, { action, organizationId: plan.organization_id, organizationPath: org?.path ?? null, objectType: 'installment_plan', objectId: plan.id, after });
}

/** The plan's installments as what has been paid so far covers them, on the organization's date today. */
async function progress(db: Db, clock: Clock, plan: InstallmentPlan) {
  const [invoices, installments, settings] = await Promise.all([repo.planInvoices(db, plan.id), repo.installmentsOf(db, plan.id), billingSettingsOf(db, plan.organization_id)]);
  const owedNow = (i: (typeof invoices)[number]) => (i.status === 'void' ? 0n : outstanding(i));
  const paid = invoices.reduce((s, i) => s + i.owed_at_start - owedNow(i), 0n);
  const today = localDate(clock.now(), settings.timeZone);
  const states = installments.map((i) => ({ amount: i.amount, dueDate: i.due_date }));
  const covered = coverInstallments(states, paid, today);
  return { invoices, installments, covered, paid: paid < 0n ? 0n : paid, broken: isBroken(states, covered, today, plan.grace_days), owedNow };
}

async function detail(db: Db, clock: Clock, plan: InstallmentPlan) {
  const p = await progress(db, clock, plan);
  const subscriber = await db.selectFrom('subscribers').select('name').where('id', '=', plan.subscriber_id).executeTakeFirstOrThrow();
  const m = (minor: bigint) => formatMoney({ minor, currency: plan.currency });
  // An ended plan shows what its installments were when it ended; an active one, what is paid now.
  const live = plan.status === 'active';
  return {
    id: plan.id,
    organizationId: plan.organization_id,
    subscriberId: plan.subscriber_id,
    subscriberName: subscriber.name,
    currency: plan.currency,
    total: m(plan.total),
    paid: m(live ? (p.paid < plan.total ? p.paid : plan.total) : p.installments.reduce((s, i) => s + i.amount_paid, 0n)),
    status: plan.status,
    graceDays: plan.grace_days,
    note: plan.note,
    createdAt: plan.created_at.toISOString(),
    endedAt: plan.ended_at?.toISOString() ?? null,
    installments: p.installments.map((i, k) => ({
      seq: i.seq,
      dueDate: i.due_date,
      amount: m(i.amount),
      paid: m(live ? p.covered[k]!.paid : i.amount_paid),
      status: live ? p.covered[k]!.status : i.status,
    })),
    invoices: p.invoices.map((i) => ({ id: i.id, number: i.number, status: i.status, owedAtStart: m(i.owed_at_start), owed: m(p.owedNow(i)) })),
  };
}

export async function createPlan(deps: Deps, actor: Actor, input: CreatePlanInput) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const subscriber = await subscriberRepo.findInScope(trx, actor.principal.scope, input.subscriberId);
    if (!subscriber) throw new NotFoundError('Subscriber');
    const ids = [...new Set(input.invoiceIds)];
    const invoices = await trx.selectFrom('invoices').selectAll().where('id', 'in', ids).orderBy('issued_at').forUpdate().execute();
    const bad = ids.filter((id) => !invoices.some((i) => i.id === id && i.subscriber_id === subscriber.id));
    if (bad.length) throw new UnprocessableError("Not this subscriber's invoices", bad.map((id) => ({ field: 'invoiceIds', message: `${id} is not an invoice of this subscriber` })));
    const notOwed = invoices.filter((i) => i.kind !== 'invoice' || !unpaidStatuses.includes(i.status as (typeof unpaidStatuses)[number]));
    if (notOwed.length) throw new UnprocessableError(`Nothing is owed on invoice ${notOwed.map((i) => i.number ?? i.id).join(', ')}`, [{ field: 'invoiceIds', message: 'must be unpaid invoices' }]);
    const currency = invoices[0]!.currency;
    if (invoices.some((i) => i.currency !== currency)) throw new UnprocessableError('A plan covers invoices of one currency', [{ field: 'invoiceIds', message: 'mix currencies' }]);
    const held = await repo.heldInvoiceIds(trx, ids);
    if (held.size) throw new ConflictError(`Invoice ${invoices.filter((i) => held.has(i.id)).map((i) => i.number).join(', ')} is already in an active plan`);
    const owed = invoices.map((i) => ({ id: i.id, owed: outstanding(i) }));
    const total = owed.reduce((s, i) => s + i.owed, 0n);
    let schedule;
    try {
      schedule = installmentSchedule({ total, count: input.count, firstDue: input.firstDue, frequency: input.frequency, remainder: input.remainder });
    } catch (err) {
      if (err instanceof RangeError) throw new UnprocessableError(err.message, [{ field: 'count', message: err.message }]);
      throw err;
    }
    const plan = await repo.insertPlan(trx, {
      organization_id: subscriber.organization_id,
      subscriber_id: subscriber.id,
      currency,
      total,
      grace_days: input.graceDays,
      note: input.note,
      created_by: actor.principal.userId,
      created_at: deps.clock.now(),
    });
    await repo.insertPlanInvoices(trx, plan.id, owed);
    await repo.insertInstallments(trx, plan.id, schedule);
    await audit(trx, deps.clock, actor.audit, 'installment_plan.create', plan, {
      total: formatMoney({ minor: total, currency }),
      currency,
      invoices: invoices.map((i) => i.number),
      installments: schedule.map((s) => ({ dueDate: s.dueDate, amount: formatMoney({ minor: s.amount, currency }) })),
    });
    return detail(trx, deps.clock, plan);
  });
}

export async function getPlan(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'payments.read');
  const plan = await repo.findInScope(deps.db, actor.principal.scope, id);
  if (!plan) throw new NotFoundError('Installment plan');
  return detail(deps.db, deps.clock, plan);
}

export async function listPlans(deps: Deps, actor: Actor, query: { subscriberId?: string; status?: InstallmentPlan['status']; limit: number; cursor?: string }) {
  requirePermission(actor, 'payments.read');
  const rows = await repo.list(deps.db, actor.principal.scope, { ...query, before: query.cursor });
  const items = rows.slice(0, query.limit);
  const m = (p: repo.ListedPlan, minor: bigint) => formatMoney({ minor: BigInt(minor), currency: p.currency });
  return {
    items: items.map((p) => ({
      id: p.id,
      organizationId: p.organization_id,
      subscriberId: p.subscriber_id,
      subscriberName: p.subscriber_name,
      currency: p.currency,
      total: m(p, p.total),
      paid: m(p, p.paid),
      status: p.status,
      graceDays: p.grace_days,
      note: p.note,
      createdAt: p.created_at.toISOString(),
      endedAt: p.ended_at?.toISOString() ?? null,
    })),
    nextCursor: rows.length > query.limit ? items[items.length - 1]!.id : null,
  };
}

export async function cancelPlan(deps: Deps, actor: Actor, id: string, reason: string) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const found = await repo.findInScope(trx, actor.principal.scope, id);
    if (!found) throw new NotFoundError('Installment plan');
    const plan = (await repo.lockPlan(trx, found.id))!;
    if (plan.status !== 'active') throw new ConflictError(`This plan is already ${plan.status}`);
    await saveProgress(trx, deps.clock, plan);
    const ended = await repo.endPlan(trx, plan.id, 'cancelled', deps.clock.now());
    await audit(trx, deps.clock, actor.audit, 'installment_plan.cancel', ended, { status: 'cancelled', reason });
    return detail(trx, deps.clock, ended);
  });
}

async function saveProgress(trx: Transaction<DB>, clock: Clock, plan: InstallmentPlan) {
  const p = await progress(trx, clock, plan);
  for (const [k, i] of p.installments.entries()) {
    const c = p.covered[k]!;
    if (c.paid !== i.amount_paid || c.status !== i.status) await repo.updateInstallment(trx, i.id, { amount_paid: c.paid, status: c.status, paid_at: c.status === 'paid' ? (i.paid_at ?? clock.now()) : null });
  }
  return p;
}

const system: AuditActor = { type: 'system', id: null, label: 'installment plans', requestId: null, ip: null };

/** Brings one plan up to date (the job); answers what became of it. */
export async function refreshPlan(trx: Transaction<DB>, clock: Clock, planId: string): Promise<'active' | 'completed' | 'broken' | 'ended'> {
  const plan = await repo.lockPlan(trx, planId);
  if (!plan || plan.status !== 'active') return 'ended';
  const p = await saveProgress(trx, clock, plan);
  if (p.covered.every((c) => c.status === 'paid')) {
    await audit(trx, clock, system, 'installment_plan.complete', await repo.endPlan(trx, plan.id, 'completed', clock.now()), { status: 'completed' });
    return 'completed';
  }
  if (p.broken) {
    const missed = p.installments.filter((_, k) => p.covered[k]!.status === 'overdue').map((i) => i.seq);
    await audit(trx, clock, system, 'installment_plan.break', await repo.endPlan(trx, plan.id, 'broken', clock.now()), { status: 'broken', missedInstallments: missed });
    return 'broken';
  }
  return 'active';
}

/** Every active plan, one transaction each. */
export async function refreshPlans(deps: Deps & Partial<Pick<AppContext, 'logger'>>): Promise<Record<'active' | 'completed' | 'broken' | 'ended', number>> {
  const tally = { active: 0, completed: 0, broken: 0, ended: 0 };
  let after: string | null = null;
  for (;;) {
    const ids = await repo.activePlanIds(deps.db, after, 200);
    for (const id of ids) {
      try {
        tally[await deps.db.transaction().execute((trx) => refreshPlan(trx, deps.clock, id))]++;
      } catch (err) {
        deps.logger?.error({ err, planId: id }, 'installment plan refresh failed');
      }
    }
    if (ids.length < 200) return tally;
    after = ids[ids.length - 1]!;
  }
}
