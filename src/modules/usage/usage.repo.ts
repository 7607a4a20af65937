import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB, UsageRecord, UsageRecordsTable } from '../../platform/db/schema.ts';
import { keyset, type ListQuery, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** What usage needs of a subscription: whose it is, where, and when it began. */
export interface UsageSubscription {
  id: string;
  organization_id: string;
  organization_path: string;
  timezone: string;
  username: string | null;
  starts_at: Date;
}

export const usageSort: SortSpec = {
  fields: { occurred_at: 'usage_records.occurred_at', created_at: 'usage_records.created_at' },
  default: '-occurred_at',
  id: 'usage_records.id',
};

function subscriptions(db: Db, scope: Scope) {
  return db
    .selectFrom('subscriptions')
    .innerJoin('organizations', 'organizations.id', 'subscriptions.organization_id')
    .select([
      'subscriptions.id',
      'subscriptions.organization_id',
      'organizations.path as organization_path',
      'organizations.timezone',
      'subscriptions.username',
      'subscriptions.starts_at',
    ])
    .where(inScope(scope, 'subscriptions.organization_id'));
}

export function subscriptionInScope(db: Db, scope: Scope, id: string): Promise<UsageSubscription | undefined> {
  return subscriptions(db, scope).where('subscriptions.id', '=', id).executeTakeFirst();
}

/** Subscriptions of the scope named by id, or by a username held by a subscription not yet terminated. */
export async function subscriptionsNamed(db: Db, scope: Scope, ids: readonly string[], usernames: readonly string[]): Promise<UsageSubscription[]> {
  if (ids.length === 0 && usernames.length === 0) return [];
  return subscriptions(db, scope)
    .where((eb) =>
      eb.or([
        sql<boolean>`subscriptions.id = any(${[...ids]}::uuid[])`,
        eb.and([sql<boolean>`lower(subscriptions.username) = any(${usernames.map((u) => u.toLowerCase())}::text[])`, eb('subscriptions.status', '<>', 'terminated')]),
      ]),
    )
    .execute();
}

export interface UsageFilters {
  from?: Date;
  to?: Date;
  unit?: string;
}

export function list(db: Db, subscriptionId: string, query: ListQuery & UsageFilters): Promise<UsageRecord[]> {
  let q = db.selectFrom('usage_records').selectAll().where('subscription_id', '=', subscriptionId);
  if (query.from) q = q.where('occurred_at', '>=', query.from);
  if (query.to) q = q.where('occurred_at', '<', query.to);
  if (query.unit) q = q.where('unit', '=', query.unit);
  return keyset(q, usageSort, query).execute();
}

export function findByReference(db: Db, subscriptionId: string, reference: string): Promise<UsageRecord | undefined> {
  return db.selectFrom('usage_records').selectAll().where('subscription_id', '=', subscriptionId).where('reference', '=', reference).executeTakeFirst();
}

/** The records already stored under these (subscription, reference) pairs. */
export async function findByReferences(db: Db, pairs: readonly { subscriptionId: string; reference: string }[]): Promise<UsageRecord[]> {
  if (pairs.length === 0) return [];
  return db
    .selectFrom('usage_records')
    .selectAll()
    .where(
      sql<boolean>`(subscription_id, reference) in (select * from unnest(${pairs.map((p) => p.subscriptionId)}::uuid[], ${pairs.map((p) => p.reference)}::text[]))`,
    )
    .execute();
}

/** Inserts the record unless its reference is already stored for the subscription (then undefined). */
export function insertUnlessReferenced(db: Db, values: Insertable<UsageRecordsTable>): Promise<UsageRecord | undefined> {
  return db
    .insertInto('usage_records')
    .values(values)
    .onConflict((oc) => oc.columns(['subscription_id', 'reference']).where('reference', 'is not', null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function insertMany(db: Db, rows: readonly Insertable<UsageRecordsTable>[]): Promise<void> {
  for (let at = 0; at < rows.length; at += 1000) await db.insertInto('usage_records').values(rows.slice(at, at + 1000)).execute();
}

/**
 * The usage of each subscription in [start, end), per unit, summed exactly in SQL (numeric, with
 * trailing zeros trimmed): what the billing run rates. Subscriptions without usage are absent.
 */
export async function usageTotals(db: Db, subscriptionIds: readonly string[], start: Date, end: Date): Promise<Map<string, Record<string, string>>> {
  const totals = new Map<string, Record<string, string>>();
  if (subscriptionIds.length === 0) return totals;
  const rows = await db
    .selectFrom('usage_records')
    .select(['subscription_id', 'unit', sql<string>`trim_scale(sum(quantity))::text`.as('quantity')])
    .where(sql<boolean>`subscription_id = any(${[...subscriptionIds]}::uuid[])`)
    .where('occurred_at', '>=', start)
    .where('occurred_at', '<', end)
    .groupBy(['subscription_id', 'unit'])
    .orderBy('subscription_id')
    .orderBy('unit')
    .execute();
  for (const r of rows) {
    const units = totals.get(r.subscription_id) ?? {};
    units[r.unit] = r.quantity;
    totals.set(r.subscription_id, units);
  }
  return totals;
}
