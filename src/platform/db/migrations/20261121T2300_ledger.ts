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
  `create unique index journal_entries_reversed_once on journal_entries (reverses_entry_id)`,
  `create index journal_entries_organization_seq_idx on journal_entries (organization_id, seq)`,

  `create table journal_lines (
    id bigserial primary key,
    entry_id uuid not null references journal_entries(id),
    line_no smallint not null check (line_no >= 1),
    account_id uuid not null references ledger_accounts(id),
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

  `create function journal_entries_written() returns trigger language plpgsql as $$
   declare
     bad record;
   begin
     select n.id, n.created_txid <> txid_current() or n.seq <= ledger_verified_seq() as forged into bad
       from new_entries n
       left join journal_entries r on r.id = n.reverses_entry_id
      where n.created_txid <> txid_current() or n.seq <= ledger_verified_seq() or r.organization_id <> n.organization_id
      limit 1;
     if found then
       if bad.forged then
         raise exception 'journal entry % carries a transaction id or sequence number of its own', bad.id using errcode = 'check_violation';
       end if;
       raise exception 'journal entry % reverses an entry of another organization', bad.id using errcode = 'check_violation';
     end if;
     return null;
   end $$`,
  `create trigger journal_entries_written after insert on journal_entries referencing new table as new_entries
     for each statement execute function journal_entries_written()`,

  `create function journal_lines_posted() returns trigger language plpgsql as $$
   declare
     bad record;
   begin
     select l.entry_id, l.account_id, l.currency, a.currency as account_currency,
            e.created_txid <> txid_current() or e.seq <= ledger_verified_seq() as closed,
            a.organization_id <> e.organization_id as other_books
       into bad
       from new_lines l
       join journal_entries e on e.id = l.entry_id
       join ledger_accounts a on a.id = l.account_id
      where e.created_txid <> txid_current() or e.seq <= ledger_verified_seq()
         or a.organization_id <> e.organization_id or l.currency <> a.currency
      limit 1;
     if found then
       if bad.closed then
         raise exception 'journal entry % is already posted: lines cannot be added to it', bad.entry_id using errcode = 'check_violation';
       elsif bad.other_books then
         raise exception 'account % belongs to another organization than journal entry %', bad.account_id, bad.entry_id using errcode = 'check_violation';
       end if;
       raise exception 'a % line cannot be posted to account % kept in %', bad.currency, bad.account_id, bad.account_currency using errcode = 'check_violation';
     end if;

     -- Locked in one order, so two entries on the same accounts queue instead of deadlocking.
     perform 1 from ledger_balances b where b.account_id in (select account_id from new_lines) order by b.account_id for update;
     with delta as (select account_id, sum(amount)::bigint as amount from new_lines group by account_id),
     moved as (
       update ledger_balances b set balance = b.balance + delta.amount from delta
        where b.account_id = delta.account_id
       returning b.account_id, b.balance, delta.amount as delta
     )
     select a.id, a.credit_limit into bad
       from moved join ledger_accounts a on a.id = moved.account_id
      where a.credit_limit is not null
        and case when a.type in ('asset', 'expense') then moved.delta < 0 and moved.balance < -a.credit_limit
                 else moved.delta > 0 and moved.balance > a.credit_limit end
      limit 1;
     if found then
       raise exception 'account % would pass its credit limit of % minor units', bad.id, bad.credit_limit using errcode = 'check_violation';
     end if;
     return null;
   end $$`,
  `create trigger journal_lines_posted after insert on journal_lines referencing new table as new_lines
     for each statement execute function journal_lines_posted()`,

  /*
   * At commit, once per entry. The first call checks every entry this transaction wrote, set-based,
   * and records the highest sequence it proved; the calls for the other entries return at once. An
   * entry balances when each currency sums to zero; lines are never zero, so that means two lines at
   * least, and an entry without lines is refused too.
   */
  `create function journal_entry_balanced() returns trigger language plpgsql as $$
   declare
     upto bigint;
     bad record;
   begin
     if new.seq <= ledger_verified_seq() then
       return null;
     end if;
     select max(seq) into upto from journal_entries where seq >= new.seq and created_txid = txid_current();
     select e.id, l.currency, coalesce(sum(l.amount), 0) as total into bad
       from journal_entries e
       left join journal_lines l on l.entry_id = e.id
      where e.seq between new.seq and upto and e.created_txid = txid_current()
      group by e.id, l.currency
     having count(l.id) = 0 or sum(l.amount) <> 0
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
