import { sql, type Insertable, type Kysely, type SqlBool, type Transaction, type Updateable } from 'kysely';
import type { DB, InvoiceSource, InvoiceStatus, PenaltyClassesTable, PenaltyClassRow } from '../../platform/db/schema.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';
import { visibleFrom } from '../catalog/visibility.ts';
import type { PenaltyClassListQuery } from './penalties.schemas.ts';
import { collectionHeld } from '../installments/held.ts';

type Db = Kysely<DB> | Transaction<DB>;

export type PenaltyClassWithPath = PenaltyClassRow & { organization_path: string };

export const penaltyClassSort: SortSpec = { fields: { name: 'penalty_classes.name', created_at: 'penalty_classes.created_at' }, default: 'name', id: 'penalty_classes.id' };

function withPath(db: Db) {
  return db
    .selectFrom('penalty_classes')
    .innerJoin('organizations', 'organizations.id', 'penalty_classes.organization_id')
    .selectAll('penalty_classes')
    .select('organizations.path as organization_path');
}

/** Classes a scope may read and assign: its subtree's and those of every organization above it. */
const readableBy = (scope: Scope) => visibleFrom(scope, 'penalty_classes.organization_id');

export function list(db: Db, scope: Scope, query: PenaltyClassListQuery): Promise<PenaltyClassWithPath[]> {
  let q = withPath(db).where(readableBy(scope));
  if (query.organizationId) q = q.where('penalty_classes.organization_id', '=', query.organizationId);
  if (query.currency) q = q.where('penalty_classes.currency', '=', query.currency);
  if (query.q) q = q.where('penalty_classes.name', 'ilike', likeContains(query.q));
  return keyset(q, penaltyClassSort, query).execute();
}

export function findReadable(db: Db, scope: Scope, id: string): Promise<PenaltyClassWithPath | undefined> {
  return withPath(db).where('penalty_classes.id', '=', id).where(readableBy(scope)).executeTakeFirst();
}

/** A class of the scope's own subtree, locked for the change. */
export function lockManaged(trx: Transaction<DB>, scope: Scope, id: string): Promise<PenaltyClassWithPath | undefined> {
  return withPath(trx).where('penalty_classes.id', '=', id).where(inScope(scope, 'penalty_classes.organization_id')).forUpdate('penalty_classes').executeTakeFirst();
}

export function nameTaken(db: Db, organizationId: string, name: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('penalty_classes').select('id').where('organization_id', '=', organizationId).where('name', '=', name);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return q.executeTakeFirst().then((r) => r !== undefined);
}

export function insert(db: Db, values: Insertable<PenaltyClassesTable>): Promise<PenaltyClassRow> {
  return db.insertInto('penalty_classes').values(values).returningAll().executeTakeFirstOrThrow();
}

export function update(db: Db, id: string, values: Updateable<PenaltyClassesTable>): Promise<PenaltyClassRow> {
  return db.updateTable('penalty_classes').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function remove(db: Db, id: string): Promise<void> {
  await db.deleteFrom('penalty_classes').where('id', '=', id).execute();
}

export async function subscribersUsing(db: Db, id: string): Promise<number> {
  const r = await db.selectFrom('subscribers').select((eb) => eb.fn.countAll<bigint>().as('n')).where('penalty_class_id', '=', id).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The subscriber's billing hook: its organization and penalty class, locked for the change. */
export function lockSubscriber(trx: Transaction<DB>, scope: Scope, id: string) {
  return trx
    .selectFrom('subscribers')
    .innerJoin('organizations', 'organizations.id', 'subscribers.organization_id')
    .select(['subscribers.id', 'subscribers.organization_id', 'subscribers.penalty_class_id', 'organizations.path as organization_path'])
    .where('subscribers.id', '=', id)
    .where(inScope(scope, 'subscribers.organization_id'))
    .forUpdate('subscribers')
    .executeTakeFirst();
}

export function subscriberInScope(db: Db, scope: Scope, id: string) {
  return db
    .selectFrom('subscribers')
    .select(['subscribers.id', 'subscribers.penalty_class_id'])
    .where('subscribers.id', '=', id)
    .where(inScope(scope, 'subscribers.organization_id'))
    .executeTakeFirst();
}

/** A class the organization's subscribers may be given: the organization's own or one of an organization above. */
export function findUsableBy(db: Db, orgPath: string, id: string): Promise<PenaltyClassRow | undefined> {
  return db
    .selectFrom('penalty_classes')
    .selectAll()
    .where('id', '=', id)
    .where(sql<SqlBool>`organization_id in (select o.id from organizations o where ${orgPath} like o.path || '%')`)
    .executeTakeFirst();
}

export async function setSubscriberClass(trx: Transaction<DB>, subscriberId: string, penaltyClassId: string | null, now: Date): Promise<void> {
  await trx.updateTable('subscribers').set({ penalty_class_id: penaltyClassId, updated_at: now }).where('id', '=', subscriberId).execute();
}

// ---- The overdue job ----

/** The organization's local date at `now`, as SQL. */
const localToday = (now: Date) => sql`(${now}::timestamptz at time zone organizations.timezone)::date`;

/**
 * Marks open and partly paid invoices overdue once their due date (a local date) is behind the
 * organization's today; answers each with the status it had. Rows another worker holds are skipped.
 */
export function markOverdue(trx: Transaction<DB>, now: Date, limit: number) {
  const due = trx
    .selectFrom('invoices')
    .innerJoin('organizations', 'organizations.id', 'invoices.organization_id')
    .select(['invoices.id', 'invoices.status as before', 'organizations.path'])
    .where('invoices.status', 'in', ['open', 'partially_paid'])
    .where('invoices.kind', '=', 'invoice')
    // No zone is more than a day ahead of UTC: a bound the open-invoices index can use.
    .where(sql<SqlBool>`invoices.due_date <= (${now}::timestamptz at time zone 'UTC')::date`)
    .where(sql<SqlBool>`invoices.due_date < ${localToday(now)}`)
    .orderBy('invoices.id')
    .limit(limit)
    .forUpdate('invoices')
    .skipLocked();
  return trx
    .updateTable('invoices')
    .from(due.as('d'))
    .set({ status: 'overdue', updated_at: now })
    .whereRef('invoices.id', '=', 'd.id')
    .returning(['invoices.id', 'invoices.organization_id', 'invoices.number', 'invoices.due_date', 'd.before', 'd.path'])
    .execute() as Promise<{ id: string; organization_id: string; number: string | null; due_date: string | null; before: InvoiceStatus; path: string }[]>;
}

export interface PenaltyCandidate {
  id: string;
  organization_id: string;
  organization_path: string;
  subscriber_id: string;
  currency: string;
  number: string | null;
  due_date: string;
  source: InvoiceSource;
  total: bigint;
  amount_paid: bigint;
  amount_credited: bigint;
  class_id: string;
  class_name: string;
  kind: 'fixed' | 'percentage';
  amount: string | null;
  percent: string | null;
  minimum: string | null;
  penalty_on_penalty: boolean;
}

/**
 * Overdue invoices to penalise: not penalised yet, of a subscriber with a penalty class in the
 * invoice's currency, whose due date plus the class's days has passed locally, and (a penalty
 * invoice) only when the class penalises penalties.
 */
function penaltyCandidates(db: Db, now: Date) {
  return db
    .selectFrom('invoices')
    .innerJoin('subscribers', 'subscribers.id', 'invoices.subscriber_id')
    .innerJoin('penalty_classes', 'penalty_classes.id', 'subscribers.penalty_class_id')
    .innerJoin('organizations', 'organizations.id', 'invoices.organization_id')
    .where('invoices.status', '=', 'overdue')
    .where('invoices.kind', '=', 'invoice')
    .where('invoices.penalized', '=', false)
    .whereRef('penalty_classes.currency', '=', 'invoices.currency')
    .where((eb) => eb.or([eb('invoices.source', '<>', 'penalty'), eb('penalty_classes.penalty_on_penalty', '=', true)]))
    .where(sql<SqlBool>`invoices.due_date + penalty_classes.days_after_due < ${localToday(now)}`)
    .where(sql<SqlBool>`not ${collectionHeld('invoices.id')}`);
}

/** The next candidates after `afterId`, in id order, unlocked: each is locked and checked again on its own. */
export async function penaltyCandidateIds(db: Db, now: Date, afterId: string | null, limit: number): Promise<string[]> {
  let q = penaltyCandidates(db, now).select('invoices.id');
  if (afterId) q = q.where('invoices.id', '>', afterId);
  return (await q.orderBy('invoices.id').limit(limit).execute()).map((r) => r.id);
}

/** The candidate, locked, if it still is one and no other worker holds it. */
export function lockPenaltyCandidate(trx: Transaction<DB>, now: Date, id: string): Promise<PenaltyCandidate | undefined> {
  return penaltyCandidates(trx, now)
    .select([
      'invoices.id',
      'invoices.organization_id',
      'organizations.path as organization_path',
      'invoices.subscriber_id',
      'invoices.currency',
      'invoices.number',
      sql<string>`invoices.due_date::text`.as('due_date'),
      'invoices.source',
      'invoices.total',
      'invoices.amount_paid',
      'invoices.amount_credited',
      'penalty_classes.id as class_id',
      'penalty_classes.name as class_name',
      'penalty_classes.kind',
      'penalty_classes.amount',
      'penalty_classes.percent',
      'penalty_classes.minimum',
      'penalty_classes.penalty_on_penalty',
    ])
    .where('invoices.id', '=', id)
    .forUpdate('invoices')
    .skipLocked()
    .executeTakeFirst() as Promise<PenaltyCandidate | undefined>;
}

/** The penalty line already charged for an invoice, if any (the unique index allows one). */
export function penaltyLineFor(db: Db, invoiceId: string) {
  return db.selectFrom('invoice_lines').select(['invoice_id']).where('penalty_for_invoice_id', '=', invoiceId).executeTakeFirst();
}

export async function markPenalized(trx: Transaction<DB>, invoiceId: string, now: Date): Promise<void> {
  await trx.updateTable('invoices').set({ penalized: true, updated_at: now }).where('id', '=', invoiceId).execute();
}
