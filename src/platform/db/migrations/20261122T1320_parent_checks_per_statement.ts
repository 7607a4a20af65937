import { sql, type Kysely } from 'kysely';

/*
 * A foreign key checks each new row on its own: a lookup of the parent (and a lock on it) per row.
 * The billing run inserts a chunk's 20,000 invoices and 20,000 journal entries in one statement
 * each, all of one organization and one run, so those checks were 60,000 lookups of the same two
 * rows, made while the chunk holds the organization's invoice counter.
 *
 * These three references are now checked once per statement, on the distinct parents of the rows
 * it inserted, as the ledger checks its lines (20261121T2300_ledger): the parents are locked as a
 * foreign key locks them (FOR KEY SHARE, so a concurrent delete waits for the insert's commit),
 * then their existence is checked. An update is checked only for a row whose reference changes
 * (as a foreign key does; nothing moves an invoice today). Deleting a parent that rows still name is refused
 * after the delete statement, as NO ACTION does. Errors keep the constraint names and SQLSTATE
 * 23503 (foreign_key_violation), so callers see what they saw before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table invoices drop constraint invoices_organization_id_fkey`.execute(db);
  await sql`alter table invoices drop constraint invoices_billing_run_id_fkey`.execute(db);
  await sql`alter table journal_entries drop constraint journal_entries_organization_id_fkey`.execute(db);

  await sql`create function invoices_parents_exist() returns trigger language plpgsql as $$
   declare
     bad record;
   begin
     perform 1 from organizations o where o.id in (select distinct n.organization_id from new_rows n) order by o.id for key share;
     perform 1 from billing_runs r where r.id in (select distinct n.billing_run_id from new_rows n where n.billing_run_id is not null) order by r.id for key share;
     select n.organization_id, n.billing_run_id, o.id is null as no_organization into bad
       from (select distinct n.organization_id, n.billing_run_id from new_rows n) n
       left join organizations o on o.id = n.organization_id
       left join billing_runs r on r.id = n.billing_run_id
      where o.id is null or (n.billing_run_id is not null and r.id is null)
      limit 1;
     if found then
       if bad.no_organization then
         raise exception 'insert or update on table "invoices" violates foreign key constraint "invoices_organization_id_fkey"'
           using errcode = 'foreign_key_violation', constraint = 'invoices_organization_id_fkey', detail = format('Key (organization_id)=(%s) is not present in table "organizations".', bad.organization_id);
       end if;
       raise exception 'insert or update on table "invoices" violates foreign key constraint "invoices_billing_run_id_fkey"'
         using errcode = 'foreign_key_violation', constraint = 'invoices_billing_run_id_fkey', detail = format('Key (billing_run_id)=(%s) is not present in table "billing_runs".', bad.billing_run_id);
     end if;
     return null;
   end $$`.execute(db);
  await sql`create trigger invoices_parents_exist after insert on invoices referencing new table as new_rows
    for each statement execute function invoices_parents_exist()`.execute(db);
  // Payments update invoices all day and never move one: only a row whose references change is checked (as a foreign key does).
  await sql`create function invoice_parents_moved() returns trigger language plpgsql as $$
   begin
     perform 1 from organizations o where o.id = new.organization_id for key share;
     if not found then
       raise exception 'insert or update on table "invoices" violates foreign key constraint "invoices_organization_id_fkey"'
         using errcode = 'foreign_key_violation', constraint = 'invoices_organization_id_fkey', detail = format('Key (organization_id)=(%s) is not present in table "organizations".', new.organization_id);
     end if;
     if new.billing_run_id is not null then
       perform 1 from billing_runs r where r.id = new.billing_run_id for key share;
       if not found then
         raise exception 'insert or update on table "invoices" violates foreign key constraint "invoices_billing_run_id_fkey"'
           using errcode = 'foreign_key_violation', constraint = 'invoices_billing_run_id_fkey', detail = format('Key (billing_run_id)=(%s) is not present in table "billing_runs".', new.billing_run_id);
       end if;
     end if;
     return new;
   end $$`.execute(db);
  await sql`create trigger invoices_parents_moved before update on invoices for each row
    when (old.organization_id is distinct from new.organization_id or old.billing_run_id is distinct from new.billing_run_id)
    execute function invoice_parents_moved()`.execute(db);

  await sql`create function journal_entries_organization_exists() returns trigger language plpgsql as $$
   declare
     bad uuid;
   begin
     perform 1 from organizations o where o.id in (select distinct n.organization_id from new_entries n) order by o.id for key share;
     select n.organization_id into bad
       from (select distinct n.organization_id from new_entries n) n
      where not exists (select 1 from organizations o where o.id = n.organization_id)
      limit 1;
     if found then
       raise exception 'insert or update on table "journal_entries" violates foreign key constraint "journal_entries_organization_id_fkey"'
         using errcode = 'foreign_key_violation', constraint = 'journal_entries_organization_id_fkey', detail = format('Key (organization_id)=(%s) is not present in table "organizations".', bad);
     end if;
     return null;
   end $$`.execute(db);
  await sql`create trigger journal_entries_organization_exists after insert on journal_entries referencing new table as new_entries
    for each statement execute function journal_entries_organization_exists()`.execute(db);

  await sql`create function parents_still_referenced() returns trigger language plpgsql as $$
   declare
     bad uuid;
   begin
     if tg_table_name = 'organizations' then
       select o.id into bad from old_rows o
        where exists (select 1 from invoices i where i.organization_id = o.id)
           or exists (select 1 from journal_entries e where e.organization_id = o.id)
        limit 1;
     else
       select o.id into bad from old_rows o where exists (select 1 from invoices i where i.billing_run_id = o.id) limit 1;
     end if;
     if found then
       raise exception 'update or delete on table "%" violates a foreign key constraint', tg_table_name
         using errcode = 'foreign_key_violation', detail = format('Key (id)=(%s) is still referenced.', bad);
     end if;
     return null;
   end $$`.execute(db);
  await sql`create trigger organizations_still_referenced after delete on organizations referencing old table as old_rows
    for each statement execute function parents_still_referenced()`.execute(db);
  await sql`create trigger billing_runs_still_referenced after delete on billing_runs referencing old table as old_rows
    for each statement execute function parents_still_referenced()`.execute(db);
  // The guards' lookups use invoices_organization_idx, journal_entries_organization_seq_idx and invoices_billing_run_idx.
}
