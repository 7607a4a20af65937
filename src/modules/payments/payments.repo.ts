/** SQL of the payments module: payments, and the references a payer gives that name a subscriber. */
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB, Invoice } from '../../platform/db/schema.ts';
import type { Payment, PaymentStatus, PaymentsTable } from '../../platform/db/schema/payments.ts';
import { type ListQuery, type SortSpec, keyset, likeContains } from '../../platform/http/list.ts';
import { type Scope, inScope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

/**
 * Serializes the handling of one outside event (organization, channel, transaction id) until the
 * transaction ends, so a callback delivered twice at the same moment is applied once and the
 * second delivery reads the first one's payment.
 */
export async function lockEventKey(trx: Transaction<DB>, organizationId: string, channel: string, transactionId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`payment|${organizationId}|${channel}|${transactionId}`}, 0))`.execute(trx);
}

const eventKey = (e: EventKey) => `payment|${e.organizationId}|${e.channel}|${e.transactionId}`;

export interface EventKey {
  readonly organizationId: string;
  readonly channel: string;
  readonly transactionId: string;
}

/** lockEventKey for many events in one statement, in the order of their lock numbers (two batches queue, never deadlock). */
export async function lockEventKeys(trx: Transaction<DB>, events: readonly EventKey[]): Promise<void> {
  await sql`select pg_advisory_xact_lock(h) from (select distinct hashtextextended(k, 0) as h from unnest(${events.map(eventKey)}::text[]) as k order by 1) as l`.execute(trx);
}

/** The payments recorded for these events, if any. */
export function findByEvents(db: Db, events: readonly EventKey[]): Promise<Payment[]> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where(
      sql<boolean>`(organization_id, channel, transaction_id) in (select * from unnest(${events.map((e) => e.organizationId)}::uuid[], ${events.map((e) => e.channel)}::text[], ${events.map((e) => e.transactionId)}::text[]))`,
    )
    .execute();
}

/** The organizations whose books hold these subscribers' wallets and invoices. */
export async function organizationsOfSubscribers(db: Db, subscriberIds: readonly string[]): Promise<Map<string, string>> {
  if (subscriberIds.length === 0) return new Map();
  const rows = await db.selectFrom('subscribers').select(['id', 'organization_id']).where(sql<boolean>`id = any(${[...subscriberIds]}::uuid[])`).execute();
  return new Map(rows.map((r) => [r.id, r.organization_id]));
}

export async function insertPayments(trx: Transaction<DB>, values: readonly Insertable<PaymentsTable>[]): Promise<Payment[]> {
  return values.length === 0 ? [] : trx.insertInto('payments').values([...values]).returningAll().execute();
}

export function findByEvent(db: Db, organizationId: string, channel: string, transactionId: string): Promise<Payment | undefined> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('channel', '=', channel)
    .where('transaction_id', '=', transactionId)
    .executeTakeFirst();
}

/** The organization whose books hold the subscriber's wallet and invoices. */
export async function organizationOfSubscriber(db: Db, subscriberId: string): Promise<string | undefined> {
  const row = await db.selectFrom('subscribers').select('organization_id').where('id', '=', subscriberId).executeTakeFirst();
  return row?.organization_id;
}

export function insertPayment(trx: Transaction<DB>, values: Insertable<PaymentsTable>): Promise<Payment> {
  return trx.insertInto('payments').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Points a payment at the journal entry that recorded its money. */
export async function setEntry(trx: Transaction<DB>, id: string, entryId: string): Promise<void> {
  await trx.updateTable('payments').set({ entry_id: entryId }).where('id', '=', id).execute();
}

export function lockPayment(trx: Transaction<DB>, id: string): Promise<Payment | undefined> {
  return trx.selectFrom('payments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function markMatched(trx: Transaction<DB>, id: string, values: { subscriberId: string; at: Date; by: string | null }): Promise<Payment> {
  return trx
    .updateTable('payments')
    .set({ subscriber_id: values.subscriberId, status: 'applied', matched_at: values.at, matched_by: values.by })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** What a payment paid, invoice by invoice. */
export function allocationsOf(db: Db, paymentIds: readonly string[]) {
  if (paymentIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('invoice_allocations as a')
    .innerJoin('invoices as i', 'i.id', 'a.invoice_id')
    .select(['a.source_id as payment_id', 'a.invoice_id', 'i.number as invoice_number', 'a.amount', 'a.created_at'])
    .where('a.source', '=', 'payment')
    .where('a.source_id', 'in', paymentIds)
    .orderBy('a.id')
    .execute();
}

/** The organization and its subtree: the subscribers a paybill or till of this organization may pay for. */
const subtree = (organizationId: string) => sql<string>`(select o.id from organizations o where o.path like (select p.path from organizations p where p.id = ${organizationId}) || '%')`;

/**
 * What references name, looked up for many at once (one statement per kind of reference): an
 * account number (any case), an invoice number (any case; that invoice), a subscription's login,
 * a phone (the contact whose digits end with the same nine national digits: 0712…, +254712…,
 * 254712… are one number). A subscriber counts only when the reference names exactly one; each
 * lookup answers by the reference as given.
 */
export async function subscribersByAccountNumbers(db: Db, organizationId: string, refs: readonly string[]): Promise<Map<string, { id: string; organizationId: string }>> {
  if (refs.length === 0) return new Map();
  const rows = await db
    .selectFrom('subscribers')
    .select([sql<string>`lower(account_number)`.as('ref'), sql<string>`min(id::text)`.as('id'), sql<string>`min(organization_id::text)`.as('organization_id'), sql<string>`count(*)`.as('n')])
    .where(sql<boolean>`lower(account_number) = any(${refs.map((r) => r.toLowerCase())}::text[])`)
    .where(sql<boolean>`organization_id in ${subtree(organizationId)}`)
    .groupBy(sql`lower(account_number)`)
    .execute();
  const found = new Map(rows.filter((r) => Number(r.n) === 1).map((r) => [r.ref, { id: r.id, organizationId: r.organization_id }]));
  return new Map(refs.flatMap((r) => (found.has(r.toLowerCase()) ? [[r, found.get(r.toLowerCase())!] as const] : [])));
}

export async function invoicesByNumbers(db: Db, organizationId: string, refs: readonly string[]): Promise<Map<string, Pick<Invoice, 'id' | 'subscriber_id' | 'currency'>>> {
  if (refs.length === 0) return new Map();
  const rows = await sql<Pick<Invoice, 'id' | 'subscriber_id' | 'currency'> & { ref: string }>`
    select distinct on (lower(number)) lower(number) as ref, id, subscriber_id, currency from invoices
     where lower(number) = any(${refs.map((r) => r.toLowerCase())}::text[]) and kind = 'invoice' and organization_id in ${subtree(organizationId)}
     order by lower(number), id`.execute(db);
  const found = new Map(rows.rows.map((r) => [r.ref, { id: r.id, subscriber_id: r.subscriber_id, currency: r.currency }]));
  return new Map(refs.flatMap((r) => (found.has(r.toLowerCase()) ? [[r, found.get(r.toLowerCase())!] as const] : [])));
}

export async function subscribersByLogins(db: Db, organizationId: string, refs: readonly string[]): Promise<Map<string, string>> {
  if (refs.length === 0) return new Map();
  const rows = await db
    .selectFrom('subscriptions')
    .select(['username as ref', sql<string>`min(subscriber_id::text)`.as('id'), sql<string>`count(distinct subscriber_id)`.as('n')])
    .where(sql<boolean>`username = any(${[...refs]}::text[])`)
    .where(sql<boolean>`organization_id in ${subtree(organizationId)}`)
    .groupBy('username')
    .execute();
  return new Map(rows.filter((r) => Number(r.n) === 1).map((r) => [r.ref!, r.id]));
}

/** The nine national digits a phone is matched by, or undefined for what is too short to be one. */
export function phoneTail(phone: string): string | undefined {
  const digits = phone.replace(/\D/g, '');
  return digits.length < 9 ? undefined : digits.slice(-9);
}

export async function subscribersByPhones(db: Db, organizationId: string, phones: readonly string[]): Promise<Map<string, string>> {
  const tails = [...new Set(phones.map(phoneTail).filter((t): t is string => t !== undefined))];
  if (tails.length === 0) return new Map();
  const rows = await sql<{ tail: string; id: string; n: string }>`
    select right(regexp_replace(c.value, '\\D', '', 'g'), 9) as tail, min(s.id::text) as id, count(distinct s.id) as n
      from subscriber_contacts c join subscribers s on s.id = c.subscriber_id
     where c.kind in ('phone', 'whatsapp') and right(regexp_replace(c.value, '\\D', '', 'g'), 9) = any(${tails}::text[])
       and s.organization_id in ${subtree(organizationId)}
     group by 1`.execute(db);
  const found = new Map(rows.rows.filter((r) => Number(r.n) === 1).map((r) => [r.tail, r.id]));
  return new Map(phones.flatMap((p) => (found.has(phoneTail(p) ?? '') ? [[p, found.get(phoneTail(p)!)!] as const] : [])));
}

/** A subscriber by phone (see subscribersByPhones); only an unambiguous match counts. */
export async function subscriberByPhone(db: Db, organizationId: string, phone: string): Promise<string | undefined> {
  return (await subscribersByPhones(db, organizationId, [phone])).get(phone);
}

// ---- staff views: the list, one payment, the reports ----

export const paymentSort: SortSpec = {
  fields: { received_at: 'payments.received_at', amount: 'payments.amount', receipt_no: 'payments.receipt_no', created_at: 'payments.created_at' },
  default: '-received_at',
  id: 'payments.id',
};

export type ListedPayment = Payment & { subscriber_name: string | null; account_number: string | null; collector_name: string | null };

/**
 * Payments in the scope: those its organizations collected, and those collected by another (an
 * ISP's paybill) for its subscribers, which a reseller sees but does not act on (lockInScope). The
 * condition comes before the joins, where its types are the table's own.
 */
function withNames(db: Db, scope: Scope) {
  return db
    .selectFrom('payments')
    .where((eb) => eb.or([inScope(scope, 'payments.organization_id')(eb), eb('payments.subscriber_id', 'in', eb.selectFrom('subscribers').select('subscribers.id').where(inScope(scope, 'subscribers.organization_id')))]))
    .leftJoin('subscribers as s', 's.id', 'payments.subscriber_id')
    .leftJoin('users as c', 'c.id', 'payments.collector_id')
    .selectAll('payments')
    .select(['s.name as subscriber_name', 's.account_number as account_number', 'c.name as collector_name']);
}

/** Day boundaries in the organization's time zone: `from` at 00:00 and the day after `to` at 00:00. */
const dayStart = (day: string, timezone: string) => sql<Date>`(${day}::date::timestamp at time zone ${timezone})`;

export interface PaymentFilters {
  channel?: string[];
  status?: string[];
  collectorId?: string;
  subscriberId?: string;
  organizationId?: string;
  from?: string;
  to?: string;
  q?: string;
}

export function list(db: Db, scope: Scope, timezone: string, query: PaymentFilters & ListQuery): Promise<ListedPayment[]> {
  let q = withNames(db, scope);
  if (query.channel?.length) q = q.where('payments.channel', 'in', query.channel);
  if (query.status?.length) q = q.where('payments.status', 'in', query.status as PaymentStatus[]);
  if (query.collectorId) q = q.where('payments.collector_id', '=', query.collectorId);
  if (query.subscriberId) q = q.where('payments.subscriber_id', '=', query.subscriberId);
  if (query.organizationId) q = q.where(sql<boolean>`payments.organization_id in ${subtree(query.organizationId)}`);
  if (query.from) q = q.where('payments.received_at', '>=', dayStart(query.from, timezone));
  if (query.to) q = q.where('payments.received_at', '<', sql<Date>`(((${query.to}::date + 1)::timestamp) at time zone ${timezone})`);
  if (query.q) {
    const text = query.q.trim();
    const like = likeContains(text);
    const receipt = /^(?:R-?)?0*(\d{1,18})$/i.exec(text);
    const digits = text.replace(/\D/g, '');
    q = q.where((eb) =>
      eb.or([
        eb('payments.transaction_id', 'ilike', like),
        eb('payments.reference', 'ilike', like),
        eb('payments.payer_name', 'ilike', like),
        ...(receipt ? [eb('payments.receipt_no', '=', BigInt(receipt[1]!))] : []),
        ...(digits.length >= 6 ? [eb(sql`regexp_replace(payments.payer_phone, '\\D', '', 'g')`, 'like', `%${digits.slice(-9)}`)] : []),
      ]),
    );
  }
  return keyset(q, paymentSort, query).execute() as Promise<ListedPayment[]>;
}

export function findInScope(db: Db, scope: Scope, id: string): Promise<ListedPayment | undefined> {
  return withNames(db, scope).where('payments.id', '=', id).executeTakeFirst() as Promise<ListedPayment | undefined>;
}

export function lockInScope(trx: Transaction<DB>, scope: Scope, id: string): Promise<Payment | undefined> {
  return trx.selectFrom('payments').selectAll().where('id', '=', id).where(inScope(scope, 'payments.organization_id')).forUpdate().executeTakeFirst();
}

export function markReversed(trx: Transaction<DB>, id: string): Promise<Payment> {
  return trx.updateTable('payments').set({ status: 'reversed' }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** The journal entries of a payment (received, matched, reversals of either) with their lines and accounts. */
export async function entriesOf(db: Db, paymentId: string, entryId: string) {
  const ids = await db
    .selectFrom('journal_entries')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('id', '=', entryId),
        eb('idempotency_key', '=', `payment-match:${paymentId}`),
        eb('reverses_entry_id', 'in', eb.selectFrom('journal_entries as m').select('m.id').where((e) => e.or([e('m.id', '=', entryId), e('m.idempotency_key', '=', `payment-match:${paymentId}`)]))),
      ]),
    )
    .execute();
  if (ids.length === 0) return [];
  const entries = await db.selectFrom('journal_entries').selectAll().where('id', 'in', ids.map((i) => i.id)).orderBy('seq').execute();
  const lines = await db
    .selectFrom('journal_lines as l')
    .innerJoin('ledger_accounts as a', 'a.id', 'l.account_id')
    .select(['l.entry_id', 'l.line_no', 'l.amount', 'l.currency', 'a.code', 'a.name', 'a.system_key'])
    .where('l.entry_id', 'in', entries.map((e) => e.id))
    .orderBy('l.entry_id')
    .orderBy('l.line_no')
    .execute();
  return entries.map((e) => ({ ...e, lines: lines.filter((l) => l.entry_id === e.id) }));
}

/** A user of the organization's tree (or above it) who may be named as a payment's collector. */
export function collectorFor(db: Db, userId: string, organizationPath: string) {
  return db
    .selectFrom('users as u')
    .innerJoin('organizations as o', 'o.id', 'u.organization_id')
    .select(['u.id', 'u.name'])
    .where('u.id', '=', userId)
    .where('u.status', '=', 'active')
    .where(sql<boolean>`${organizationPath} like o.path || '%'`)
    .executeTakeFirst();
}

export interface ReportRow {
  key: string | null;
  label: string | null;
  count: number;
  amount: bigint;
  refunded: bigint;
}

/**
 * Payments received in the day range (organization time) in one currency in an organization's
 * subtree, grouped by channel, collector or day. Reversed payments (chargebacks, cancelled entries)
 * did not bring money in and are left out.
 */
export async function reportRows(db: Db, o: { organizationId: string; currency: string; from: string; to: string; timezone: string; by: 'channel' | 'collector' | 'day' }): Promise<ReportRow[]> {
  const key =
    o.by === 'channel' ? sql<string>`p.channel` : o.by === 'collector' ? sql<string>`p.collector_id::text` : sql<string>`to_char(p.received_at at time zone ${o.timezone}, 'YYYY-MM-DD')`;
  const label = o.by === 'collector' ? sql<string>`max(u.name)` : sql<string>`null`;
  const { rows } = await sql<{ key: string | null; label: string | null; count: string; amount: string; refunded: string }>`
    select ${key} as key, ${label} as label, count(*)::text as count, sum(p.amount)::text as amount, sum(p.amount_refunded)::text as refunded
      from payments p left join users u on u.id = p.collector_id
     where p.organization_id in ${subtree(o.organizationId)}
       and p.currency = ${o.currency}
       and p.status <> 'reversed'
       and p.received_at >= ${dayStart(o.from, o.timezone)}
       and p.received_at < (((${o.to}::date + 1)::timestamp) at time zone ${o.timezone})
     group by 1
     order by ${o.by === 'day' ? sql`1` : sql`sum(p.amount) desc, 1`}`.execute(db);
  return rows.map((r) => ({ key: r.key, label: r.label, count: Number(r.count), amount: BigInt(r.amount), refunded: BigInt(r.refunded) }));
}

/**
 * The subscriber's wallet balance just after the payment: every wallet movement up to the last entry
 * the payment made (received, matched, invoices paid). A wallet is a liability: credits are balance.
 */
export async function walletBalanceAfter(db: Db, payment: Payment): Promise<bigint> {
  if (!payment.subscriber_id) return 0n;
  const { rows } = await sql<{ balance: string | null }>`
    select coalesce(-sum(l.amount), 0)::text as balance
      from journal_lines l
      join ledger_accounts a on a.id = l.account_id
      join journal_entries e on e.id = l.entry_id
     where a.organization_id = ${payment.organization_id} and a.system_key = 'subscriber_wallet'
       and a.owner_id = ${payment.subscriber_id} and a.currency = ${payment.currency}
       and e.seq <= (select max(m.seq) from journal_entries m
                      where m.organization_id = ${payment.organization_id}
                        and (m.id = ${payment.entry_id} or m.idempotency_key = ${`payment-match:${payment.id}`}
                             or m.idempotency_key like ${`payment-allocation:${payment.id}:%`}))`.execute(db);
  return BigInt(rows[0]?.balance ?? '0');
}
