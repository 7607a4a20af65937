import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { DB, Invoice, InvoiceLineRow, InvoiceStatus, InvoiceTaxRow, InvoicesTable } from '../../platform/db/schema.ts';
import { type SortSpec, keyset } from '../../platform/http/list.ts';
import { type Scope, inScope } from '../../platform/tenancy/scope.ts';
import type { InvoiceListQuery } from './invoices.schemas.ts';
import type { NewInvoiceLine } from './invoice-engine.ts';

type Db = Kysely<DB> | Transaction<DB>;

export async function insertInvoice(db: Db, values: Insertable<InvoicesTable>): Promise<Invoice> {
  return db.insertInto('invoices').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function replaceLines(trx: Transaction<DB>, invoiceId: string, lines: readonly NewInvoiceLine[]): Promise<void> {
  await trx.deleteFrom('invoice_lines').where('invoice_id', '=', invoiceId).execute();
  await trx
    .insertInto('invoice_lines')
    .values(
      lines.map((l, i) => ({
        invoice_id: invoiceId,
        line_no: i + 1,
        kind: l.kind,
        subscription_id: l.subscriptionId ?? null,
        plan_version_id: l.planVersionId ?? null,
        service_type: l.serviceType,
        description_key: l.descriptionKey ?? null,
        description: l.description ?? '',
        details: JSON.stringify(l.details ?? {}),
        quantity: l.quantity,
        unit_price: l.unitPrice,
        amount: l.amount,
        discount: l.discount ?? 0n,
        net: l.net,
        tax: l.taxes.reduce((s, t) => s + t.amount, 0n),
        gross: l.gross,
        taxes: JSON.stringify(l.taxes.map((t) => ({ code: t.code, name: t.code, rate: t.percent, amount: t.amount.toString() }))),
        period_start: l.periodStart ?? null,
        period_end: l.periodEnd ?? null,
        penalty_for_invoice_id: l.penaltyForInvoiceId ?? null,
      })),
    )
    .execute();
}

/** Sets the invoice's totals from its lines. */
export async function refreshTotals(trx: Transaction<DB>, invoiceId: string, taxes: InvoiceTaxRow[], now: Date): Promise<Invoice> {
  return trx
    .updateTable('invoices')
    .set((eb) => ({
      subtotal: eb.selectFrom('invoice_lines').select(sql<bigint>`coalesce(sum(net), 0)::bigint`.as('v')).where('invoice_id', '=', invoiceId),
      discount_total: eb.selectFrom('invoice_lines').select(sql<bigint>`coalesce(sum(discount), 0)::bigint`.as('v')).where('invoice_id', '=', invoiceId),
      tax_total: eb.selectFrom('invoice_lines').select(sql<bigint>`coalesce(sum(tax), 0)::bigint`.as('v')).where('invoice_id', '=', invoiceId),
      total: eb.selectFrom('invoice_lines').select(sql<bigint>`coalesce(sum(gross), 0)::bigint`.as('v')).where('invoice_id', '=', invoiceId),
      taxes: JSON.stringify(taxes),
      updated_at: now,
    }))
    .where('id', '=', invoiceId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function lockInvoice(trx: Transaction<DB>, id: string): Promise<Invoice | undefined> {
  return trx.selectFrom('invoices').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function findInScope(db: Db, scope: Scope, id: string): Promise<Invoice | undefined> {
  return db.selectFrom('invoices').selectAll().where('id', '=', id).where(inScope(scope, 'invoices.organization_id')).executeTakeFirst();
}

export function setStatus(db: Db, id: string, status: InvoiceStatus, now: Date, extra: Updateable<InvoicesTable> = {}): Promise<Invoice> {
  return db.updateTable('invoices').set({ ...extra, status, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function markIssued(db: Db, id: string, values: Updateable<InvoicesTable>): Promise<Invoice> {
  return db.updateTable('invoices').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Moves the organization's counter for the kind on by one (row-locked until commit): gapless numbers. */
export async function advanceSequence(trx: Transaction<DB>, organizationId: string, kind: 'invoice' | 'credit_note'): Promise<{ format: string; last: bigint }> {
  const row =
    kind === 'invoice'
      ? await trx
          .insertInto('invoice_sequences')
          .values({ organization_id: organizationId, last_invoice: 1n })
          .onConflict((oc) => oc.column('organization_id').doUpdateSet({ last_invoice: sql`invoice_sequences.last_invoice + 1` }))
          .returning(['format', 'last_invoice as last'])
          .executeTakeFirstOrThrow()
      : await trx
          .insertInto('invoice_sequences')
          .values({ organization_id: organizationId, last_credit_note: 1n })
          .onConflict((oc) => oc.column('organization_id').doUpdateSet({ last_credit_note: sql`invoice_sequences.last_credit_note + 1` }))
          .returning(['credit_note_format as format', 'last_credit_note as last'])
          .executeTakeFirstOrThrow();
  return row;
}

/** The subscriber as the invoice shows them, frozen at issue. */
export async function customerSnapshot(db: Db, subscriberId: string): Promise<Record<string, unknown>> {
  const s = await db
    .selectFrom('subscribers')
    .select(['id', 'name', 'company_name', 'account_number', 'kind', 'national_id'])
    .where('id', '=', subscriberId)
    .executeTakeFirstOrThrow();
  const contacts = await db
    .selectFrom('subscriber_contacts')
    .select(['kind', 'value'])
    .where('subscriber_id', '=', subscriberId)
    .orderBy('is_primary', 'desc')
    .orderBy('created_at')
    .execute();
  const address = await db
    .selectFrom('subscriber_addresses')
    .select(['line1', 'line2', 'city', 'region', 'country'])
    .where('subscriber_id', '=', subscriberId)
    .orderBy('is_installation', 'asc')
    .orderBy('created_at')
    .executeTakeFirst();
  return {
    name: s.name,
    companyName: s.company_name,
    accountNumber: s.account_number,
    phone: contacts.find((c) => c.kind === 'phone')?.value ?? null,
    email: contacts.find((c) => c.kind === 'email')?.value ?? null,
    address: address ? [address.line1, address.line2, address.city, address.region, address.country].filter(Boolean).join(', ') : null,
  };
}

export function linesOf(db: Db, invoiceIds: readonly string[]): Promise<InvoiceLineRow[]> {
  if (invoiceIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('invoice_lines').selectAll().where('invoice_id', 'in', invoiceIds).orderBy('invoice_id').orderBy('line_no').execute();
}

export function allocationsOf(db: Db, invoiceId: string) {
  return db.selectFrom('invoice_allocations').selectAll().where('invoice_id', '=', invoiceId).orderBy('id').execute();
}

type AllocationSource = 'wallet' | 'payment' | 'credit_note' | 'write_off';

/** What an invoice owes and says after an allocation: paid, or partly paid (an overdue one stays overdue). */
export function afterAllocation(invoice: Invoice, source: AllocationSource, amount: bigint): Pick<Invoice, 'amount_paid' | 'amount_credited' | 'status'> {
  const credit = source === 'credit_note' || source === 'write_off';
  const paid = credit ? invoice.amount_paid : invoice.amount_paid + amount;
  const credited = credit ? invoice.amount_credited + amount : invoice.amount_credited;
  const status: InvoiceStatus = paid + credited >= invoice.total ? 'paid' : invoice.status === 'overdue' ? 'overdue' : 'partially_paid';
  return { amount_paid: paid, amount_credited: credited, status };
}

export async function addAllocation(
  trx: Transaction<DB>,
  invoice: Invoice,
  a: { source: AllocationSource; sourceId?: string | null; amount: bigint; journalEntryId?: string | null; created_at: Date },
): Promise<Invoice> {
  await trx
    .insertInto('invoice_allocations')
    .values({ invoice_id: invoice.id, source: a.source, source_id: a.sourceId ?? null, amount: a.amount, journal_entry_id: a.journalEntryId ?? null, created_at: a.created_at })
    .execute();
  const after = afterAllocation(invoice, a.source, a.amount);
  return setStatus(trx, invoice.id, after.status, a.created_at, { amount_paid: after.amount_paid, amount_credited: after.amount_credited });
}

/** Many allocations and the invoices they move, in one statement (a batch of payments). */
export async function addAllocations(
  trx: Transaction<DB>,
  rows: readonly { invoiceId: string; source: AllocationSource; sourceId: string | null; amount: bigint; journalEntryId: string | null }[],
  invoices: readonly Pick<Invoice, 'id' | 'amount_paid' | 'amount_credited' | 'status'>[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await sql`with allocated as (
      insert into invoice_allocations (invoice_id, source, source_id, amount, journal_entry_id, created_at)
      select a.*, ${now.toISOString()}::timestamptz from unnest(${rows.map((r) => r.invoiceId)}::uuid[], ${rows.map((r) => r.source)}::text[], ${rows.map((r) => r.sourceId)}::uuid[],
        ${rows.map((r) => r.amount)}::bigint[], ${rows.map((r) => r.journalEntryId)}::uuid[]) as a)
    update invoices i set amount_paid = u.amount_paid, amount_credited = u.amount_credited, status = u.status, updated_at = ${now.toISOString()}::timestamptz
      from unnest(${invoices.map((i) => i.id)}::uuid[], ${invoices.map((i) => i.amount_paid)}::bigint[], ${invoices.map((i) => i.amount_credited)}::bigint[], ${invoices.map((i) => i.status)}::text[])
        as u(id, amount_paid, amount_credited, status)
     where i.id = u.id`.execute(trx);
}

/**
 * The unpaid invoices of these subscribers, and the invoices named, locked in id order (the order
 * every batch takes them in): what a batch of payments may pay.
 */
export function lockPayable(trx: Transaction<DB>, subscriberIds: readonly string[], invoiceIds: readonly string[]): Promise<Invoice[]> {
  return trx
    .selectFrom('invoices')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([sql<boolean>`subscriber_id = any(${[...subscriberIds]}::uuid[])`, eb('kind', '=', 'invoice'), eb('status', 'in', ['open', 'partially_paid', 'overdue'])]),
        sql<boolean>`id = any(${[...invoiceIds]}::uuid[])`,
      ]),
    )
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function unpaidInvoiceIds(db: Db, subscriberId: string, currency: string): Promise<string[]> {
  const rows = await db
    .selectFrom('invoices')
    .select('id')
    .where('subscriber_id', '=', subscriberId)
    .where('currency', '=', currency)
    .where('kind', '=', 'invoice')
    .where('status', 'in', ['open', 'partially_paid', 'overdue'])
    .orderBy('issued_at')
    .orderBy('number')
    .execute();
  return rows.map((r) => r.id);
}

export const invoiceSort: SortSpec = {
  fields: { created_at: 'invoices.created_at', due_date: 'invoices.due_date', number: 'invoices.number', total: 'invoices.total' },
  default: '-created_at',
  id: 'invoices.id',
};

export function list(db: Db, scope: Scope, query: InvoiceListQuery): Promise<Invoice[]> {
  let q = db.selectFrom('invoices').selectAll('invoices').where(inScope(scope, 'invoices.organization_id'));
  if (query.status) q = q.where('invoices.status', 'in', query.status);
  if (query.kind) q = q.where('invoices.kind', '=', query.kind);
  if (query.subscriberId) q = q.where('invoices.subscriber_id', '=', query.subscriberId);
  if (query.organizationId) q = q.where('invoices.organization_id', '=', query.organizationId);
  if (query.billingRunId) q = q.where('invoices.billing_run_id', '=', query.billingRunId);
  if (query.issuedFrom) q = q.where('invoices.issue_date', '>=', query.issuedFrom);
  if (query.issuedTo) q = q.where('invoices.issue_date', '<=', query.issuedTo);
  if (query.q) q = q.where('invoices.number', 'ilike', `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return keyset(q, invoiceSort, query).execute();
}
