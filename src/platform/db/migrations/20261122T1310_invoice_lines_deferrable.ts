import { sql, type Kysely } from 'kysely';

/*
 * The billing run writes a chunk's invoice lines before it takes the organization's invoice
 * counter (whose row lock it holds until commit, so numbers have no gaps): while one worker holds
 * the counter, another can write its lines. The lines then come before their invoices, so their
 * reference to the invoice may be checked at commit: the billing run defers it for its own
 * transaction (SET CONSTRAINTS … DEFERRED). Everywhere else it is checked at once, as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table invoice_lines alter constraint invoice_lines_invoice_id_fkey deferrable initially immediate`.execute(db);
}
