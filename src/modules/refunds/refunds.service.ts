/**
 * Refunds, chargebacks and bad-debt write-offs as staff and gateways start them. reversals.ts and
 * write-offs.ts move the money; this file checks who may do what, on what, and audits it.
 *
 * A refund back through the gateway asks the gateway first (outside any transaction, with a refund
 * key so a retry is not a second refund) and then records what it answered exactly as a refund the
 * gateway reports by webhook: keyed on its refund id, so the webhook that follows changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { formatMoney, parseMoney, type Money } from '../../core/money.ts';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Payment } from '../../platform/db/schema/payments.ts';
import { NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import * as invoiceRepo from '../invoices/invoices.repo.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as repo from './refunds.repo.ts';
import { type RefundRequest, mapReversal, mapWriteOff } from './refunds.schemas.ts';
import { type Reversed, chargeBack, checkRefundable, refundToPayer, refundToWallet, takeBack } from './reversals.ts';
import { walletBalance } from '../ledger/wallets.service.ts';
import { adapterOf, openCredentials } from '../gateways/credentials.ts';
import { accountByKind } from '../gateways/gateways.repo.ts';
import { reverseWriteOff, writeOffInvoice } from './write-offs.ts';

export type Deps = Pick<AppContext, 'db' | 'clock'>;
type GatewayDeps = Deps & Pick<AppContext, 'secrets'>;
type Trx = Transaction<DB>;

function amountOf(text: string, currency: string): Money {
  try {
    return parseMoney(text, currency);
  } catch (err) {
    if (err instanceof RangeError) throw new UnprocessableError(err.message, [{ field: 'amount', message: err.message }]);
    throw err;
  }
}

async function audit(trx: Trx, clock: Clock, actor: AuditActor, action: string, organizationId: string, objectType: string, objectId: string, after: unknown, before?: unknown) {
  const org = await orgRepo.findById(trx, organizationId);
  await appendAudit(trx, clock, actor, { action, organizationId, organizationPath: org?.path ?? null, objectType, objectId, before, after });
}

async function paymentInScope(trx: Trx, actor: Actor, id: string): Promise<Payment> {
  const payment = await repo.paymentInScope(trx, actor.principal.scope, id);
  if (!payment) throw new NotFoundError('Payment');
  return payment;
}

async function standing(db: Trx | Deps['db'], paymentId: string) {
  const p = (await db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirstOrThrow()) as Payment;
  const m = (minor: bigint) => formatMoney({ minor, currency: p.currency });
  return {
    id: p.id,
    receiptNo: p.receipt_no.toString(),
    subscriberId: p.subscriber_id,
    channel: p.channel,
    currency: p.currency,
    status: p.status,
    amount: m(p.amount),
    amountRefunded: m(p.amount_refunded),
    refundable: m(p.status === 'reversed' || p.status === 'unapplied' ? 0n : p.amount - p.amount_refunded),
    invoiceIds: await repo.invoicesPaidBy(db, p.id),
  };
}

async function result(trx: Trx | Deps['db'], done: Reversed) {
  return { reversal: mapReversal(done.reversal), replayed: done.replayed, payment: await standing(trx, done.reversal.payment_id) };
}

/** A refund of a payment, to the payer (cash, bank, back through the gateway) or to the wallet; see reversals.ts. */
export async function refund(deps: GatewayDeps, actor: Actor, paymentId: string, input: RefundRequest) {
  requirePermission(actor, 'payments.update');
  if (input.destination === 'gateway') return refundThroughGateway(deps, actor, paymentId, input);
  return deps.db.transaction().execute(async (trx) => {
    const payment = await paymentInScope(trx, actor, paymentId);
    const common = { paymentId: payment.id, key: input.key ?? randomUUID(), reason: input.reason, createdBy: actor.principal.userId };
    const done =
      input.destination === 'wallet'
        ? await refundToWallet(trx, deps.clock, { ...common, invoiceId: input.invoiceId, lineNos: input.lineNos })
        : await refundToPayer(trx, deps.clock, { ...common, destination: input.destination, amount: amountOf(input.amount, payment.currency), creditNote: input.creditNote });
    if (!done.replayed) await audit(trx, deps.clock, actor.audit, 'payment.refund', payment.organization_id, 'payment', payment.id, mapReversal(done.reversal));
    return result(trx, done);
  });
}

async function refundThroughGateway(deps: GatewayDeps, actor: Actor, paymentId: string, input: { amount: string; reason: string; key?: string }) {
  const payment = await repo.paymentInScope(deps.db, actor.principal.scope, paymentId);
  if (!payment) throw new NotFoundError('Payment');
  const amount = amountOf(input.amount, payment.currency);
  const key = input.key ?? randomUUID();
  const earlier = await repo.findReversal(deps.db, payment.organization_id, payment.id, key);
  if (earlier) return result(deps.db, { reversal: earlier, replayed: true });
  checkRefundable(payment, amount);
  const account = await accountByKind(deps.db, payment.organization_id, payment.channel);
  if (!account) throw new UnprocessableError(`This payment came by ${payment.channel}, which has no gateway account here to refund through: refund in cash or by bank transfer`);
  const adapter = adapterOf(account);
  if (!adapter.refund) throw new UnprocessableError(`${payment.channel} cannot refund through its API: refund in cash or by bank transfer`);
  const { balance } = await walletBalance(deps.db, { organizationId: payment.organization_id, subscriberId: payment.subscriber_id!, currency: payment.currency });
  if (balance.minor < amount.minor)
    throw new UnprocessableError(
      `The subscriber's wallet holds ${formatMoney(balance)} ${payment.currency}, less than the ${formatMoney(amount)} ${payment.currency} to refund: what the payment paid on invoices comes back to the wallet through a credit note first`,
      [{ field: 'amount', message: `the wallet holds ${formatMoney(balance)}` }],
    );
  let answered: { refundId: string };
  try {
    answered = await adapter.refund(openCredentials(deps.secrets, account), { transactionId: payment.transaction_id, amount, reason: input.reason, refundKey: `${payment.id}:${key}` });
  } catch (err) {
    throw new UnprocessableError(`${payment.channel} did not refund: ${(err as Error).message}`);
  }
  return deps.db.transaction().execute(async (trx) => {
    const locked = (await repo.lockPaymentByEvent(trx, payment.organization_id, payment.channel, payment.transaction_id))!;
    const done = await takeBack(trx, deps.clock, locked, {
      kind: 'refund',
      amount,
      key,
      reason: input.reason,
      createdBy: actor.principal.userId,
      occurredAt: deps.clock.now(),
      external: { channel: payment.channel, id: answered.refundId },
    });
    if (!done.replayed) await audit(trx, deps.clock, actor.audit, 'payment.refund', payment.organization_id, 'payment', payment.id, mapReversal(done.reversal));
    return result(trx, done);
  });
}

/** A chargeback the bank or gateway notified: the payment's money is taken back and its invoices reopen. */
export async function recordChargeback(deps: Deps, actor: Actor, paymentId: string, input: { amount?: string; reason: string; key?: string }) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const payment = await paymentInScope(trx, actor, paymentId);
    const done = await chargeBack(trx, deps.clock, {
      paymentId: payment.id,
      amount: input.amount ? amountOf(input.amount, payment.currency) : undefined,
      key: input.key ?? randomUUID(),
      reason: input.reason,
      createdBy: actor.principal.userId,
    });
    if (!done.replayed) await audit(trx, deps.clock, actor.audit, 'payment.chargeback', payment.organization_id, 'payment', payment.id, mapReversal(done.reversal));
    return result(trx, done);
  });
}

export async function listReversals(deps: Deps, actor: Actor, paymentId: string) {
  requirePermission(actor, 'payments.read');
  const payment = await repo.paymentInScope(deps.db, actor.principal.scope, paymentId);
  if (!payment) throw new NotFoundError('Payment');
  return { payment: await standing(deps.db, payment.id), items: (await repo.reversalsOf(deps.db, payment.id)).map(mapReversal) };
}

const gatewayActor: AuditActor = { type: 'system', id: null, label: 'payment gateway', requestId: null, ip: null };

/** A refund or chargeback the gateway reports (webhook or query); idempotent on (channel, refundId). */
export async function recordGatewayReversal(
  trx: Transaction<DB>,
  clock: Clock,
  e: { organizationId: string; channel: string; transactionId: string; refundId: string; amount: Money; kind: 'refunded' | 'charged_back'; occurredAt: Date },
): Promise<{ applied: boolean }> {
  const payment = await repo.lockPaymentByEvent(trx, e.organizationId, e.channel, e.transactionId);
  if (!payment) throw new NotFoundError(`Payment ${e.transactionId} on ${e.channel}`);
  const kind = e.kind === 'charged_back' ? 'chargeback' : 'refund';
  const done = await takeBack(trx, clock, payment, {
    kind,
    amount: e.amount,
    key: `${e.channel}:${e.refundId}`.slice(0, 120),
    reason: kind === 'chargeback' ? 'Charged back by the gateway' : 'Refunded through the gateway',
    createdBy: null,
    occurredAt: e.occurredAt,
    external: { channel: e.channel, id: e.refundId },
  });
  if (!done.replayed) await audit(trx, clock, gatewayActor, `payment.gateway_${kind}`, payment.organization_id, 'payment', payment.id, mapReversal(done.reversal));
  return { applied: !done.replayed };
}

export async function writeOff(deps: Deps, actor: Actor, invoiceId: string, input: { reason: string }) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const invoice = await invoiceRepo.findInScope(trx, actor.principal.scope, invoiceId);
    if (!invoice) throw new NotFoundError('Invoice');
    const done = await writeOffInvoice(trx, deps.clock, { invoiceId: invoice.id, reason: input.reason, createdBy: actor.principal.userId });
    await audit(trx, deps.clock, actor.audit, 'invoice.write_off', invoice.organization_id, 'invoice', invoice.id, mapWriteOff(done));
    return mapWriteOff(done);
  });
}

export async function undoWriteOff(deps: Deps, actor: Actor, writeOffId: string, input: { reason: string }) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const found = await repo.writeOffInScope(trx, actor.principal.scope, writeOffId);
    if (!found) throw new NotFoundError('Write-off');
    const done = await reverseWriteOff(trx, deps.clock, { writeOffId: found.id, reason: input.reason, createdBy: actor.principal.userId });
    await audit(trx, deps.clock, actor.audit, 'invoice.write_off_reversed', done.organization_id, 'invoice', done.invoice_id, mapWriteOff(done), mapWriteOff(found));
    return mapWriteOff(done);
  });
}

export async function listWriteOffs(deps: Deps, actor: Actor, query: { subscriberId?: string; limit: number }) {
  requirePermission(actor, 'payments.read');
  return { items: (await repo.listWriteOffs(deps.db, actor.principal.scope, query)).map(mapWriteOff) };
}

export async function writeOffsOfInvoice(deps: Deps, actor: Actor, invoiceId: string) {
  requirePermission(actor, 'payments.read');
  const invoice = await invoiceRepo.findInScope(deps.db, actor.principal.scope, invoiceId);
  if (!invoice) throw new NotFoundError('Invoice');
  return { items: (await repo.writeOffsOfInvoice(deps.db, invoice.id)).map(mapWriteOff) };
}
