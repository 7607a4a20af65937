/** The subscriber's own payments and receipts in the customer portal. */
import type { Kysely } from 'kysely';
import { formatMoney } from '../../core/money.ts';
import type { DB } from '../../platform/db/schema.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { FileStore } from '../../platform/files/store.ts';
import { page } from '../../platform/http/list.ts';
import type { Customer } from '../portal/portal.access.ts';
import * as repo from './payments.repo.ts';
import { receiptNumber } from './payments.schemas.ts';
import { renderPaymentReceipt } from './receipt-pdf.ts';

/** The customer's scope is its own subscriber only: the organization scope plus the subscriber filter. */
const scopeOf = (c: Customer) => ({ orgId: c.organizationId, orgPath: c.organizationPath });

export async function listOwnPayments(deps: { db: Kysely<DB> }, c: Customer, query: { limit: number; cursor?: string }) {
  const q = { ...query, subscriberId: c.subscriberId, sort: '-received_at' };
  const rows = await repo.list(deps.db, scopeOf(c), 'UTC', q);
  const p = page(rows, repo.paymentSort, q, (r, f) => r[f as keyof typeof r], (r) => r.id);
  const allocations = await repo.allocationsOf(deps.db, p.items.map((r) => r.id));
  return {
    items: p.items.map((r) => ({
      id: r.id,
      receiptNumber: receiptNumber(r.receipt_no),
      channel: r.channel,
      reference: r.reference,
      amount: formatMoney({ minor: r.amount, currency: r.currency }),
      currency: r.currency,
      status: r.status,
      amountRefunded: formatMoney({ minor: r.amount_refunded, currency: r.currency }),
      receivedAt: r.received_at.toISOString(),
      invoices: allocations.filter((a) => a.payment_id === r.id).map((a) => ({ number: a.invoice_number, amount: formatMoney({ minor: a.amount, currency: r.currency }) })),
    })),
    nextCursor: p.nextCursor,
  };
}

export async function ownReceipt(deps: { db: Kysely<DB>; files: FileStore }, c: Customer, id: string, locale?: string) {
  const payment = await repo.findInScope(deps.db, scopeOf(c), id);
  if (!payment || payment.subscriber_id !== c.subscriberId) throw new NotFoundError('Payment');
  return { filename: `${receiptNumber(payment.receipt_no)}.pdf`, data: await renderPaymentReceipt(deps.db, deps.files, payment, locale ?? c.locale) };
}
