/** SQL of refunds, chargebacks and write-offs. */
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { Settlement } from '../../core/ledger.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { PaymentReversal, PaymentReversalsTable, WriteOff, WriteOffsTable } from '../../platform/db/schema/payment-cases.ts';
import type { Payment, PaymentStatus } from '../../platform/db/schema/payments.ts';
import { type Scope, inScope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

export function paymentInScope(db: Db, scope: Scope, id: string): Promise<Payment | undefined> {
  return db.selectFrom('payments').selectAll().where('id', '=', id).where(inScope(scope, 'payments.organization_id')).executeTakeFirst();
}

export function lockPaymentByEvent(trx: Transaction<DB>, organizationId: string, channel: string, transactionId: string): Promise<Payment | undefined> {
  return trx
    .selectFrom('payments')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('channel', '=', channel)
    .where('transaction_id', '=', transactionId)
    .forUpdate()
    .executeTakeFirst();
}

export function setPaymentRefunded(trx: Transaction<DB>, id: string, amountRefunded: bigint, status: PaymentStatus): Promise<Payment> {
  return trx.updateTable('payments').set({ amount_refunded: amountRefunded, status }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/**
 * The account the payment's money arrived in, read from its own journal entry (the line it
 * debited): a refund or chargeback gives the money back from the same place.
 */
export async function settlementOf(db: Db, payment: Pick<Payment, 'entry_id'>): Promise<Settlement> {
  const row = await db
    .selectFrom('journal_lines as l')
    .innerJoin('ledger_accounts as a', 'a.id', 'l.account_id')
    .select('a.system_key')
    .where('l.entry_id', '=', payment.entry_id)
    .where('l.amount', '>', 0n)
    .executeTakeFirstOrThrow();
  const key = row.system_key ?? '';
  if (key === 'cash_on_hand') return { kind: 'cash' };
  if (key === 'bank') return { kind: 'bank' };
  if (key === 'cards_outstanding') return { kind: 'card' };
  if (key.startsWith('gateway_clearing:')) return { kind: 'gateway', gateway: key.slice('gateway_clearing:'.length) };
  throw new Error(`payment entry ${payment.entry_id} debits ${key}, not a settlement account`);
}

export function findReversal(db: Db, organizationId: string, paymentId: string, key: string): Promise<PaymentReversal | undefined> {
  return db.selectFrom('payment_reversals').selectAll().where('organization_id', '=', organizationId).where('payment_id', '=', paymentId).where('key', '=', key).executeTakeFirst();
}

export function findExternalReversal(db: Db, organizationId: string, channel: string, externalId: string): Promise<PaymentReversal | undefined> {
  return db.selectFrom('payment_reversals').selectAll().where('organization_id', '=', organizationId).where('channel', '=', channel).where('external_id', '=', externalId).executeTakeFirst();
}

export function insertReversal(trx: Transaction<DB>, values: Insertable<PaymentReversalsTable>): Promise<PaymentReversal> {
  return trx.insertInto('payment_reversals').values(values).returningAll().executeTakeFirstOrThrow();
}

export function reversalsOf(db: Db, paymentId: string): Promise<PaymentReversal[]> {
  return db.selectFrom('payment_reversals').selectAll().where('payment_id', '=', paymentId).orderBy('created_at').orderBy('id').execute();
}

export interface OpenAllocation {
  id: bigint;
  invoice_id: string;
  /** What of the allocation is still in force (its amount less what chargebacks took back). */
  left: bigint;
}

/**
 * Allocations still in force, newest first: the payment's own, or (walletOf) those the subscriber's
 * wallet made since `since` — money that may have been this payment's, spent from the wallet.
 */
export async function openAllocations(db: Db, by: { paymentId: string } | { walletOf: string; currency: string; since: Date }): Promise<OpenAllocation[]> {
  let q = db
    .selectFrom('invoice_allocations as a')
    .innerJoin('invoices as i', 'i.id', 'a.invoice_id')
    .select(['a.id', 'a.invoice_id', sql<bigint>`a.amount - coalesce((select sum(r.amount) from allocation_reversals r where r.allocation_id = a.id), 0)`.as('left')])
    .where('i.status', 'in', ['open', 'partially_paid', 'overdue', 'paid']);
  if ('paymentId' in by) q = q.where('a.source', '=', 'payment').where('a.source_id', '=', by.paymentId);
  else q = q.where('a.source', '=', 'wallet').where('i.subscriber_id', '=', by.walletOf).where('i.currency', '=', by.currency).where('a.created_at', '>=', by.since);
  const rows = await q.orderBy('a.id', 'desc').execute();
  return rows.map((r) => ({ ...r, left: BigInt(r.left) })).filter((r) => r.left > 0n);
}

export async function insertAllocationReversal(trx: Transaction<DB>, values: { allocation_id: bigint; invoice_id: string; reversal_id: string; amount: bigint; created_at: Date }): Promise<void> {
  await trx.insertInto('allocation_reversals').values(values).execute();
}

/** The invoices a payment paid (so a credit note for one of them can refund it). */
export async function invoicesPaidBy(db: Db, paymentId: string): Promise<string[]> {
  const rows = await db.selectFrom('invoice_allocations').select('invoice_id').distinct().where('source', '=', 'payment').where('source_id', '=', paymentId).execute();
  return rows.map((r) => r.invoice_id);
}

export function insertWriteOff(trx: Transaction<DB>, values: Insertable<WriteOffsTable>): Promise<WriteOff> {
  return trx.insertInto('write_offs').values(values).returningAll().executeTakeFirstOrThrow();
}

export function writeOffInScope(db: Db, scope: Scope, id: string): Promise<WriteOff | undefined> {
  return db.selectFrom('write_offs').selectAll().where('id', '=', id).where(inScope(scope, 'write_offs.organization_id')).executeTakeFirst();
}

export function lockWriteOff(trx: Transaction<DB>, id: string): Promise<WriteOff | undefined> {
  return trx.selectFrom('write_offs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function markWriteOffReversed(trx: Transaction<DB>, id: string, values: { at: Date; by: string | null; entryId: string; reason: string }): Promise<WriteOff> {
  return trx
    .updateTable('write_offs')
    .set({ reversed_at: values.at, reversed_by: values.by, reversal_entry_id: values.entryId, reversal_reason: values.reason })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function writeOffsOfInvoice(db: Db, invoiceId: string): Promise<WriteOff[]> {
  return db.selectFrom('write_offs').selectAll().where('invoice_id', '=', invoiceId).orderBy('created_at').execute();
}

export function listWriteOffs(db: Db, scope: Scope, query: { subscriberId?: string; limit: number }): Promise<WriteOff[]> {
  let q = db.selectFrom('write_offs').selectAll().where(inScope(scope, 'write_offs.organization_id'));
  if (query.subscriberId) q = q.where('subscriber_id', '=', query.subscriberId);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
}
