import { sql, type Kysely } from 'kysely';

/*
 * A plan change that moves a subscriber down mid-period is invoiced with a negative total (the
 * credit for the unused days of the dearer plan exceeds the charge for the cheaper one); the invoice
 * engine issues it as paid and credits the wallet. The billing migration's check that payments stay
 * within the total refused any negative total, even with nothing paid: payments now stay within the
 * total when it is positive, and an invoice with a zero or negative total takes no payment at all.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table invoices drop constraint invoices_check2`.execute(db);
  await sql`alter table invoices add constraint invoices_settled_within_total
    check (amount_paid + amount_credited <= greatest(total, 0) or kind = 'credit_note')`.execute(db);
}
