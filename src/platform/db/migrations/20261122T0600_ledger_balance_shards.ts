import { sql, type Kysely } from 'kysely';

/*
 * Hot accounts. Every posting locks the running-balance rows of its accounts until its transaction
 * commits. A subscriber's wallet or receivable is touched by one transaction at a time, but an
 * organization's revenue, tax, cash and gateway clearing accounts are touched by every invoice
 * and every payment: concurrent billing-run chunks and gateway callbacks queued on those few rows.
 *
 * Now an organization-level account without a credit limit (nothing to check against its balance)
 * keeps its running balance in up to 16 rows (shards): a posting moves the shard of its database
 * session (backend pid mod 16), so concurrent sessions mostly move different rows. The account's
 * balance is the sum of its shards. Accounts with a credit limit (wallets, floats) and accounts
 * with an owner (a subscriber's receivable) keep one row, shard 0, and the limit is checked on it
 * under its lock, as before. Shard rows appear on first use.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table ledger_balances add column shard smallint not null default 0 check (shard between 0 and 15)`.execute(db);
  await sql`alter table ledger_balances drop constraint ledger_balances_pkey`.execute(db);
  await sql`alter table ledger_balances add primary key (account_id, shard)`.execute(db);

  await sql`create or replace function journal_lines_posted() returns trigger language plpgsql as $$
   declare
     me bigint := txid_current();
     verified bigint := ledger_verified_seq();
     my_shard smallint := (pg_backend_pid() % 16)::smallint;
     bad record;
     over record;
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

     insert into ledger_balances (account_id, shard)
       select m.account_id, my_shard
         from (select distinct l.account_id from new_lines l) m
         cross join lateral (select 1 from ledger_accounts a where a.id = m.account_id and a.owner_id is null and a.credit_limit is null offset 0) a
       on conflict do nothing;

     -- In account order, so two postings on the same accounts queue for the row locks instead of deadlocking.
     perform 1
        from (select m.account_id, case when a.owner_id is null and a.credit_limit is null then my_shard else 0::smallint end as shard
                from (select distinct l.account_id from new_lines l) m
                cross join lateral (select a.owner_id, a.credit_limit from ledger_accounts a where a.id = m.account_id offset 0) a
               order by 1) m
        cross join lateral (select b.account_id from ledger_balances b where b.account_id = m.account_id and b.shard = m.shard for update) b;

     with moved as (
            select m.account_id, case when a.owner_id is null and a.credit_limit is null then my_shard else 0::smallint end as shard, m.amount
              from (select l.account_id, sum(l.amount)::bigint as amount from new_lines l group by l.account_id) m
              cross join lateral (select a.owner_id, a.credit_limit from ledger_accounts a where a.id = m.account_id offset 0) a),
          updated as (
            update ledger_balances b set balance = b.balance + m.amount
              from moved m
             where b.account_id = m.account_id and b.shard = m.shard
            returning b.account_id, b.balance, m.amount)
     select u.account_id, a.credit_limit into over
       from updated u
       cross join lateral (select a.type, a.credit_limit from ledger_accounts a where a.id = u.account_id offset 0) a
       cross join lateral (select coalesce(sum(o.balance), 0) as rest from ledger_balances o where o.account_id = u.account_id and o.shard <> 0 and a.credit_limit is not null) o
      where a.credit_limit is not null and case when a.type in ('asset', 'expense')
            then u.amount < 0 and u.balance + o.rest < -a.credit_limit
            else u.amount > 0 and u.balance + o.rest > a.credit_limit end
      order by u.account_id
      limit 1;
     if found then
       raise exception 'account % would pass its credit limit of % minor units', over.account_id, over.credit_limit using errcode = 'check_violation';
     end if;
     return null;
   end $$`.execute(db);

  await sql`create or replace function ledger_balance_drift() returns table (account_id uuid, stored bigint, computed bigint) language sql stable as $$
     select a.id, b.balance, coalesce(s.total, 0)::bigint
       from ledger_accounts a
       left join (select b.account_id, sum(b.balance)::bigint as balance from ledger_balances b group by b.account_id) b on b.account_id = a.id
       left join (select l.account_id, sum(l.amount) as total from journal_lines l group by l.account_id) s on s.account_id = a.id
      where b.balance is distinct from coalesce(s.total, 0)
   $$`.execute(db);
}
