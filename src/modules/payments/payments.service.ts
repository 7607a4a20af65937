/**
 * Payments as staff see them: a payment recorded at the counter (cash, bank transfer, cheque, a
 * mobile transfer staff confirmed), the list and one payment with what it paid and its ledger
 * entries, the suspense queue's match to a subscriber, and cancelling a payment in suspense that
 * was recorded in error. The money is moved by receive.ts; this file checks who may do what, on
 * what, and audits it.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Settlement } from '../../core/ledger.ts';
import { formatMoney, parseMoney, type Money } from '../../core/money.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, Organization } from '../../platform/db/schema.ts';
import type { Payment } from '../../platform/db/schema/payments.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { page } from '../../platform/http/list.ts';
import { reverseEntry } from '../ledger/ledger.service.ts';
import { walletBalance } from '../ledger/wallets.service.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as subscriberRepo from '../subscribers/subscribers.repo.ts';
import { type PaymentListQuery, type RecordPaymentInput, type StaffMethod, mapPayment, receiptNumber, staffMethods } from './payments.schemas.ts';
import * as repo from './payments.repo.ts';
import { matchUnapplied, receivePayment } from './receive.ts';

export type Deps = Pick<AppContext, 'db' | 'clock'>;
type Db = Kysely<DB> | Transaction<DB>;

/** Where the money a method brings sits until it is banked: the drawer, the bank, the provider's clearing account. */
export function settlementOf(method: StaffMethod, provider?: string): Settlement {
  if (method === 'cash') return { kind: 'cash' };
  if (method === 'mobile_transfer') return { kind: 'gateway', gateway: provider! };
  return { kind: 'bank' };
}

function amountOf(text: string, currency: string): Money {
  try {
    return parseMoney(text, currency);
  } catch (err) {
    if (err instanceof RangeError) throw new UnprocessableError(err.message, [{ field: 'amount', message: err.message }]);
    throw err;
  }
}

const listed = (p: repo.ListedPayment) => mapPayment(p, { subscriberName: p.subscriber_name, accountNumber: p.account_number, collectorName: p.collector_name });

async function orgOf(db: Db, id: string): Promise<Organization> {
  return (await orgRepo.findById(db, id))!;
}

/** One payment with what it paid, its journal entries and the subscriber's wallet balance now. */
async function detail(db: Db, actor: Actor, id: string) {
  const p = await repo.findInScope(db, actor.principal.scope, id);
  if (!p) throw new NotFoundError('Payment');
  const [allocations, entries] = await Promise.all([repo.allocationsOf(db, [p.id]), repo.entriesOf(db, p.id, p.entry_id)]);
  const wallet = p.subscriber_id ? await walletBalance(db, { organizationId: p.organization_id, subscriberId: p.subscriber_id, currency: p.currency }) : null;
  const money = (minor: bigint, currency = p.currency) => formatMoney({ minor, currency });
  return {
    ...listed(p),
    allocations: allocations.map((a) => ({ invoiceId: a.invoice_id, invoiceNumber: a.invoice_number, amount: money(a.amount), createdAt: a.created_at.toISOString() })),
    entries: entries.map((e) => ({
      id: e.id,
      seq: e.seq.toString(),
      kind: e.kind,
      memo: e.memo,
      occurredAt: e.occurred_at.toISOString(),
      lines: e.lines.map((l) => ({ account: `${l.code} ${l.name}`, systemKey: l.system_key, amount: money(l.amount, l.currency) })),
    })),
    walletBalance: wallet ? formatMoney(wallet.balance) : null,
  };
}

async function audit(trx: Transaction<DB>, deps: Deps, actor: Actor, action: string, payment: Payment, extra: Record<string, unknown> = {}): Promise<void> {
  const org = await orgOf(trx, payment.organization_id);
  await appendAudit(trx, deps.clock, actor.audit, {
    action,
    organizationId: org.id,
    organizationPath: org.path,
    objectType: 'payment',
    objectId: payment.id,
    after: {
      receiptNumber: receiptNumber(payment.receipt_no),
      channel: payment.channel,
      transactionId: payment.transaction_id,
      amount: formatMoney({ minor: payment.amount, currency: payment.currency }),
      currency: payment.currency,
      subscriberId: payment.subscriber_id,
      status: payment.status,
      collectorId: payment.collector_id,
      ...extra,
    },
  });
}

/** The invoices asked to be paid first must be this subscriber's, in the payment's currency. */
async function checkInvoices(db: Db, subscriberId: string, currency: string, ids: readonly string[] | undefined): Promise<void> {
  if (!ids?.length) return;
  const rows = await db.selectFrom('invoices').select(['id', 'subscriber_id', 'currency', 'kind']).where('id', 'in', [...ids]).execute();
  for (const [i, id] of ids.entries()) {
    const row = rows.find((r) => r.id === id);
    if (!row || row.subscriber_id !== subscriberId || row.kind !== 'invoice' || row.currency !== currency)
      throw new UnprocessableError('An invoice to pay is not one of this subscriber’s', [{ field: `invoiceIds.${i}`, message: `is not one of this subscriber's ${currency} invoices` }]);
  }
}

export async function recordPayment(deps: Deps, actor: Actor, input: RecordPaymentInput) {
  requirePermission(actor, 'payments.create');
  return deps.db.transaction().execute(async (trx) => {
    const subscriber = await subscriberRepo.findInScope(trx, actor.principal.scope, input.subscriberId);
    if (!subscriber) throw new NotFoundError('Subscriber');
    const org = await orgOf(trx, subscriber.organization_id);
    const currency = input.currency ?? org.currency;
    const amount = amountOf(input.amount, currency);
    if (amount.minor <= 0n) throw new UnprocessableError('A payment must be more than zero', [{ field: 'amount', message: 'must be more than zero' }]);
    const now = deps.clock.now();
    const receivedAt = input.receivedAt ? new Date(input.receivedAt) : now;
    if (receivedAt > now) throw new UnprocessableError('A payment cannot be received in the future', [{ field: 'receivedAt', message: 'is in the future' }]);
    const collectorId = input.collectorId ?? actor.principal.userId;
    const collector = await repo.collectorFor(trx, collectorId, org.path);
    if (!collector) throw new UnprocessableError('Unknown collector', [{ field: 'collectorId', message: "is not an active user of this subscriber's organization or above it" }]);
    await checkInvoices(trx, subscriber.id, currency, input.invoiceIds);

    const reference = input.reference ?? (input.method === 'cheque' ? input.chequeNumber : undefined);
    const metadata: Record<string, unknown> = {};
    if (input.chequeNumber) metadata.chequeNumber = input.chequeNumber;
    if (input.bank) metadata.bank = input.bank;
    if (input.provider) metadata.provider = input.provider;
    if (input.method === 'mobile_transfer') metadata.transactionCode = reference;
    const received = await receivePayment(trx, deps.clock, {
      organizationId: org.id,
      channel: input.method,
      // Cash without a receipt-book number: the receipt number printed is the payment's own, and a
      // retried request is caught by its Idempotency-Key.
      transactionId: reference ?? `counter-${randomUUID()}`,
      amount,
      via: settlementOf(input.method, input.provider),
      receivedAt,
      subscriberId: subscriber.id,
      reference: reference ?? null,
      invoiceIds: input.invoiceIds,
      payer: { name: input.payerName ?? null, phone: input.payerPhone ?? null },
      memo: input.memo ?? null,
      collectorId: collector.id,
      recordedBy: actor.principal.userId,
      metadata,
    });
    if (received.replayed) {
      const receipt = receiptNumber(received.payment.receipt_no);
      throw new ConflictError(`${input.method.replace('_', ' ')} ${reference} is already recorded as payment ${receipt} (${received.payment.id})`, [
        { field: 'reference', message: `is already recorded as payment ${receipt}` },
      ]);
    }
    await audit(trx, deps, actor, 'payment.record', received.payment, {
      allocations: received.allocations.map((a) => ({ invoiceId: a.invoiceId, amount: formatMoney({ minor: a.amount, currency }) })),
    });
    return { ...(await detail(trx, actor, received.payment.id)), replayed: false };
  });
}

export async function listPayments(deps: Deps, actor: Actor, query: PaymentListQuery) {
  requirePermission(actor, 'payments.read');
  const scopeOrg = await orgOf(deps.db, actor.principal.scope.orgId);
  const rows = await repo.list(deps.db, actor.principal.scope, scopeOrg.timezone, query);
  const p = page(rows, repo.paymentSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map(listed), nextCursor: p.nextCursor };
}

export async function getPayment(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'payments.read');
  return detail(deps.db, actor, id);
}

/** Staff match a payment waiting in suspense to a subscriber of the payment's organization. */
export async function matchPayment(deps: Deps, actor: Actor, id: string, input: { subscriberId: string; invoiceIds?: string[]; memo?: string }) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const payment = await repo.lockInScope(trx, actor.principal.scope, id);
    if (!payment) throw new NotFoundError('Payment');
    if (payment.status !== 'unapplied') throw new ConflictError('This payment is already matched to a subscriber');
    const subscriber = await subscriberRepo.findInScope(trx, actor.principal.scope, input.subscriberId);
    if (!subscriber) throw new NotFoundError('Subscriber');
    // The wallet the money lands in is kept in the payment organization's books.
    if (subscriber.organization_id !== payment.organization_id)
      throw new UnprocessableError('The subscriber belongs to another organization than the payment', [{ field: 'subscriberId', message: "is not a subscriber of the payment's organization" }]);
    await checkInvoices(trx, subscriber.id, payment.currency, input.invoiceIds);
    const matched = await matchUnapplied(trx, deps.clock, { paymentId: payment.id, subscriberId: subscriber.id, invoiceIds: input.invoiceIds, matchedBy: actor.principal.userId });
    await audit(trx, deps, actor, 'payment.match', matched.payment, {
      memo: input.memo ?? null,
      allocations: matched.allocations.map((a) => ({ invoiceId: a.invoiceId, amount: formatMoney({ minor: a.amount, currency: payment.currency }) })),
    });
    return detail(trx, actor, payment.id);
  });
}

/**
 * A payment staff recorded in error (the wrong subscriber, a cheque that bounced the same day) while
 * its money is still in the wallet: its entries are reversed and it stays listed as reversed. A
 * payment that already paid an invoice, or came through a gateway, is refunded instead.
 */
export async function cancelPayment(deps: Deps, actor: Actor, id: string, reason?: string) {
  requirePermission(actor, 'payments.delete');
  return deps.db.transaction().execute(async (trx) => {
    const payment = await repo.lockInScope(trx, actor.principal.scope, id);
    if (!payment) throw new NotFoundError('Payment');
    if (!(staffMethods as readonly string[]).includes(payment.channel)) throw new ConflictError('A gateway payment is refunded, not cancelled');
    if (payment.status !== 'applied' || payment.amount_refunded > 0n) throw new ConflictError(`A ${payment.status} payment cannot be cancelled`);
    if ((await repo.allocationsOf(trx, [payment.id])).length > 0) throw new ConflictError('This payment already paid invoices; refund it instead');
    // The match first, then the receipt: the wallet gives the money back, then the drawer does.
    const entries = (await repo.entriesOf(trx, payment.id, payment.entry_id)).filter((e) => e.reverses_entry_id === null).reverse();
    for (const entry of entries)
      await reverseEntry(trx, deps.clock, entry, {
        idempotencyKey: `payment-cancel:${entry.id}`,
        memo: `Payment ${receiptNumber(payment.receipt_no)} cancelled${reason ? `: ${reason}` : ''}`.slice(0, 500),
        createdBy: actor.principal.userId,
      });
    const reversed = await repo.markReversed(trx, payment.id);
    await audit(trx, deps, actor, 'payment.cancel', reversed, { reason: reason ?? null });
    return detail(trx, actor, payment.id);
  });
}
