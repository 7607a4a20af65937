import { sql, type Kysely } from 'kysely';

/*
 * Posting lines moved each account's running balance with one UPDATE per account, in account order
 * (so two postings on the same accounts queue for the row locks instead of deadlocking). A billing
 * run posts to a few hundred thousand receivables in a handful of statements, and one statement per
 * account cost more than the lines themselves. Now the balances are locked in account order first
 * (a lateral lookup per account, so the order is the loop's), then moved in one statement, and the
 * credit limits checked on what that statement returns. Same rules, same errors.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create or replace function journal_lines_posted() returns trigger language plpgsql as $$
   declare
     me bigint := txid_current();
     verified bigint := ledger_verified_seq();
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

     perform 1
        from (select distinct l.account_id from new_lines l order by 1) m
        cross join lateral (select b.account_id from ledger_balances b where b.account_id = m.account_id for update) b;

     with moved as (select l.account_id, sum(l.amount)::bigint as amount from new_lines l group by l.account_id),
          updated as (
            update ledger_balances b set balance = b.balance + m.amount
              from moved m
             where b.account_id = m.account_id
            returning b.account_id, b.balance, m.amount)
     select u.account_id, a.credit_limit into over
       from updated u
       cross join lateral (select a.type, a.credit_limit from ledger_accounts a where a.id = u.account_id offset 0) a
      where a.credit_limit is not null and case when a.type in ('asset', 'expense')
            then u.amount < 0 and u.balance < -a.credit_limit
            else u.amount > 0 and u.balance > a.credit_limit end
      order by u.account_id
      limit 1;
     if found then
       raise exception 'account % would pass its credit limit of % minor units', over.account_id, over.credit_limit using errcode = 'check_violation';
     end if;
     return null;
   end $$`.execute(db);
}
