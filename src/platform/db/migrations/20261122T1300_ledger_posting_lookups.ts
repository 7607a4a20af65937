import { sql, type Kysely } from 'kysely';

/*
 * Posting lines looked each account up four times after the per-line checks (the shard rows, the
 * locks, the update and its credit-limit check). A billing-run chunk posts some 60,000 lines to
 * 20,000 accounts in one statement, so that was 80,000 index lookups more than needed. Now the
 * trigger reads each account once into arrays (in account order, the order the balance rows are
 * locked in), and the locks and updates are driven by those. The rules are the same as before
 * (20261122T0600_ledger_balance_shards), with the same errors.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create or replace function journal_lines_posted() returns trigger language plpgsql as $$
   declare
     me bigint := txid_current();
     verified bigint := ledger_verified_seq();
     my_shard smallint := (pg_backend_pid() % 16)::smallint;
     ids uuid[];
     sharded boolean[];
     amounts bigint[];
     limits bigint[];
     types text[];
     bad record;
     over record;
   begin
     -- Each account once, in account order, with what the balance rules below need of it.
     select array_agg(m.account_id order by m.account_id), array_agg(a.owner_id is null and a.credit_limit is null order by m.account_id),
            array_agg(m.amount order by m.account_id), array_agg(a.credit_limit order by m.account_id), array_agg(a.type order by m.account_id)
       into ids, sharded, amounts, limits, types
       from (select l.account_id, sum(l.amount)::bigint as amount from new_lines l group by l.account_id) m
       left join lateral (select a.owner_id, a.credit_limit, a.type from ledger_accounts a where a.id = m.account_id offset 0) a on true;

     -- Per line, by index: the arrays above hold one row per account, and a join of the lines with them is planned as
     -- a nested loop over both (the planner cannot count an array), which at 60,000 lines is a billion comparisons.
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
       select m.account_id, my_shard from unnest(ids, sharded) as m(account_id, sharded) where m.sharded
       on conflict do nothing;

     -- In account order, so two postings on the same accounts queue for the row locks instead of deadlocking.
     perform 1
        from unnest(ids, sharded) with ordinality as m(account_id, sharded, n)
        cross join lateral (select b.account_id from ledger_balances b
                             where b.account_id = m.account_id and b.shard = case when m.sharded then my_shard else 0::smallint end for update) b
       order by m.n;

     with moved as (
            select m.account_id, case when m.sharded then my_shard else 0::smallint end as shard, m.amount, m.credit_limit, m.type
              from unnest(ids, sharded, amounts, limits, types) as m(account_id, sharded, amount, credit_limit, type)),
          updated as (
            update ledger_balances b set balance = b.balance + m.amount
              from moved m
             where b.account_id = m.account_id and b.shard = m.shard
            returning b.account_id, b.balance, m.amount, m.credit_limit, m.type)
     select u.account_id, u.credit_limit into over
       from updated u
       cross join lateral (select coalesce(sum(o.balance), 0) as rest from ledger_balances o where o.account_id = u.account_id and o.shard <> 0 and u.credit_limit is not null) o
      where u.credit_limit is not null and case when u.type in ('asset', 'expense')
            then u.amount < 0 and u.balance + o.rest < -u.credit_limit
            else u.amount > 0 and u.balance + o.rest > u.credit_limit end
      order by u.account_id
      limit 1;
     if found then
       raise exception 'account % would pass its credit limit of % minor units', over.account_id, over.credit_limit using errcode = 'check_violation';
     end if;
     return null;
   end $$`.execute(db);
}
