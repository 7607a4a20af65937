import { sql, type Insertable, type Kysely, type SelectQueryBuilder, type SqlBool, type Transaction, type Updateable } from 'kysely';
import type { DB, DiscountRow, PlanRow, Subscription, SubscriptionEventsTable, SubscriptionsTable, SubscriptionStatus } from '../../platform/db/schema.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';
import type { EventRow, SubscriptionFilters, SubscriptionListQuery, SubscriptionRow } from './subscriptions.schemas.ts';
import { collectionHeld } from '../installments/held.ts';

type Db = Kysely<DB> | Transaction<DB>;
type Joined = 'subscriptions' | 'subscribers' | 'plans';

export const subscriptionSort: SortSpec = {
  fields: { created_at: 'subscriptions.created_at', starts_at: 'subscriptions.starts_at', updated_at: 'subscriptions.updated_at' },
  default: '-created_at',
  id: 'subscriptions.id',
};

function selectSubscriptions(db: Db, scope: Scope) {
  return db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .innerJoin('plans', 'plans.id', 'subscriptions.plan_id')
    .selectAll('subscriptions')
    .select([
      'subscribers.account_number',
      'subscribers.name as subscriber_name',
      'plans.code as plan_code',
      'plans.name as plan_name',
      'plans.service_type',
      'plans.billing_model',
    ])
    .where(inScope(scope, 'subscriptions.organization_id'));
}

/** A username, MAC or address fragment matches any of the three, whatever separators the MAC was typed with. */
function filtered<O>(q: SelectQueryBuilder<DB, Joined, O>, f: SubscriptionFilters): SelectQueryBuilder<DB, Joined, O> {
  let out = q;
  if (f.status) out = out.where('subscriptions.status', '=', f.status);
  if (f.planId) out = out.where('subscriptions.plan_id', '=', f.planId);
  if (f.subscriberId) out = out.where('subscriptions.subscriber_id', '=', f.subscriberId);
  if (f.organizationId) out = out.where('subscriptions.organization_id', '=', f.organizationId);
  if (f.q) {
    const term = f.q.trim();
    const mac = likeContains(term.toUpperCase().replace(/[-.]/g, ':'));
    out = out.where((eb) =>
      eb.or([
        eb(sql<string>`lower(subscriptions.username)`, 'like', likeContains(term.toLowerCase())),
        eb('subscriptions.mac_address', 'like', mac),
        eb(sql<string>`replace(subscriptions.mac_address, ':', '')`, 'like', likeContains(term.toUpperCase().replace(/[:.-]/g, ''))),
        eb(sql<string>`host(subscriptions.static_ipv4)`, 'like', `${term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`),
        eb(sql<string>`cast(subscriptions.static_ipv6_prefix as text)`, 'like', likeContains(term.toLowerCase())),
      ]),
    );
  }
  return out;
}

export function list(db: Db, scope: Scope, query: SubscriptionListQuery): Promise<SubscriptionRow[]> {
  return keyset(filtered(selectSubscriptions(db, scope), query), subscriptionSort, query).execute() as Promise<SubscriptionRow[]>;
}

export function findInScope(db: Db, scope: Scope, id: string): Promise<SubscriptionRow | undefined> {
  return selectSubscriptions(db, scope).where('subscriptions.id', '=', id).executeTakeFirst() as Promise<SubscriptionRow | undefined>;
}

/** Locks the subscription for the rest of the transaction: its changes queue one after another. */
export function lockInScope(trx: Transaction<DB>, scope: Scope, id: string): Promise<SubscriptionRow | undefined> {
  return selectSubscriptions(trx, scope).where('subscriptions.id', '=', id).forUpdate('subscriptions').executeTakeFirst() as Promise<SubscriptionRow | undefined>;
}

/** The rows, locked, whatever their organization (jobs and hooks that act for the system). */
export function lockByIds(trx: Transaction<DB>, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return trx.selectFrom('subscriptions').selectAll().where('id', 'in', [...ids]).orderBy('id').forUpdate().execute();
}

export function insert(db: Db, values: Insertable<SubscriptionsTable>): Promise<{ id: string }> {
  return db.insertInto('subscriptions').values(values).returning('id').executeTakeFirstOrThrow();
}

export async function update(db: Db, ids: readonly string[], values: Updateable<SubscriptionsTable>): Promise<void> {
  if (ids.length > 0) await db.updateTable('subscriptions').set(values).where('id', 'in', [...ids]).execute();
}

export async function remove(db: Db, id: string): Promise<void> {
  await db.deleteFrom('subscriptions').where('id', '=', id).execute();
}

/** Another live subscription already logs in with this name (names are compared in any case). */
export async function usernameTaken(db: Db, username: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('subscriptions').select('id').where(sql<string>`lower(username)`, '=', username.toLowerCase()).where('status', '<>', 'terminated');
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** The live usernames starting with `prefix` (any case), lower-cased: to pick the next free one. */
export async function usernamesLike(db: Db, prefix: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('subscriptions')
    .select(sql<string>`lower(username)`.as('u'))
    .where(sql<string>`lower(username)`, 'like', `${prefix.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`)
    .where('status', '<>', 'terminated')
    .execute();
  return new Set(rows.map((r) => r.u));
}

export async function staticIpTaken(db: Db, ip: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('subscriptions').select('id').where(sql<SqlBool>`static_ipv4 = ${ip}::inet`).where('status', '<>', 'terminated');
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function hasInvoiceLines(db: Db, subscriptionId: string): Promise<boolean> {
  return (await db.selectFrom('invoice_lines').select('id').where('subscription_id', '=', subscriptionId).limit(1).executeTakeFirst()) !== undefined;
}

export async function insertEvents(db: Db, rows: Insertable<SubscriptionEventsTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('subscription_events').values(rows).execute();
}

export function events(db: Db, subscriptionId: string): Promise<EventRow[]> {
  return db
    .selectFrom('subscription_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .selectAll('e')
    .select(['u.id as user_id', 'u.name as user_name'])
    .where('e.subscription_id', '=', subscriptionId)
    .orderBy('e.id', 'desc')
    .limit(500)
    .execute();
}

/** The reason recorded with each subscription's latest scheduling of `kind` (the job applies it). */
export async function scheduledReasons(db: Db, ids: readonly string[], kind: string): Promise<Map<string, { reason: string; note: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('subscription_events')
    .select(['subscription_id', 'reason', sql<string>`coalesce(details->>'note', '')`.as('note')])
    .distinctOn('subscription_id')
    .where('subscription_id', 'in', [...ids])
    .where('kind', '=', kind)
    .orderBy('subscription_id')
    .orderBy('id', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.subscription_id, { reason: r.reason, note: r.note }]));
}

export async function statusesOfSubscriber(db: Db, subscriberId: string): Promise<SubscriptionStatus[]> {
  const rows = await db.selectFrom('subscriptions').select('status').where('subscriber_id', '=', subscriberId).execute();
  return rows.map((r) => r.status);
}

/** Invoices the subscriber still owes on (open, partly paid or overdue). */
export async function unpaidInvoiceCount(db: Db, subscriberId: string): Promise<number> {
  const r = await db
    .selectFrom('invoices')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('subscriber_id', '=', subscriberId)
    .where('status', 'in', ['open', 'partially_paid', 'overdue'])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The subscriber's prepaid subscriptions in this currency that expired unrenewed, locked, oldest first. */
export function expiredPrepaid(trx: Transaction<DB>, subscriberId: string, currency: string) {
  return trx
    .selectFrom('subscriptions')
    .selectAll('subscriptions')
    .where('subscriber_id', '=', subscriberId)
    .where('currency', '=', currency)
    .where('status', '=', 'suspended')
    .where('status_reason', '=', 'expired')
    .where('plan_id', 'in', (eb) => eb.selectFrom('plans').select('plans.id').where('plans.billing_model', '=', 'prepaid'))
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Of these subscribers, those with a subscription in grace or suspended for non-payment (what a payment may unlock). */
export async function subscribersHeldForPayment(db: Db, subscriberIds: readonly string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom('subscriptions')
    .select('subscriber_id')
    .distinct()
    .where(sql<boolean>`subscriber_id = any(${[...subscriberIds]}::uuid[])`)
    .where((eb) => eb.or([eb('status', '=', 'grace'), eb.and([eb('status', '=', 'suspended'), eb('status_reason', '=', 'unpaid')])]))
    .execute();
  return new Set(rows.map((r) => r.subscriber_id));
}

/** Of these subscribers, those with a subscription suspended because it expired (what a funded wallet may renew). */
export async function subscribersWithExpiredPrepaid(db: Db, subscriberIds: readonly string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom('subscriptions')
    .select('subscriber_id')
    .distinct()
    .where(sql<boolean>`subscriber_id = any(${[...subscriberIds]}::uuid[])`)
    .where('status', '=', 'suspended')
    .where('status_reason', '=', 'expired')
    .execute();
  return new Set(rows.map((r) => r.subscriber_id));
}

/** Unpaid invoices whose collection is not held (by an installment plan or a dispute): what suspension counts at the end of grace. */
export async function unheldUnpaidInvoiceCount(db: Db, subscriberId: string): Promise<number> {
  const r = await db
    .selectFrom('invoices')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('subscriber_id', '=', subscriberId)
    .where('status', 'in', ['open', 'partially_paid', 'overdue'])
    .where(sql<SqlBool>`not ${collectionHeld('invoices.id')}`)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The subscriber's subscriptions held back for non-payment: in grace, or suspended as unpaid. */
export function heldForPayment(trx: Transaction<DB>, subscriberId: string) {
  return trx
    .selectFrom('subscriptions')
    .selectAll()
    .where('subscriber_id', '=', subscriberId)
    .where((eb) => eb.or([eb('status', '=', 'grace'), eb.and([eb('status', '=', 'suspended'), eb('status_reason', '=', 'unpaid')])]))
    .orderBy('id')
    .forUpdate()
    .execute();
}

export type PlanSummary = Pick<PlanRow, 'id' | 'current_version_id' | 'organization_id' | 'code' | 'name' | 'service_type' | 'kind' | 'billing_model' | 'status' | 'shared_with_subtree'> & { organization_path: string };

/** What selling and billing a plan needs to know of it (the catalog's prices come through its service). */
export function planSummary(db: Db, planId: string): Promise<PlanSummary | undefined> {
  return db
    .selectFrom('plans')
    .innerJoin('organizations', 'organizations.id', 'plans.organization_id')
    .select(['plans.id', 'plans.current_version_id', 'plans.organization_id', 'plans.code', 'plans.name', 'plans.service_type', 'plans.kind', 'plans.billing_model', 'plans.status', 'plans.shared_with_subtree', 'organizations.path as organization_path'])
    .where('plans.id', '=', planId)
    .executeTakeFirst();
}

/** What the lifecycle job finds due: rows locked for this worker, skipping those another one holds. */
export type DueKind = 'activation' | 'termination' | 'suspension' | 'resumption' | 'grace_expiry';

export function lockDue(trx: Transaction<DB>, kind: DueKind, now: Date, limit: number, exclude: readonly string[], only?: readonly string[]): Promise<Subscription[]> {
  let q = trx.selectFrom('subscriptions').selectAll();
  if (only) q = q.where('id', 'in', [...only]);
  switch (kind) {
    case 'activation':
      q = q.where('status', '=', 'pending').where('starts_at', '<=', now);
      break;
    case 'termination':
      q = q.where('terminate_at', '<=', now).where('status', '<>', 'terminated');
      break;
    case 'suspension':
      q = q.where('suspend_at', '<=', now).where('status', 'in', ['active', 'grace']);
      break;
    case 'resumption':
      q = q.where('resume_at', '<=', now).where('status', '=', 'suspended');
      break;
    case 'grace_expiry':
      q = q.where('grace_until', '<=', now).where('status', '=', 'grace');
      break;
  }
  if (exclude.length > 0) q = q.where('id', 'not in', [...exclude]);
  return q.orderBy('id').limit(limit).forUpdate().skipLocked().execute();
}

/**
 * Active postpaid and usage subscriptions billed on an invoice that is overdue (marked so, or
 * unpaid past its due date in the organization's time zone), with the earliest such due date.
 */
export async function overdueActive(db: Db, now: Date, limit: number, exclude: readonly string[], only?: readonly string[]): Promise<{ id: string; due_date: string }[]> {
  let q = db
    .selectFrom('subscriptions as s')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .innerJoin('organizations as o', 'o.id', 's.organization_id')
    .innerJoin('invoice_lines as l', 'l.subscription_id', 's.id')
    .innerJoin('invoices as i', 'i.id', 'l.invoice_id')
    .select(['s.id', sql<string>`min(i.due_date)::text`.as('due_date')])
    .where('s.status', '=', 'active')
    .where('p.billing_model', 'in', ['postpaid', 'usage'])
    .where(sql<SqlBool>`(i.status = 'overdue' or (i.status in ('open', 'partially_paid') and i.due_date < (${now}::timestamptz at time zone o.timezone)::date))`)
    .where(sql<SqlBool>`not ${collectionHeld('i.id')}`);
  if (exclude.length > 0) q = q.where('s.id', 'not in', [...exclude]);
  if (only) q = q.where('s.id', 'in', [...only]);
  return q.groupBy('s.id').orderBy('s.id').limit(limit).execute();
}

/** Of these subscriptions, the ones still in one of the statuses, locked (skipping those another worker holds). */
export function lockWithStatus(trx: Transaction<DB>, ids: readonly string[], statuses: readonly SubscriptionStatus[]): Promise<Subscription[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return trx.selectFrom('subscriptions').selectAll().where('id', 'in', [...ids]).where('status', 'in', [...statuses]).orderBy('id').forUpdate().skipLocked().execute();
}

/** The discount a subscription was sold with and the plans it is limited to (none: every plan). */
export async function discountOf(db: Db, id: string): Promise<{ discount: DiscountRow; planIds: string[] } | undefined> {
  const discount = await db.selectFrom('discounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!discount) return undefined;
  const plans = await db.selectFrom('discount_plans').select('plan_id').where('discount_id', '=', id).execute();
  return { discount, planIds: plans.map((p) => p.plan_id) };
}
