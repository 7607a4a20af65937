import type { Kysely, Transaction } from 'kysely';
import type { DB, Invoice, InvoiceAllocation } from '../../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export function invoiceById(db: Db, id: string): Promise<Invoice | undefined> {
  return db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The organization as its documents print it. */
export function issuerOf(db: Db, organizationId: string) {
  return db
    .selectFrom('organizations')
    .select(['name', 'address', 'contact_email', 'contact_phone', 'tax_id', 'locale', 'timezone'])
    .where('id', '=', organizationId)
    .executeTakeFirstOrThrow();
}

/** Invoice numbers by id (the invoice a credit note corrects, the credit note behind an allocation). */
export async function numbersOf(db: Db, ids: readonly string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('invoices').select(['id', 'number']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.number]));
}

export function allocationOf(db: Db, invoiceId: string, allocationId: string): Promise<InvoiceAllocation | undefined> {
  return db.selectFrom('invoice_allocations').selectAll().where('invoice_id', '=', invoiceId).where('id', '=', BigInt(allocationId)).executeTakeFirst();
}

/**
 * Every invoice one receipt settled: a payment or a credit note spread over several invoices
 * carries the same source id on each allocation; a wallet deduction settles one.
 */
export function settledBy(db: Db, allocation: InvoiceAllocation) {
  let q = db
    .selectFrom('invoice_allocations as a')
    .innerJoin('invoices as i', 'i.id', 'a.invoice_id')
    .select(['a.id', 'a.invoice_id', 'a.amount', 'i.number', 'i.total', 'i.currency'])
    .orderBy('a.id');
  q = allocation.source_id === null ? q.where('a.id', '=', allocation.id) : q.where('a.source', '=', allocation.source).where('a.source_id', '=', allocation.source_id);
  return q.execute();
}

/** Current names and account numbers, for invoices not issued yet (their customer snapshot is empty). */
export async function subscriberNames(db: Db, ids: readonly string[]): Promise<Map<string, { name: string; accountNumber: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('subscribers').select(['id', 'name', 'account_number']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, accountNumber: r.account_number }]));
}
