import { sql, type Kysely } from 'kysely';

/*
 * The double-entry ledger. The database itself keeps the books honest, whatever code or hand
 * writes to them:
 *   - every journal entry balances in each currency (checked at commit, so lines may follow their entry);
 *   - a line's currency is its account's, and its account belongs to the entry's organization;
 *   - entries and lines are never updated or deleted (corrections are reversals), and an entry is
 *     reversed at most once;
 *   - lines join an entry only in the transaction that wrote it;
 *   - each account's running balance (ledger_balances) changes only with the lines posted to it,
 *     and a spendable balance (a wallet) never passes its credit limit.
 * Triggers that check many rows are statement-level, so a billing run posting a million entries in
 * a few statements pays for a few checks, not millions.
 */
const statements = [
  `create table ledger_accounts (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    code text not null check (code ~ '^[0-9A-Za-z.-]{1,20}$'),
    name text not null check (length(name) between 1 and 200),
    type text not null check (type in ('asset', 'liability', 'equity', 'revenue', 'expense')),
    currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
    system_key text not null check (system_key ~ '^[a-z_]{1,40}(:[A-Za-z0-9_.-]{1,60})?$'),
    owner_type text check (owner_type ~ '^[a-z_]{1,40}$'),
    owner_id uuid,
    credit_limit bigint check (credit_limit >= 0),
    created_at timestamptz not null default now(),
    check ((owner_type is null) = (owner_id is null))
  )`,
  `create unique index ledger_accounts_organization_key on ledger_accounts (organization_id, system_key, currency) where owner_id is null`,
  `create unique index ledger_accounts_owner_key on ledger_accounts (organization_id, system_key, owner_type, owner_id, currency) where owner_id is not null`,
  `create index ledger_accounts_owner_idx on ledger_accounts (owner_type, owner_id) where owner_id is not null`,

  // Debit-positive sum of the account's lines, kept by the line trigger; the row a wallet deduction locks.
  `create table ledger_balances (
    account_id uuid primary key references ledger_accounts(id),
    balance bigint not null default 0
  )`,

  `create table journal_entries (
    id uuid primary key default gen_random_uuid(),
    seq bigserial not null unique,
    organization_id uuid not null references organizations(id),
    kind text not null check (kind ~ '^[a-z_]{1,40}$'),
    memo text not null default '' check (length(memo) <= 500),
    occurred_at timestamptz not null,
    posted_at timestamptz not null,
    idempotency_key text not null check (length(idempotency_key) between 1 and 255),
    reverses_entry_id uuid references journal_entries(id),
    created_by uuid,
    created_txid bigint not null default txid_current(),
    check (reverses_entry_id <> id)
  )`,
  `create unique index journal_entries_idempotency_key on journal_entries (organization_id, idempotency_key)`,
  `create unique index journal_entries_reversed_once on journal_entries (reverses_entry_id) where reverses_entry_id is not null`,
  `create index journal_entries_organization_seq_idx on journal_entries (organization_id, seq)`,
  // The commit check finds the entries of its own transaction through this.
  `create index journal_entries_txid_idx on journal_entries (created_txid, seq)`,

  /*
   * No foreign keys on entry_id and account_id: journal_lines_posted checks that both exist for the
   * whole statement, and neither entries nor accounts can ever be deleted, so the per-row checks and
   * key-share row locks of foreign keys would only double the cost of posting a billing run.
   */
  `create table journal_lines (
    id bigserial primary key,
    entry_id uuid not null,
    line_no smallint not null check (line_no >= 1),
    account_id uuid not null,
    currency char(3) not null,
    amount bigint not null check (amount <> 0),
    unique (entry_id, line_no)
  )`,
  `create index journal_lines_account_idx on journal_lines (account_id, id) include (amount)`,

  `create function ledger_refuse_change() returns trigger language plpgsql as $$
   begin
     raise exception '% is append-only: % is not allowed; post a reversing entry instead', tg_table_name, tg_op
       using errcode = 'insufficient_privilege';
   end $$`,
  `create trigger journal_entries_immutable before update or delete on journal_entries for each row execute function ledger_refuse_change()`,
  `create trigger journal_entries_no_truncate before truncate on journal_entries for each statement execute function ledger_refuse_change()`,
  `create trigger journal_lines_immutable before update or delete on journal_lines for each row execute function ledger_refuse_change()`,
  `create trigger journal_lines_no_truncate before truncate on journal_lines for each statement execute function ledger_refuse_change()`,

  // An account may be renamed or get a new credit limit; what it is, whose and in which currency may not change.
  `create function ledger_accounts_guard() returns trigger language plpgsql as $$
   begin
     if tg_op <> 'UPDATE' then
       raise exception 'ledger accounts are never removed: % is not allowed', tg_op using errcode = 'insufficient_privilege';
     end if;
     if (new.organization_id, new.type, new.currency, new.system_key, new.owner_type, new.owner_id)
        is distinct from (old.organization_id, old.type, old.currency, old.system_key, old.owner_type, old.owner_id) then
       raise exception 'a ledger account keeps its organization, type, currency, system key and owner' using errcode = 'insufficient_privilege';
     end if;
     return new;
   end $$`,
  `create trigger ledger_accounts_guard before update or delete on ledger_accounts for each row execute function ledger_accounts_guard()`,
  `create trigger ledger_accounts_no_truncate before truncate on ledger_accounts for each statement execute function ledger_refuse_change()`,

  `create function ledger_accounts_opened() returns trigger language plpgsql as $$
   begin
     insert into ledger_balances (account_id) select id from new_accounts;
     return null;
   end $$`,
  `create trigger ledger_accounts_opened after insert on ledger_accounts referencing new table as new_accounts
     for each statement execute function ledger_accounts_opened()`,

  // Only the ledger's own triggers (depth 2 and more) write balances: never a statement of its own.
  `create function ledger_balances_guard() returns trigger language plpgsql as $$
   begin
     if pg_trigger_depth() < 2 then
       raise exception 'ledger balances change only by posting journal lines' using errcode = 'insufficient_privilege';
     end if;
     return case when tg_op = 'DELETE' then old else new end;
   end $$`,
  `create trigger ledger_balances_guard before insert or update or delete on ledger_balances for each row execute function ledger_balances_guard()`,
  `create trigger ledger_balances_no_truncate before truncate on ledger_balances for each statement execute function ledger_refuse_change()`,

  // Entries this transaction has already proven balanced, by sequence (see journal_entry_balanced).
  `create function ledger_verified_seq() returns bigint language sql stable as $$
     select coalesce(nullif(current_setting('uplink.ledger_verified_seq', true), '')::bigint, 0)
   $$`,

  /*
   * The statement triggers below look rows up one at a time (lateral subqueries with offset 0, loops
   * over accounts): a few thousand index probes per statement whatever the size of the ledger, where
   * a join could choose to scan a table of millions of lines.
   */
  `create function journal_entries_written() returns trigger language plpgsql as $$
   declare
     me bigint := txid_current();
     verified bigint := ledger_verified_seq();
     bad uuid;
   begin
     select n.id into bad from new_entries n where n.created_txid <> me or n.seq <= verified limit 1;
     if found then
       raise exception 'journal entry % carries a transaction id or sequence number of its own', bad using errcode = 'check_violation';
     end if;
     select n.id into bad
       from new_entries n
       cross join lateral (select r.organization_id from journal_entries r where r.id = n.reverses_entry_id offset 0) r
      where r.organization_id <> n.organization_id
      limit 1;
     if found then
       raise exception 'journal entry % reverses an entry of another organization', bad using errcode = 'check_violation';
     end if;
     return null;
   end $$`,
  `create trigger journal_entries_written after insert on journal_entries referencing new table as new_entries
     for each statement execute function journal_entries_written()`,

  `create function journal_lines_posted() returns trigger language plpgsql as $$
   declare
     me bigint := txid_current();
     verified bigint := ledger_verified_seq();
     bad record;
     moved record;
     account record;
     past_limit boolean;
   begin
     select l.entry_id, l.account_id, l.currency, a.currency as account_currency, e.seq is null as no_entry, a.currency is null as no_account,
            e.created_txid <> me or e.seq <= verified as closed,
            a.organization_id <> e.organization_id as other_books
       into bad
       from new_lines l
       left join lateral (select e.organization_id, e.created_txid, e.seq from journal_entries e where e.id = l.entry_id offset 0) e on true
       left join lateral (select a.organization_id, a.currency from ledger_accounts a where a.id = l.account_id offset 0) a on true
      where e.seq is null or a.currency is null
         or e.created_txid <> me or e.seq <= verified or a.organization_id <> e.organization_id or l.currency <> a.currency
      limit 1;
     if found then
       if bad.no_entry then
         raise exception 'journal entry % does not exist', bad.entry_id using errcode = 'foreign_key_violation';
       elsif bad.no_account then
         raise exception 'ledger account % does not exist', bad.account_id using errcode = 'foreign_key_violation';
       elsif bad.closed then
         raise exception 'journal entry % is already posted: lines cannot be added to it', bad.entry_id using errcode = 'check_violation';
       elsif bad.other_books then
         raise exception 'account % belongs to another organization than journal entry %', bad.account_id, bad.entry_id using errcode = 'check_violation';
       end if;
       raise exception 'a % line cannot be posted to account % kept in %', bad.currency, bad.account_id, bad.account_currency using errcode = 'check_violation';
     end if;

     -- In account order, so two postings on the same accounts queue for the row locks instead of deadlocking.
     for moved in select l.account_id, sum(l.amount)::bigint as amount from new_lines l group by l.account_id order by l.account_id loop
       update ledger_balances b set balance = b.balance + moved.amount
         from ledger_accounts a
        where b.account_id = moved.account_id and a.id = moved.account_id
       returning b.balance, a.type, a.credit_limit into account;
       past_limit := account.credit_limit is not null and case when account.type in ('asset', 'expense')
         then moved.amount < 0 and account.balance < -account.credit_limit
         else moved.amount > 0 and account.balance > account.credit_limit end;
       if past_limit then
         raise exception 'account % would pass its credit limit of % minor units', moved.account_id, account.credit_limit using errcode = 'check_violation';
       end if;
     end loop;
     return null;
   end $$`,
  `create trigger journal_lines_posted after insert on journal_lines referencing new table as new_lines
     for each statement execute function journal_lines_posted()`,

  /*
   * At commit, once per entry. The first call checks every entry this transaction wrote and records
   * the highest sequence it proved; the calls for the other entries return at once (sequences only
   * grow within a session, so every entry at or below that mark has been proved). An entry balances
   * when each currency sums to zero; lines are never zero, so that means two lines at least, and an
   * entry without lines is refused too.
   */
  `create function journal_entry_balanced() returns trigger language plpgsql as $$
   declare
     verified bigint := ledger_verified_seq();
     me bigint;
     upto bigint;
     bad record;
   begin
     if new.seq <= verified then
       return null;
     end if;
     me := txid_current();
     select max(seq) into upto from journal_entries where created_txid = me;
     select e.id, s.currency, s.total into bad
       from journal_entries e
       left join lateral (
         select l.currency, sum(l.amount) as total from journal_lines l where l.entry_id = e.id group by l.currency offset 0
       ) s on true
      where e.created_txid = me and e.seq > verified and (s.currency is null or s.total <> 0)
      limit 1;
     if found then
       if bad.currency is null then
         raise exception 'journal entry % has no lines', bad.id using errcode = 'check_violation';
       end if;
       raise exception 'journal entry % does not balance: its % lines sum to % minor units', bad.id, bad.currency, bad.total
         using errcode = 'check_violation';
     end if;
     perform set_config('uplink.ledger_verified_seq', upto::text, true);
     return null;
   end $$`,
  `create constraint trigger journal_entry_balanced after insert on journal_entries
     deferrable initially deferred for each row execute function journal_entry_balanced()`,

  // The proof that running balances are what the lines say: no rows means none has drifted.
  `create function ledger_balance_drift() returns table (account_id uuid, stored bigint, computed bigint) language sql stable as $$
     select a.id, b.balance, coalesce(s.total, 0)::bigint
       from ledger_accounts a
       left join ledger_balances b on b.account_id = a.id
       left join (select l.account_id, sum(l.amount) as total from journal_lines l group by l.account_id) s on s.account_id = a.id
      where b.balance is distinct from coalesce(s.total, 0)
   $$`,
];

// Hard-coded, not read from permissions.ts, so this migration means the same thing forever.
const permissions = ['ledger.read', 'ledger.create', 'ledger.export'];
const grants: Record<string, string[]> = {
  developer: permissions,
  super_admin: permissions,
  admin: permissions,
  accountant: permissions,
  manager: ['ledger.read'],
  reseller: ['ledger.read'],
  sub_reseller: ['ledger.read'],
};

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
  // A database created after permissions.ts listed the ledger already has these rows from the foundation.
  await db
    .insertInto('permissions')
    .values(permissions.map((key) => ({ key })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  for (const [role, granted] of Object.entries(grants))
    await sql`insert into role_permissions (role_key, permission_key)
      select r.key, p.key from roles r cross join unnest(${granted}::text[]) as p(key) where r.key = ${role}
      on conflict do nothing`.execute(db);
}
