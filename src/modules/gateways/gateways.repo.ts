import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import { pathIds } from '../../core/organizations.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { GatewayAccount, GatewayAccountsTable, PaymentIntent, PaymentIntentsTable, PaymentSecurityEventsTable, GatewayEventsTable } from '../../platform/db/schema/gateways.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface AccountRow extends GatewayAccount {
  organization_name: string;
  organization_path: string;
}

function accounts(db: Db) {
  return db
    .selectFrom('gateway_accounts')
    .innerJoin('organizations', 'organizations.id', 'gateway_accounts.organization_id')
    .selectAll('gateway_accounts')
    .select(['organizations.name as organization_name', 'organizations.path as organization_path']);
}

export function listAccounts(db: Db, scope: Scope, organizationId?: string): Promise<AccountRow[]> {
  let q = accounts(db).where(inScope(scope, 'gateway_accounts.organization_id'));
  if (organizationId) q = q.where('gateway_accounts.organization_id', '=', organizationId);
  return q.orderBy('organizations.path').orderBy('gateway_accounts.kind').execute();
}

export function accountInScope(db: Db, scope: Scope, id: string): Promise<AccountRow | undefined> {
  return accounts(db).where('gateway_accounts.id', '=', id).where(inScope(scope, 'gateway_accounts.organization_id')).executeTakeFirst();
}

export function accountById(db: Db, id: string): Promise<AccountRow | undefined> {
  return accounts(db).where('gateway_accounts.id', '=', id).executeTakeFirst();
}

/**
 * The account a callback names, kept for two seconds: a busy paybill's confirmations all name the
 * same account, and reading it for each was a quarter of the statements they cost. A change made
 * here is seen at once (updateAccount forgets the entry); one made by another process within two
 * seconds.
 */
export function accountForCallback(db: Db, id: string): Promise<AccountRow | undefined> {
  const now = Date.now();
  const hit = callbackAccounts.get(id);
  if (hit && hit.until > now) return hit.account;
  if (callbackAccounts.size >= 1000) callbackAccounts.clear();
  // The read itself is kept, so callbacks arriving together while it runs wait for it instead of each reading.
  const account = accountById(db, id).then(
    (found) => {
      if (!found) callbackAccounts.delete(id);
      return found;
    },
    (err: unknown) => {
      callbackAccounts.delete(id);
      throw err;
    },
  );
  callbackAccounts.set(id, { account, until: now + 2000 });
  return account;
}

const callbackAccounts = new Map<string, { account: Promise<AccountRow | undefined>; until: number }>();

export function accountByKind(db: Db, organizationId: string, kind: string): Promise<GatewayAccount | undefined> {
  return db.selectFrom('gateway_accounts').selectAll().where('organization_id', '=', organizationId).where('kind', '=', kind).executeTakeFirst();
}

/** For each kind, the enabled account nearest up the tree from the organization (its own first). */
export async function usableAccounts(db: Db, organizationPath: string): Promise<AccountRow[]> {
  const ids = pathIds(organizationPath);
  if (ids.length === 0) return [];
  const rows = await accounts(db).where('gateway_accounts.organization_id', 'in', ids).where('gateway_accounts.enabled', '=', true).orderBy('organizations.depth', 'desc').execute();
  const nearest = new Map<string, AccountRow>();
  for (const r of rows) if (!nearest.has(r.kind)) nearest.set(r.kind, r);
  return [...nearest.values()];
}

export function insertAccount(db: Db, values: Insertable<GatewayAccountsTable>): Promise<GatewayAccount> {
  return db.insertInto('gateway_accounts').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateAccount(db: Db, id: string, values: Updateable<GatewayAccountsTable>): Promise<GatewayAccount> {
  callbackAccounts.delete(id);
  return db.updateTable('gateway_accounts').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function insertIntent(db: Db, values: Insertable<PaymentIntentsTable>): Promise<PaymentIntent> {
  return db.insertInto('payment_intents').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateIntent(db: Db, id: string, values: Updateable<PaymentIntentsTable>): Promise<PaymentIntent> {
  return db.updateTable('payment_intents').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** An attempt the gateway never heard of (its input was refused before the call). */
export async function deleteIntent(db: Db, id: string): Promise<void> {
  await db.deleteFrom('payment_intents').where('id', '=', id).where('gateway_ref', 'is', null).execute();
}

/** The attempt a callback names, locked: concurrent callbacks for it take turns. */
export function lockIntentByRef(trx: Transaction<DB>, accountId: string, gatewayRef: string): Promise<PaymentIntent | undefined> {
  return trx.selectFrom('payment_intents').selectAll().where('gateway_account_id', '=', accountId).where('gateway_ref', '=', gatewayRef).forUpdate().executeTakeFirst();
}

export function intentOfSubscriber(db: Db, subscriberId: string, id: string): Promise<PaymentIntent | undefined> {
  return db.selectFrom('payment_intents').selectAll().where('id', '=', id).where('subscriber_id', '=', subscriberId).executeTakeFirst();
}

/** Pending attempts started before `before`, oldest first: what reconciliation asks the gateways about. */
export function pendingIntents(db: Db, before: Date, limit: number): Promise<PaymentIntent[]> {
  return db.selectFrom('payment_intents').selectAll().where('status', '=', 'pending').where('created_at', '<', before).where('gateway_ref', 'is not', null).orderBy('created_at').limit(limit).execute();
}

export async function insertEvents(db: Db, rows: readonly Insertable<GatewayEventsTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('gateway_events').values([...rows]).execute();
}

export async function insertSecurityEvents(db: Db, rows: readonly Insertable<PaymentSecurityEventsTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('payment_security_events').values([...rows]).execute();
}

export function securityEvents(db: Db, scope: Scope, limit: number) {
  return db
    .selectFrom('payment_security_events')
    .selectAll()
    .where(inScope(scope, 'payment_security_events.organization_id'))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export function invoiceOfSubscriber(db: Db, subscriberId: string, invoiceId: string) {
  return db.selectFrom('invoices').selectAll().where('id', '=', invoiceId).where('subscriber_id', '=', subscriberId).where('kind', '=', 'invoice').executeTakeFirst();
}

export function subscriberWithOrganization(db: Db, subscriberId: string) {
  return db
    .selectFrom('subscribers')
    .innerJoin('organizations', 'organizations.id', 'subscribers.organization_id')
    .select(['subscribers.id', 'subscribers.organization_id', 'subscribers.account_number', 'organizations.path as organization_path', 'organizations.currency'])
    .where('subscribers.id', '=', subscriberId)
    .executeTakeFirstOrThrow();
}


export async function intentStatus(db: Db, id: string): Promise<PaymentIntent['status']> {
  return (await db.selectFrom('payment_intents').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
}

/** Expires an attempt that is still pending; false when something settled it meanwhile. */
export async function expireIntent(db: Db, id: string, at: Date): Promise<boolean> {
  const r = await db.updateTable('payment_intents').set({ status: 'expired', settled_at: at, updated_at: at }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** The organization a gateway payment was recorded under: the account's own, or a subscriber's below it (an attempt's). */
export async function paymentOrganization(db: Db, account: Pick<GatewayAccount, 'organization_id' | 'kind'>, transactionId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('payments')
    .select('payments.organization_id')
    .where('payments.channel', '=', account.kind)
    .where('payments.transaction_id', '=', transactionId)
    .where(sql<boolean>`payments.organization_id in (select o.id from organizations o where o.path like (select p.path from organizations p where p.id = ${account.organization_id}) || '%')`)
    .executeTakeFirst();
  return row?.organization_id;
}
