/**
 * Invoices whose collection is held: in an active installment plan, or disputed with
 * hold_collections while the dispute is open. The overdue job charges them no late penalty and
 * the lifecycle job neither starts grace nor suspends for them. A SQL condition, so the billing and
 * subscriptions queries that decide those things can add it without knowing these tables.
 */
import { sql, type SqlBool } from 'kysely';

export function collectionHeld(invoiceIdColumn: string) {
  const id = sql.ref(invoiceIdColumn);
  return sql<SqlBool>`(exists (select 1 from installment_plan_invoices h where h.invoice_id = ${id} and h.released_at is null)
    or exists (select 1 from disputes d where d.invoice_id = ${id} and d.hold_collections and d.status in ('open', 'under_review')))`;
}
