import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Invoice, InvoiceStatus } from '../../platform/db/schema.ts';
import { keyset, type ListQuery } from '../../platform/http/list.ts';
import { invoiceSort } from '../invoices/invoices.repo.ts';
import { visibleStatuses } from './portal.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

const unpaid: InvoiceStatus[] = ['open', 'partially_paid', 'overdue'];

export function customerLogin(db: Db, userId: string) {
  return db
    .selectFrom('users as u')
    .innerJoin('subscribers as s', 's.id', 'u.subscriber_id')
    .innerJoin('organizations as o', 'o.id', 's.organization_id')
    .select(['s.id as subscriberId', 's.organization_id as organizationId', 'o.path as organizationPath', 'o.locale as organizationLocale'])
    .where('u.id', '=', userId)
    .executeTakeFirst();
}

/** The portal login of a subscriber, if it has one. */
export function loginOf(db: Db, subscriberId: string) {
  return db.selectFrom('users').select(['id', 'email']).where('subscriber_id', '=', subscriberId).executeTakeFirst();
}

export function subscriberWithOrganization(db: Db, subscriberId: string) {
  return db
    .selectFrom('subscribers as s')
    .innerJoin('organizations as o', 'o.id', 's.organization_id')
    .select([
      's.id',
      's.kind',
      's.name',
      's.company_name',
      's.account_number',
      's.status',
      'o.id as org_id',
      'o.name as org_name',
      'o.currency as org_currency',
      'o.timezone as org_timezone',
      'o.contact_email as org_email',
      'o.contact_phone as org_phone',
    ])
    .where('s.id', '=', subscriberId)
    .executeTakeFirstOrThrow();
}

export function contactsOf(db: Db, subscriberId: string) {
  return db.selectFrom('subscriber_contacts').select(['kind', 'value']).where('subscriber_id', '=', subscriberId).orderBy('is_primary', 'desc').orderBy('created_at').execute();
}

/** What is owed per currency on unpaid invoices, how many, and the earliest due date. */
export function dueByCurrency(db: Db, subscriberId: string) {
  return db
    .selectFrom('invoices')
    .select([
      'currency',
      sql<bigint>`sum(total - amount_paid - amount_credited)::bigint`.as('owed'),
      sql<string>`count(*)::text`.as('invoices'),
      sql<string | null>`min(due_date)::text`.as('next_due_date'),
    ])
    .where('subscriber_id', '=', subscriberId)
    .where('kind', '=', 'invoice')
    .where('status', 'in', unpaid)
    .groupBy('currency')
    .orderBy('currency')
    .execute();
}

export function subscriptionsOf(db: Db, subscriberId: string) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .innerJoin('organizations as o', 'o.id', 's.organization_id')
    .select([
      's.id',
      's.status',
      's.status_reason',
      's.currency',
      's.quantity',
      's.auto_renew',
      's.username',
      's.starts_at',
      's.activated_at',
      's.billed_through',
      's.next_bill_at',
      's.grace_until',
      's.suspend_at',
      's.terminated_at',
      'p.id as plan_id',
      'p.current_version_id',
      'p.name as plan_name',
      'p.service_type',
      'p.billing_model',
      'o.timezone',
    ])
    .where('s.subscriber_id', '=', subscriberId)
    .orderBy(sql`s.status = 'terminated'`)
    .orderBy('s.created_at', 'desc')
    .execute();
}

export type SubscriptionRow = Awaited<ReturnType<typeof subscriptionsOf>>[number];

export interface InvoiceFilters {
  status?: InvoiceStatus[];
}

export function invoicesOf(db: Db, subscriberId: string, query: ListQuery & InvoiceFilters): Promise<Invoice[]> {
  const q = db
    .selectFrom('invoices')
    .selectAll('invoices')
    .where('invoices.subscriber_id', '=', subscriberId)
    .where('invoices.status', 'in', query.status ?? [...visibleStatuses]);
  return keyset(q, invoiceSort, query).execute();
}

export function invoiceOf(db: Db, subscriberId: string, id: string): Promise<Invoice | undefined> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('id', '=', id)
    .where('subscriber_id', '=', subscriberId)
    .where('status', 'in', [...visibleStatuses])
    .executeTakeFirst();
}

export function creditNotesFor(db: Db, invoiceId: string) {
  return db.selectFrom('invoices').select(['id', 'number', 'total']).where('credits_invoice_id', '=', invoiceId).where('status', 'in', [...visibleStatuses]).orderBy('created_at').execute();
}
