/** SQL of installment plans. */
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Installment, InstallmentPlan, InstallmentPlansTable, InstallmentStatus } from '../../platform/db/schema/payment-cases.ts';
import { type Scope, inScope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

export function insertPlan(trx: Transaction<DB>, values: Insertable<InstallmentPlansTable>): Promise<InstallmentPlan> {
  return trx.insertInto('installment_plans').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function insertPlanInvoices(trx: Transaction<DB>, planId: string, invoices: readonly { id: string; owed: bigint }[]): Promise<void> {
  await trx
    .insertInto('installment_plan_invoices')
    .values(invoices.map((i) => ({ plan_id: planId, invoice_id: i.id, owed_at_start: i.owed })))
    .execute();
}

export async function insertInstallments(trx: Transaction<DB>, planId: string, rows: readonly { seq: number; dueDate: string; amount: bigint }[]): Promise<void> {
  await trx
    .insertInto('installments')
    .values(rows.map((r) => ({ plan_id: planId, seq: r.seq, due_date: r.dueDate, amount: r.amount })))
    .execute();
}

export function findInScope(db: Db, scope: Scope, id: string): Promise<InstallmentPlan | undefined> {
  return db.selectFrom('installment_plans').selectAll().where('id', '=', id).where(inScope(scope, 'installment_plans.organization_id')).executeTakeFirst();
}

export function lockPlan(trx: Transaction<DB>, id: string): Promise<InstallmentPlan | undefined> {
  return trx.selectFrom('installment_plans').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function installmentsOf(db: Db, planId: string): Promise<Installment[]> {
  return db.selectFrom('installments').selectAll().where('plan_id', '=', planId).orderBy('seq').execute();
}

export function planInvoices(db: Db, planId: string) {
  return db
    .selectFrom('installment_plan_invoices as pi')
    .innerJoin('invoices as i', 'i.id', 'pi.invoice_id')
    .select(['i.id', 'i.number', 'i.status', 'i.total', 'i.amount_paid', 'i.amount_credited', 'i.due_date', 'pi.owed_at_start', 'pi.released_at'])
    .where('pi.plan_id', '=', planId)
    .orderBy('i.issued_at')
    .execute();
}

export async function updateInstallment(trx: Transaction<DB>, id: string, values: { amount_paid: bigint; status: InstallmentStatus; paid_at: Date | null }): Promise<void> {
  await trx.updateTable('installments').set(values).where('id', '=', id).execute();
}

export async function endPlan(trx: Transaction<DB>, id: string, status: 'completed' | 'broken' | 'cancelled', at: Date): Promise<InstallmentPlan> {
  await trx.updateTable('installment_plan_invoices').set({ released_at: at }).where('plan_id', '=', id).where('released_at', 'is', null).execute();
  return trx.updateTable('installment_plans').set({ status, ended_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export type ListedPlan = InstallmentPlan & { subscriber_name: string; paid: bigint };

export function list(db: Db, scope: Scope, query: { subscriberId?: string; status?: InstallmentPlan['status']; limit: number; before?: string }): Promise<ListedPlan[]> {
  let q = db
    .selectFrom('installment_plans as p')
    .innerJoin('subscribers as s', 's.id', 'p.subscriber_id')
    .selectAll('p')
    .select(['s.name as subscriber_name', sql<bigint>`(select coalesce(sum(amount_paid), 0) from installments x where x.plan_id = p.id)`.as('paid')])
    .where((eb) => inScope(scope, 'p.organization_id')(eb as never));
  if (query.subscriberId) q = q.where('p.subscriber_id', '=', query.subscriberId);
  if (query.status) q = q.where('p.status', '=', query.status);
  if (query.before) q = q.where('p.id', '<', query.before);
  return q.orderBy('p.id', 'desc').limit(query.limit + 1).execute() as Promise<ListedPlan[]>;
}

/** Active plans, a batch at a time in id order (the job). */
export async function activePlanIds(db: Db, afterId: string | null, limit: number): Promise<string[]> {
  let q = db.selectFrom('installment_plans').select('id').where('status', '=', 'active');
  if (afterId) q = q.where('id', '>', afterId);
  return (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
}

/** Of these invoices, those an active plan holds: not counted for suspension or late penalties. */
export async function heldInvoiceIds(db: Db, invoiceIds: readonly string[]): Promise<Set<string>> {
  if (invoiceIds.length === 0) return new Set();
  const rows = await db.selectFrom('installment_plan_invoices').select('invoice_id').where('invoice_id', 'in', [...invoiceIds]).where('released_at', 'is', null).execute();
  return new Set(rows.map((r) => r.invoice_id));
}
