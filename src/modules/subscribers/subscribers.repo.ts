import { sql, type Insertable, type Kysely, type Transaction, type Updateable, type SelectQueryBuilder } from 'kysely';
import type { DB, SubscriberAddressesTable, SubscriberContactsTable, SubscribersTable, SubscriberStatus } from '../../platform/db/schema.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';
import { phoneSearchTerm } from './phones.ts';
import type { SubscriberFilters, SubscriberListQuery, SubscriberRow } from './subscribers.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export const subscriberSort: SortSpec = {
  fields: { name: 'subscribers.name', account_number: 'subscribers.account_number', created_at: 'subscribers.created_at', updated_at: 'subscribers.updated_at' },
  default: 'name',
  id: 'subscribers.id',
};

const primaryContact = (kind: 'phone' | 'email') =>
  sql<string | null>`(select c.value from subscriber_contacts c where c.subscriber_id = subscribers.id and c.kind = ${kind} order by c.is_primary desc, c.created_at, c.id limit 1)`;

function selectSubscribers(db: Db, scope: Scope) {
  return db
    .selectFrom('subscribers')
    .selectAll('subscribers')
    .select([primaryContact('phone').as('phone'), primaryContact('email').as('email')])
    .where(inScope(scope, 'subscribers.organization_id'));
}

/** Search and list filters; every word of the search must appear (phone-like text matches as bare digits). */
function filtered<O>(q: SelectQueryBuilder<DB, 'subscribers', O>, f: SubscriberFilters): SelectQueryBuilder<DB, 'subscribers', O> {
  let out = q;
  if (f.status) out = out.where('subscribers.status', '=', f.status);
  if (f.organizationId) out = out.where('subscribers.organization_id', '=', f.organizationId);
  if (f.assignedUserId) out = out.where('subscribers.assigned_user_id', '=', f.assignedUserId);
  if (f.tag) out = out.where(sql<boolean>`subscribers.tags @> array[${f.tag}]::text[]`);
  for (const term of searchTerms(f.q)) out = out.where('subscribers.search_text', 'like', likeContains(term));
  return out;
}

/** The fragments a search must all find: phone-like text as its bare digits, other text word by word. */
function searchTerms(q: string | undefined): string[] {
  if (!q) return [];
  const phone = phoneSearchTerm(q);
  return phone ? [phone] : q.toLowerCase().split(/\s+/).filter(Boolean);
}

export function findInScope(db: Db, scope: Scope, id: string): Promise<SubscriberRow | undefined> {
  return selectSubscribers(db, scope).where('subscribers.id', '=', id).executeTakeFirst();
}

/** Locks the subscriber's row for the rest of the transaction (status changes, edits and bulk actions queue). */
export function lockInScope(trx: Transaction<DB>, scope: Scope, ids: readonly string[]): Promise<SubscriberRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return selectSubscribers(trx, scope).where('subscribers.id', 'in', ids).orderBy('subscribers.id').forUpdate('subscribers').execute();
}

/** Searches list the newest first unless asked otherwise (the order a search at a million subscribers answers fastest); plain lists go by name. */
export const withDefaultSort = <Q extends { q?: string; sort?: string }>(query: Q): Q => ({ ...query, sort: query.sort ?? (query.q ? '-created_at' : 'name') });

/** How many of the newest subscribers a search first looks through in the creation-time index. */
const RECENT = 20_000;

/**
 * A page of subscribers. A search for a common fragment ("kama" among a million) would fetch and
 * sort every match through the trigram index; instead it first looks through the newest
 * subscribers in the creation-time index, which carries the search text, and when those hold a
 * full page that page is the answer (the same rows, in the same order, as the whole query). Rarer
 * fragments, too few there, go to the trigram index, where matches are few.
 */
export async function list(db: Db, scope: Scope, query: SubscriberListQuery): Promise<SubscriberRow[]> {
  // A whole account number finds its account at once: the trigrams a numbering format shares ("kil-000")
  // are in every row, so the trigram index is at its slowest for exactly this search.
  const term = query.q?.toLowerCase();
  if (term && !query.cursor && /^\S*\d\S*$/.test(term)) {
    const exact = await filtered(selectSubscribers(db, scope), { ...query, q: undefined })
      .where(sql<string>`lower(subscribers.account_number)`, '=', term)
      .limit(query.limit)
      .execute();
    if (exact.length > 0) return exact;
  }
  const sort = query.sort ?? subscriberSort.default;
  const whole = () => keyset(filtered(selectSubscribers(db, scope), query), subscriberSort, query).execute();
  if (!query.q || !sort.endsWith('created_at') || query.status || query.tag || query.assignedUserId) return whole();
  let recent = db
    .selectFrom('subscribers')
    .select(['subscribers.id', 'subscribers.created_at', 'subscribers.search_text'])
    .where(inScope(scope, 'subscribers.organization_id'));
  if (query.organizationId) recent = recent.where('subscribers.organization_id', '=', query.organizationId);
  let found = db.selectFrom(keyset(recent, subscriberSort, { ...query, limit: RECENT - 1 }).as('r')).select('r.id');
  for (const t of searchTerms(query.q)) found = found.where('r.search_text', 'like', likeContains(t));
  const dir = sort.startsWith('-') ? 'desc' : 'asc';
  const ids = (await found.orderBy('r.created_at', dir).orderBy('r.id', dir).limit(query.limit + 1).execute()).map((r) => r.id);
  if (ids.length <= query.limit) return whole();
  const rows = new Map((await selectSubscribers(db, scope).where('subscribers.id', 'in', ids).execute()).map((r) => [r.id, r]));
  return ids.flatMap((id) => rows.get(id) ?? []);
}

/** The ids a filter selects (bulk actions), at most `limit`. */
export async function idsMatching(db: Db, scope: Scope, filters: SubscriberFilters, limit: number): Promise<string[]> {
  const q = filtered(db.selectFrom('subscribers').select('subscribers.id').where(inScope(scope, 'subscribers.organization_id')), filters);
  return (await q.orderBy('subscribers.id').limit(limit).execute()).map((r) => r.id);
}

export function insert(db: Db, values: Insertable<SubscribersTable>): Promise<{ id: string }> {
  return db.insertInto('subscribers').values(values).returning('id').executeTakeFirstOrThrow();
}

export async function insertMany(db: Db, values: Insertable<SubscribersTable>[]): Promise<string[]> {
  if (values.length === 0) return [];
  return (await db.insertInto('subscribers').values(values).returning('id').execute()).map((r) => r.id);
}

export async function update(db: Db, ids: readonly string[], values: Updateable<SubscribersTable>): Promise<void> {
  if (ids.length > 0) await db.updateTable('subscribers').set(values).where('id', 'in', ids).execute();
}

export async function remove(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('subscribers').where('id', 'in', ids).execute();
}

/** Moves the organization's counter on by `count` and answers the format and the new last number. */
export async function advanceSequence(trx: Transaction<DB>, organizationId: string, count: number): Promise<{ format: string; last: bigint }> {
  const row = await trx
    .insertInto('subscriber_sequences')
    .values({ organization_id: organizationId, last_number: BigInt(count) })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet({ last_number: sql`subscriber_sequences.last_number + ${count}` }))
    .returning(['format', 'last_number'])
    .executeTakeFirstOrThrow();
  return { format: row.format, last: row.last_number };
}

export function findSequence(db: Db, organizationId: string) {
  return db.selectFrom('subscriber_sequences').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
}

export async function setSequenceFormat(db: Db, organizationId: string, format: string): Promise<void> {
  await db
    .insertInto('subscriber_sequences')
    .values({ organization_id: organizationId, format })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet({ format }))
    .execute();
}

export async function takenAccountNumbers(db: Db, organizationId: string, numbers: readonly string[]): Promise<Set<string>> {
  if (numbers.length === 0) return new Set();
  const rows = await db.selectFrom('subscribers').select('account_number').where('organization_id', '=', organizationId).where('account_number', 'in', numbers).execute();
  return new Set(rows.map((r) => r.account_number));
}

export function contactsOf(db: Db, subscriberIds: readonly string[]) {
  if (subscriberIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('subscriber_contacts').selectAll().where('subscriber_id', 'in', subscriberIds).orderBy('kind').orderBy('is_primary', 'desc').orderBy('created_at').orderBy('id').execute();
}

export function addressesOf(db: Db, subscriberId: string) {
  return db.selectFrom('subscriber_addresses').selectAll().where('subscriber_id', '=', subscriberId).orderBy('is_installation', 'desc').orderBy('created_at').orderBy('id').execute();
}

/** Makes the subscriber's contacts exactly `rows`: rows with an id of the subscriber's are updated, others inserted, the rest removed. */
export async function replaceContacts(trx: Transaction<DB>, subscriberId: string, rows: (Omit<Insertable<SubscriberContactsTable>, 'subscriber_id'> & { id?: string })[]): Promise<void> {
  const keep = rows.flatMap((r) => (r.id ? [r.id] : []));
  let del = trx.deleteFrom('subscriber_contacts').where('subscriber_id', '=', subscriberId);
  if (keep.length) del = del.where('id', 'not in', keep);
  await del.execute();
  // Primary flags are unique per kind: clear them before the new set takes its own.
  await trx.updateTable('subscriber_contacts').set({ is_primary: false }).where('subscriber_id', '=', subscriberId).execute();
  for (const { id, ...values } of rows) {
    if (id) await trx.updateTable('subscriber_contacts').set(values).where('id', '=', id).where('subscriber_id', '=', subscriberId).execute();
    else await trx.insertInto('subscriber_contacts').values({ ...values, subscriber_id: subscriberId }).execute();
  }
}

export async function insertContacts(db: Db, rows: Insertable<SubscriberContactsTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('subscriber_contacts').values(rows).execute();
}

export async function replaceAddresses(trx: Transaction<DB>, subscriberId: string, rows: (Omit<Insertable<SubscriberAddressesTable>, 'subscriber_id'> & { id?: string })[]): Promise<void> {
  const keep = rows.flatMap((r) => (r.id ? [r.id] : []));
  let del = trx.deleteFrom('subscriber_addresses').where('subscriber_id', '=', subscriberId);
  if (keep.length) del = del.where('id', 'not in', keep);
  await del.execute();
  for (const { id, ...values } of rows) {
    if (id) await trx.updateTable('subscriber_addresses').set(values).where('id', '=', id).where('subscriber_id', '=', subscriberId).execute();
    else await trx.insertInto('subscriber_addresses').values({ ...values, subscriber_id: subscriberId }).execute();
  }
}

export async function insertAddresses(db: Db, rows: Insertable<SubscriberAddressesTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('subscriber_addresses').values(rows).execute();
}

export async function setSearchText(db: Db, id: string, searchText: string): Promise<void> {
  await db.updateTable('subscribers').set({ search_text: searchText }).where('id', '=', id).execute();
}

export async function insertStatusChanges(
  db: Db,
  rows: { subscriber_id: string; from_status: SubscriberStatus | null; to_status: SubscriberStatus; reason: string; at: Date; changed_by: string | null }[],
): Promise<void> {
  if (rows.length > 0) await db.insertInto('subscriber_status_history').values(rows).execute();
}

export function statusHistory(db: Db, subscriberId: string) {
  return db
    .selectFrom('subscriber_status_history as h')
    .leftJoin('users as u', 'u.id', 'h.changed_by')
    .select(['h.id', 'h.from_status', 'h.to_status', 'h.reason', 'h.at', 'u.id as user_id', 'u.name as user_name'])
    .where('h.subscriber_id', '=', subscriberId)
    .orderBy('h.id', 'desc')
    .limit(500)
    .execute();
}

export function insertNote(db: Db, values: { subscriber_id: string; body: string; author_id: string | null; created_at: Date }) {
  return db.insertInto('subscriber_notes').values(values).returningAll().executeTakeFirstOrThrow();
}

export function notesOf(db: Db, subscriberId: string) {
  return db
    .selectFrom('subscriber_notes as n')
    .leftJoin('users as u', 'u.id', 'n.author_id')
    .select(['n.id', 'n.body', 'n.created_at', 'u.id as user_id', 'u.name as user_name'])
    .where('n.subscriber_id', '=', subscriberId)
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id', 'desc')
    .limit(500)
    .execute();
}

/** The subscribers (of those given) that have KYC documents on file. */
export async function withDocuments(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('subscriber_documents').select('subscriber_id').distinct().where('subscriber_id', 'in', ids).execute();
  return new Set(rows.map((r) => r.subscriber_id));
}

/** A staff member the caller may assign (in the caller's subtree). */
export function userInScope(db: Db, scope: Scope, id: string) {
  return db.selectFrom('users').select(['id', 'name', 'email']).where('id', '=', id).where(inScope(scope, 'users.organization_id')).executeTakeFirst();
}

export function usersByEmail(db: Db, scope: Scope, emails: readonly string[]) {
  if (emails.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'email'])
    .where((eb) => eb(eb.fn('lower', ['email']), 'in', emails.map((e) => e.toLowerCase())))
    .where(inScope(scope, 'users.organization_id'))
    .execute();
}

/**
 * Active subscribers whose scheduled suspension day has come in their organization's time zone,
 * locked (skipping rows another worker holds), at most `limit`.
 */
export function dueSuspensions(trx: Transaction<DB>, now: Date, limit: number) {
  return trx
    .selectFrom('subscribers')
    .innerJoin('organizations', 'organizations.id', 'subscribers.organization_id')
    .select(['subscribers.id', 'subscribers.organization_id', 'subscribers.suspend_on', 'subscribers.suspend_reason', 'organizations.path'])
    .where('subscribers.status', '=', 'active')
    .where('subscribers.suspend_on', 'is not', null)
    .where(sql<boolean>`subscribers.suspend_on <= (${now}::timestamptz at time zone organizations.timezone)::date`)
    .orderBy('subscribers.id')
    .limit(limit)
    .forUpdate('subscribers')
    .skipLocked()
    .execute();
}

/** The network identifiers of the subscriber's subscriptions (ended ones too: "who had this IP?"), for its search text. */
export function serviceIdentifiers(db: Db, subscriberId: string) {
  return db
    .selectFrom('subscriptions')
    .select(['username', 'mac_address', sql<string | null>`host(static_ipv4)`.as('static_ipv4'), sql<string | null>`static_ipv6_prefix::text`.as('static_ipv6_prefix')])
    .where('subscriber_id', '=', subscriberId)
    .orderBy('created_at')
    .execute();
}
