import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB, JournalEntry, LedgerAccount, LedgerAccountsTable } from '../../platform/db/schema.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { inScope, orgInScope, type Scope } from '../../platform/tenancy/scope.ts';
import type { AccountListQuery, EntryListQuery, StatementQuery } from './ledger.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export type AccountWithBalance = LedgerAccount & { balance: bigint };

/** A line with the account it was posted to, as statements and entries show it. */
export interface EntryLineRow {
  id: bigint;
  entry_id: string;
  line_no: number;
  account_id: string;
  currency: string;
  amount: bigint;
  account_code: string;
  account_name: string;
}

export interface AccountKeyColumns {
  organizationId: string;
  systemKey: string;
  currency: string;
  ownerType: string | null;
  ownerId: string | null;
}

/** The organization whose books a request works on, if the caller's scope reaches it. */
export function organizationInScope(db: Db, scope: Scope, id: string): Promise<{ id: string; path: string; currency: string } | undefined> {
  return db.selectFrom('organizations').select(['id', 'path', 'currency']).where('id', '=', id).where(orgInScope(scope)).executeTakeFirst();
}

/** An account's balance: the sum of its balance rows (shards; see migration 20261122T0600). */
const balanceOf = (accountColumn: string) => sql<bigint>`(select coalesce(sum(b.balance), 0)::bigint from ledger_balances b where b.account_id = ${sql.ref(accountColumn)})`;

function accountsWithBalance(db: Db) {
  return db.selectFrom('ledger_accounts').selectAll('ledger_accounts').select(balanceOf('ledger_accounts.id').as('balance'));
}

export function findAccount(db: Db, id: string): Promise<AccountWithBalance | undefined> {
  return accountsWithBalance(db).where('ledger_accounts.id', '=', id).executeTakeFirst();
}

export function findAccountInScope(db: Db, scope: Scope, id: string): Promise<AccountWithBalance | undefined> {
  return accountsWithBalance(db).where('ledger_accounts.id', '=', id).where(inScope(scope, 'ledger_accounts.organization_id')).executeTakeFirst();
}

export function findAccountByKey(db: Db, key: AccountKeyColumns): Promise<LedgerAccount | undefined> {
  let q = db
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('organization_id', '=', key.organizationId)
    .where('system_key', '=', key.systemKey)
    .where('currency', '=', key.currency);
  q = key.ownerId === null ? q.where('owner_id', 'is', null) : q.where('owner_type', '=', key.ownerType).where('owner_id', '=', key.ownerId);
  return q.executeTakeFirst();
}

/** Many accounts by their keys in one statement (those that exist; the caller matches them back by key). */
export function findAccountsByKeys(db: Db, keys: readonly AccountKeyColumns[]): Promise<LedgerAccount[]> {
  const owned = keys.filter((k) => k.ownerId !== null);
  const own = keys.filter((k) => k.ownerId === null);
  if (keys.length === 0) return Promise.resolve([]);
  // Two arms, so each uses its own partial unique index (owned accounts, organization-level ones).
  return sql<LedgerAccount>`
    select a.* from ledger_accounts a
      join unnest(${owned.map((k) => k.organizationId)}::uuid[], ${owned.map((k) => k.systemKey)}::text[], ${owned.map((k) => k.currency)}::text[],
                  ${owned.map((k) => k.ownerType)}::text[], ${owned.map((k) => k.ownerId)}::uuid[]) as k(organization_id, system_key, currency, owner_type, owner_id)
        on a.organization_id = k.organization_id and a.system_key = k.system_key and a.owner_type = k.owner_type and a.owner_id = k.owner_id and a.currency = k.currency
     where a.owner_id is not null
    union all
    select a.* from ledger_accounts a
      join unnest(${own.map((k) => k.organizationId)}::uuid[], ${own.map((k) => k.systemKey)}::text[], ${own.map((k) => k.currency)}::text[]) as k(organization_id, system_key, currency)
        on a.organization_id = k.organization_id and a.system_key = k.system_key and a.currency = k.currency
     where a.owner_id is null`
    .execute(db)
    .then((r) => r.rows);
}

/** Inserts the accounts that do not exist yet (two callers opening the same account both succeed). */
export async function insertAccounts(db: Db, rows: Insertable<LedgerAccountsTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('ledger_accounts').values(rows).onConflict((oc) => oc.doNothing()).execute();
}

export function accountsOfOrganization(db: Db, organizationId: string, currency: string, systemKeys: readonly string[]): Promise<LedgerAccount[]> {
  return db
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('currency', '=', currency)
    .where('owner_id', 'is', null)
    .where('system_key', 'in', [...systemKeys])
    .orderBy('code')
    .execute();
}

export function updateCreditLimit(db: Db, id: string, creditLimit: bigint | null): Promise<LedgerAccount> {
  return db.updateTable('ledger_accounts').set({ credit_limit: creditLimit }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/**
 * Locks the balance rows of the accounts with a credit limit (in id order, the order the line
 * trigger uses, so two postings queue rather than deadlock) and answers all the accounts with their
 * balances, those of the limited ones under the lock. Accounts without a limit are not locked here:
 * nothing is checked against their balance, and the line trigger locks the one shard it moves.
 */
export async function lockAccounts(trx: Transaction<DB>, ids: readonly string[]): Promise<AccountWithBalance[]> {
  await sql`select b.account_id from ledger_balances b
     where b.account_id = any(${[...ids]}::uuid[]) and b.shard = 0
       and exists (select 1 from ledger_accounts a where a.id = b.account_id and a.credit_limit is not null)
     order by b.account_id for update of b`.execute(trx);
  return accountsWithBalance(trx)
    .where(sql<boolean>`ledger_accounts.id = any(${[...ids]}::uuid[])`)
    .orderBy('ledger_accounts.id')
    .execute();
}

export interface LockedWallet {
  subscriber_id: string;
  account_id: string;
  /** Natural balance plus the credit limit: what a deduction may take. */
  available: bigint;
}

/** Locks the subscribers' wallet balances in account order (the ledger trigger's order) and answers what each may pay. */
export async function lockWallets(trx: Transaction<DB>, organizationId: string, currency: string, subscriberIds: readonly string[]): Promise<LockedWallet[]> {
  if (subscriberIds.length === 0) return [];
  const r = await sql<LockedWallet>`
    select a.owner_id as subscriber_id, a.id as account_id, (-b.balance + coalesce(a.credit_limit, 0))::bigint as available
      from ledger_accounts a join ledger_balances b on b.account_id = a.id and b.shard = 0
     where a.organization_id = ${organizationId} and a.system_key = 'subscriber_wallet' and a.owner_type = 'subscriber'
       and a.currency = ${currency} and a.owner_id = any(${[...subscriberIds]}::uuid[])
     order by a.id
     for update of b`.execute(trx);
  return r.rows;
}

export function findEntry(db: Db, id: string): Promise<JournalEntry | undefined> {
  return db.selectFrom('journal_entries').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findEntryInScope(db: Db, scope: Scope, id: string): Promise<JournalEntry | undefined> {
  return db.selectFrom('journal_entries').selectAll().where('id', '=', id).where(inScope(scope, 'journal_entries.organization_id')).executeTakeFirst();
}

/** Ids of the entries that reverse the given ones. */
export async function reversalsOf(db: Db, entryIds: readonly string[]): Promise<Map<string, string>> {
  if (entryIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('journal_entries')
    .select(['id', 'reverses_entry_id'])
    .where(sql<boolean>`reverses_entry_id = any(${[...entryIds]}::uuid[])`)
    .execute();
  return new Map(rows.map((r) => [r.reverses_entry_id!, r.id]));
}

export async function linesOf(db: Db, entryIds: readonly string[]): Promise<EntryLineRow[]> {
  if (entryIds.length === 0) return [];
  return db
    .selectFrom('journal_lines')
    .innerJoin('ledger_accounts', 'ledger_accounts.id', 'journal_lines.account_id')
    .selectAll('journal_lines')
    .select(['ledger_accounts.code as account_code', 'ledger_accounts.name as account_name'])
    .where(sql<boolean>`journal_lines.entry_id = any(${[...entryIds]}::uuid[])`)
    .orderBy('journal_lines.entry_id')
    .orderBy('journal_lines.line_no')
    .execute();
}

export async function findEntriesByKeys(db: Db, keys: readonly { organizationId: string; idempotencyKey: string }[]): Promise<JournalEntry[]> {
  if (keys.length === 0) return [];
  const r = await sql<JournalEntry>`select e.* from journal_entries e
    join unnest(${keys.map((k) => k.organizationId)}::uuid[], ${keys.map((k) => k.idempotencyKey)}::text[]) as k(organization_id, idempotency_key)
      on e.organization_id = k.organization_id and e.idempotency_key = k.idempotency_key`.execute(db);
  return r.rows;
}

export interface NewEntryRow {
  id: string;
  organization_id: string;
  kind: string;
  memo: string;
  occurred_at: Date;
  posted_at: Date;
  idempotency_key: string;
  reverses_entry_id: string | null;
  created_by: string | null;
}

export interface NewLineRow {
  entry_id: string;
  line_no: number;
  account_id: string;
  currency: string;
  amount: bigint;
}

/**
 * Writes entries and their lines in one statement: the entries whose key is new, and the lines of
 * those alone (a key already used writes nothing). Answers the entries written. The ledger's
 * statement trigger on the lines runs after the whole statement, so it sees the entries.
 */
export async function insertEntriesWithLines(trx: Transaction<DB>, rows: readonly NewEntryRow[], lines: readonly NewLineRow[]): Promise<JournalEntry[]> {
  if (rows.length === 0) return [];
  const col = <K extends keyof NewEntryRow>(k: K) => rows.map((r) => r[k]);
  const r = await sql<JournalEntry>`with written as (
      insert into journal_entries (id, organization_id, kind, memo, occurred_at, posted_at, idempotency_key, reverses_entry_id, created_by)
      select * from unnest(${col('id')}::uuid[], ${col('organization_id')}::uuid[], ${col('kind')}::text[], ${col('memo')}::text[],
        ${rows.map((x) => x.occurred_at.toISOString())}::timestamptz[], ${rows.map((x) => x.posted_at.toISOString())}::timestamptz[],
        ${col('idempotency_key')}::text[], ${col('reverses_entry_id')}::uuid[], ${col('created_by')}::uuid[])
      on conflict (organization_id, idempotency_key) do nothing
      returning *),
    lines as (
      insert into journal_lines (entry_id, line_no, account_id, currency, amount)
      select l.* from unnest(${lines.map((x) => x.entry_id)}::uuid[], ${lines.map((x) => x.line_no)}::smallint[], ${lines.map((x) => x.account_id)}::uuid[],
        ${lines.map((x) => x.currency)}::char(3)[], ${lines.map((x) => x.amount.toString())}::bigint[]) as l(entry_id, line_no, account_id, currency, amount)
      where l.entry_id in (select w.id from written w))
    select * from written`.execute(trx);
  return r.rows;
}

export const accountSort: SortSpec = {
  fields: { code: 'ledger_accounts.code', name: 'ledger_accounts.name', created_at: 'ledger_accounts.created_at' },
  default: 'code',
  id: 'ledger_accounts.id',
};

export function listAccounts(db: Db, scope: Scope, query: AccountListQuery): Promise<AccountWithBalance[]> {
  let q = accountsWithBalance(db).where(inScope(scope, 'ledger_accounts.organization_id'));
  if (query.organizationId) q = q.where('ledger_accounts.organization_id', '=', query.organizationId);
  if (query.currency) q = q.where('ledger_accounts.currency', '=', query.currency);
  if (query.type) q = q.where('ledger_accounts.type', '=', query.type);
  if (query.systemKey) q = q.where('ledger_accounts.system_key', '=', query.systemKey);
  if (query.ownerType) q = q.where('ledger_accounts.owner_type', '=', query.ownerType);
  if (query.ownerId) q = q.where('ledger_accounts.owner_id', '=', query.ownerId);
  if (query.q) {
    const pattern = likeContains(query.q);
    q = q.where((eb) => eb.or([eb('ledger_accounts.name', 'ilike', pattern), eb('ledger_accounts.code', 'ilike', pattern)]));
  }
  return keyset(q, accountSort, query).execute();
}

export const entrySort: SortSpec = {
  fields: { seq: 'journal_entries.seq', occurred_at: 'journal_entries.occurred_at' },
  default: '-seq',
  id: 'journal_entries.id',
};

export function listEntries(db: Db, scope: Scope, query: EntryListQuery): Promise<JournalEntry[]> {
  let q = db.selectFrom('journal_entries').selectAll().where(inScope(scope, 'journal_entries.organization_id'));
  if (query.organizationId) q = q.where('organization_id', '=', query.organizationId);
  if (query.kind) q = q.where('kind', '=', query.kind);
  if (query.from) q = q.where('occurred_at', '>=', new Date(query.from));
  if (query.to) q = q.where('occurred_at', '<', new Date(query.to));
  if (query.q) q = q.where('memo', 'ilike', likeContains(query.q));
  const accountId = query.accountId;
  if (accountId)
    q = q.where(({ exists, selectFrom }) =>
      exists(selectFrom('journal_lines').select('journal_lines.id').whereRef('journal_lines.entry_id', '=', 'journal_entries.id').where('journal_lines.account_id', '=', accountId)),
    );
  return keyset(q, entrySort, query).execute();
}

export const statementSort: SortSpec = { fields: { posted: 'journal_lines.id' }, default: '-posted', id: 'journal_lines.id' };

export type StatementRow = EntryLineRow & Pick<JournalEntry, 'seq' | 'kind' | 'memo' | 'occurred_at' | 'posted_at'>;

export function statementLines(db: Db, accountId: string, query: StatementQuery): Promise<StatementRow[]> {
  const q = db
    .selectFrom('journal_lines')
    .innerJoin('journal_entries', 'journal_entries.id', 'journal_lines.entry_id')
    .innerJoin('ledger_accounts', 'ledger_accounts.id', 'journal_lines.account_id')
    .selectAll('journal_lines')
    .select(['ledger_accounts.code as account_code', 'ledger_accounts.name as account_name'])
    .select(['journal_entries.seq', 'journal_entries.kind', 'journal_entries.memo', 'journal_entries.occurred_at', 'journal_entries.posted_at'])
    .where('journal_lines.account_id', '=', accountId);
  return keyset(q, statementSort, query).execute();
}

/** The account's debit-positive balance just after one of its lines. */
export async function balanceThrough(db: Db, accountId: string, lineId: bigint): Promise<bigint> {
  const r = await db
    .selectFrom('journal_lines')
    .select(sql<string>`coalesce(sum(amount), 0)`.as('total'))
    .where('account_id', '=', accountId)
    .where('id', '<=', lineId)
    .executeTakeFirstOrThrow();
  return BigInt(r.total);
}

export interface TrialBalanceRow {
  currency: string;
  code: string;
  system_key: string;
  type: LedgerAccount['type'];
  name: string;
  accounts: bigint;
  balance: string;
}

/** One row per account of the chart, sub-ledger accounts (every subscriber's wallet) summed into their control row. */
export function trialBalance(db: Db, organizationId: string, currency: string | undefined): Promise<TrialBalanceRow[]> {
  let q = db
    .selectFrom('ledger_accounts as a')
    .innerJoin('ledger_balances as b', 'b.account_id', 'a.id')
    .select(['a.currency', 'a.code', 'a.system_key', 'a.type'])
    .select((eb) => [eb.fn.min('a.name').as('name'), sql<bigint>`count(distinct a.id)`.as('accounts'), sql<string>`sum(b.balance)`.as('balance')])
    .where('a.organization_id', '=', organizationId)
    .groupBy(['a.currency', 'a.code', 'a.system_key', 'a.type'])
    .orderBy('a.currency')
    .orderBy('a.code')
    .orderBy('a.system_key');
  if (currency) q = q.where('a.currency', '=', currency);
  return q.execute();
}

/** Accounts whose running balance differs from the sum of their lines (the database's own proof). */
export function balanceDrift(db: Db): Promise<{ account_id: string; stored: bigint | null; computed: bigint }[]> {
  return sql<{ account_id: string; stored: bigint | null; computed: bigint }>`select * from ledger_balance_drift()`.execute(db).then((r) => r.rows);
}

/** Of the owners given, those with ledger accounts, and those with lines posted to them. */
export async function ownersWithBooks(db: Db, ownerType: string, ids: readonly string[]): Promise<{ accounts: Set<string>; entries: Set<string> }> {
  if (ids.length === 0) return { accounts: new Set(), entries: new Set() };
  const rows = await db
    .selectFrom('ledger_accounts as a')
    .select(['a.owner_id', sql<boolean>`exists (select 1 from journal_lines l where l.account_id = a.id)`.as('posted')])
    .where('a.owner_type', '=', ownerType)
    .where('a.owner_id', 'in', ids)
    .execute();
  return {
    accounts: new Set(rows.map((r) => r.owner_id!)),
    entries: new Set(rows.filter((r) => r.posted).map((r) => r.owner_id!)),
  };
}
