import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { GatewayCustomer, GatewayCustomersTable, SavedCard } from '../../platform/db/schema/saved-cards.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface CardRow extends SavedCard {
  gateway_account_id: string;
  customer_ref: string;
}

export function customerOf(db: Db, subscriberId: string, gatewayAccountId: string): Promise<GatewayCustomer | undefined> {
  return db.selectFrom('gateway_customers').selectAll().where('subscriber_id', '=', subscriberId).where('gateway_account_id', '=', gatewayAccountId).executeTakeFirst();
}

export function customersOfSubscriber(db: Db, subscriberId: string): Promise<GatewayCustomer[]> {
  return db.selectFrom('gateway_customers').selectAll().where('subscriber_id', '=', subscriberId).execute();
}

/** The customer, or the one a concurrent request saved first. */
export async function insertCustomer(db: Db, values: Insertable<GatewayCustomersTable>): Promise<GatewayCustomer> {
  await db.insertInto('gateway_customers').values(values).onConflict((oc) => oc.columns(['subscriber_id', 'gateway_account_id']).doNothing()).execute();
  return (await customerOf(db, values.subscriber_id, values.gateway_account_id))!;
}

function cards(db: Db) {
  return db
    .selectFrom('saved_cards')
    .innerJoin('gateway_customers', 'gateway_customers.id', 'saved_cards.gateway_customer_id')
    .selectAll('saved_cards')
    .select(['gateway_customers.gateway_account_id', 'gateway_customers.customer_ref']);
}

/** A subscriber's cards that may be charged, newest first. */
export function activeCards(db: Db, subscriberId: string): Promise<CardRow[]> {
  return cards(db).where('saved_cards.subscriber_id', '=', subscriberId).where('saved_cards.removed_at', 'is', null).orderBy('saved_cards.created_at', 'desc').orderBy('saved_cards.id', 'desc').execute();
}

export function customerCards(db: Db, gatewayCustomerId: string): Promise<CardRow[]> {
  return cards(db).where('saved_cards.gateway_customer_id', '=', gatewayCustomerId).execute();
}

export function activeCardOfSubscriber(db: Db, subscriberId: string, id: string): Promise<CardRow | undefined> {
  return cards(db).where('saved_cards.id', '=', id).where('saved_cards.subscriber_id', '=', subscriberId).where('saved_cards.removed_at', 'is', null).executeTakeFirst();
}

export async function insertCards(db: Db, values: Insertable<DB['saved_cards']>[]): Promise<void> {
  if (values.length === 0) return;
  await db.insertInto('saved_cards').values(values).onConflict((oc) => oc.columns(['gateway_customer_id', 'payment_method_ref']).doNothing()).execute();
}

export async function markRemoved(db: Db, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('saved_cards').set({ removed_at: at }).where('id', 'in', ids).where('removed_at', 'is', null).execute();
}

export function subscriberInScope(db: Db, scope: Scope, id: string) {
  return db.selectFrom('subscribers').select(['id', 'organization_id']).where('id', '=', id).where(inScope(scope, 'subscribers.organization_id')).executeTakeFirst();
}

export function subscriberForCustomer(db: Db, id: string) {
  return db.selectFrom('subscribers').select(['id', 'organization_id', 'name', 'account_number']).where('id', '=', id).executeTakeFirstOrThrow();
}

/** Automatic charges of a subscriber's cards, newest first: what staff and the subscriber see of autopay. */
export function autopayAttempts(db: Db, subscriberId: string, limit: number) {
  return db
    .selectFrom('payment_intents')
    .innerJoin('saved_cards', 'saved_cards.id', 'payment_intents.saved_card_id')
    .leftJoin('invoices', 'invoices.id', 'payment_intents.invoice_id')
    .select([
      'payment_intents.id',
      'payment_intents.invoice_id',
      'invoices.number as invoice_number',
      'payment_intents.amount',
      'payment_intents.currency',
      'payment_intents.status',
      'payment_intents.failure_code',
      'payment_intents.failure_message',
      'payment_intents.created_at',
      'saved_cards.brand',
      'saved_cards.last4',
    ])
    .where('payment_intents.subscriber_id', '=', subscriberId)
    .orderBy('payment_intents.created_at', 'desc')
    .orderBy('payment_intents.id', 'desc')
    .limit(limit)
    .execute();
}

export type AutopayAttemptRow = Awaited<ReturnType<typeof autopayAttempts>>[number];

/** Start of the organization's calendar day that `now` falls in. */
const dayStart = (now: Date) => sql<Date>`(date_trunc('day', ${now}::timestamptz at time zone organizations.timezone) at time zone organizations.timezone)`;

/** No payment of the invoice under way, and no automatic charge of it yet today. */
const nothingUnderWayToday = (now: Date) =>
  sql<boolean>`not exists (select 1 from payment_intents p where p.invoice_id = invoices.id and (p.status = 'pending' or (p.saved_card_id is not null and p.created_at >= ${dayStart(now)})))`;

/**
 * Invoices to charge now: unpaid, due on or before today (the organization's calendar day), of a
 * subscriber with a saved card whose gateway account is enabled, with no automatic charge today
 * and no payment under way. The newest card is the one charged.
 */
export function autopayDue(db: Db, now: Date, limit: number) {
  return db
    .selectFrom('invoices')
    .innerJoin('organizations', 'organizations.id', 'invoices.organization_id')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('saved_cards')
          .select(['saved_cards.id as card_id', 'saved_cards.gateway_customer_id'])
          .whereRef('saved_cards.subscriber_id', '=', 'invoices.subscriber_id')
          .where('saved_cards.removed_at', 'is', null)
          .orderBy('saved_cards.created_at', 'desc')
          .orderBy('saved_cards.id', 'desc')
          .limit(1)
          .as('card'),
      (join) => join.onTrue(),
    )
    .innerJoin('gateway_customers', 'gateway_customers.id', 'card.gateway_customer_id')
    .innerJoin('gateway_accounts', 'gateway_accounts.id', 'gateway_customers.gateway_account_id')
    .select(['invoices.id as invoice_id', 'card.card_id'])
    .where('gateway_accounts.enabled', '=', true)
    .where('invoices.kind', '=', 'invoice')
    .where('invoices.status', 'in', ['open', 'partially_paid', 'overdue'])
    .where(sql<boolean>`invoices.due_date <= (${now}::timestamptz at time zone organizations.timezone)::date`)
    .where(sql<boolean>`invoices.total - invoices.amount_paid - invoices.amount_credited > 0`)
    .where(nothingUnderWayToday(now))
    .orderBy('invoices.due_date')
    .orderBy('invoices.id')
    .limit(limit)
    .execute();
}

/**
 * The invoice and card again, the invoice locked, with the same conditions: two runs at once
 * charge an invoice once.
 */
export function lockAutopayCandidate(trx: Transaction<DB>, now: Date, invoiceId: string, cardId: string) {
  return trx
    .selectFrom('invoices')
    .innerJoin('organizations', 'organizations.id', 'invoices.organization_id')
    .innerJoin('subscribers', 'subscribers.id', 'invoices.subscriber_id')
    .innerJoin('saved_cards', 'saved_cards.subscriber_id', 'invoices.subscriber_id')
    .innerJoin('gateway_customers', 'gateway_customers.id', 'saved_cards.gateway_customer_id')
    .select([
      'invoices.id',
      'invoices.number',
      'invoices.organization_id',
      'invoices.subscriber_id',
      'invoices.currency',
      'invoices.total',
      'invoices.amount_paid',
      'invoices.amount_credited',
      'invoices.status',
      'subscribers.account_number',
      'saved_cards.id as card_id',
      'saved_cards.payment_method_ref',
      'gateway_customers.customer_ref',
      'gateway_customers.gateway_account_id',
    ])
    .where('invoices.id', '=', invoiceId)
    .where('saved_cards.id', '=', cardId)
    .where('saved_cards.removed_at', 'is', null)
    .where(nothingUnderWayToday(now))
    .forUpdate('invoices')
    .executeTakeFirst();
}
