/**
 * Receiving money: the one use case every channel ends in (cash at the counter, a bank transfer
 * staff record, an M-PESA confirmation, a Stripe webhook, a reconciliation job, a card). Runs inside
 * the caller's transaction and is idempotent on the event's key (organization, channel, transaction
 * id): the same event again answers the payment already recorded and changes nothing; the same key
 * with another amount or currency is refused.
 *
 * The money lands in the subscriber's wallet (one journal entry from the settlement account), then
 * pays the chosen invoices and the rest of what is unpaid, oldest first; what is left stays in the
 * wallet as prepaid balance. Money collected by one organization for a subscriber of another (an
 * ISP's paybill, a reseller's subscriber) is posted in both books: the collector owes it on, the
 * subscriber's organization holds it in the wallet. Paying the last unpaid invoice unlocks service (the invoice engine's
 * settlement handlers), and a funded wallet renews a prepaid plan that expired unpaid. A payment
 * whose reference names nobody waits in suspense (unapplied payments) until staff match it.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { type Settlement, collectedByOrganization, collectedForOrganization, unappliedPaymentMatched, unappliedPaymentReceived, walletPaysInvoice, walletTopUp } from '../../core/ledger.ts';
import { formatMoney, type Money } from '../../core/money.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB, Invoice } from '../../platform/db/schema.ts';
import type { Payment } from '../../platform/db/schema/payments.ts';
import { type AppError, ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { outstanding, recordAllocations, unpaidStatuses } from '../invoices/invoice-engine.ts';
import { afterAllocation, lockPayable } from '../invoices/invoices.repo.ts';
import { walletFunded, walletFundedForMany } from '../invoices/settlement.ts';
import { type PostEventInput, postEvents } from '../ledger/ledger.service.ts';
import { lockWallets } from '../ledger/ledger.repo.ts';
import * as repo from './payments.repo.ts';

export interface IncomingPayment {
  readonly organizationId: string;
  /** cash, bank_transfer, cheque, mobile_transfer, mpesa, bkash, nagad, stripe, paypal, bank:<code>, card */
  readonly channel: string;
  /** The outside event's own id (TransID, MpesaReceiptNumber, trxID, PaymentIntent id, a receipt number). */
  readonly transactionId: string;
  readonly amount: Money;
  /** The account the money sits in: the cash drawer, the bank, the gateway's clearing account. */
  readonly via: Settlement;
  readonly receivedAt: Date;
  /** The subscriber, when the caller knows it (staff, the portal, an intent started for a subscriber). */
  readonly subscriberId?: string | null;
  /** What the payer gave (account number, phone, invoice number, login); finds the subscriber when none is given. */
  readonly reference?: string | null;
  /** Invoices to pay first, in this order. */
  readonly invoiceIds?: readonly string[];
  /** False: the money stays in the wallet (a top-up); default true. */
  readonly applyToInvoices?: boolean;
  readonly payer?: { readonly name?: string | null; readonly phone?: string | null; readonly email?: string | null };
  readonly memo?: string | null;
  readonly collectorId?: string | null;
  readonly recordedBy?: string | null;
  readonly metadata?: Record<string, unknown>;
}

export interface PaymentAllocation {
  readonly invoiceId: string;
  readonly amount: bigint;
}

export interface ReceivedPayment {
  readonly payment: Payment;
  /** True when this event was recorded before: nothing changed. */
  readonly replayed: boolean;
  /** What this call paid (empty on a replay or for a payment in suspense). */
  readonly allocations: readonly PaymentAllocation[];
}

/** What a reference names: a subscriber, and the invoice to pay first when it is an invoice number. */
export interface Named {
  readonly subscriberId: string;
  readonly invoiceId?: string;
  /** The organization whose books hold the subscriber, when the lookup saw it. */
  readonly books?: string;
}

/**
 * Who references name, for many at once: an account number (what most payers type), an invoice
 * number (that invoice first), a login, a phone; each kind looked up only for what the ones before
 * did not find, one statement per kind. Keyed by the reference as given.
 */
export async function resolveReferences(trx: Transaction<DB>, organizationId: string, references: readonly string[]): Promise<Map<string, Named>> {
  const named = new Map<string, Named>();
  const trimmed = new Map<string, string[]>();
  for (const r of new Set(references)) if (r.trim()) trimmed.set(r.trim(), [...(trimmed.get(r.trim()) ?? []), r]);
  let left = [...trimmed.keys()];
  const found = (ref: string, n: Named) => trimmed.get(ref)!.forEach((given) => named.set(given, n));
  for (const [ref, s] of await repo.subscribersByAccountNumbers(trx, organizationId, left)) found(ref, { subscriberId: s.id, books: s.organizationId });
  left = left.filter((r) => !named.has(trimmed.get(r)![0]!));
  for (const [ref, invoice] of await repo.invoicesByNumbers(trx, organizationId, left)) found(ref, { subscriberId: invoice.subscriber_id, invoiceId: invoice.id });
  left = left.filter((r) => !named.has(trimmed.get(r)![0]!));
  for (const [ref, id] of await repo.subscribersByLogins(trx, organizationId, left)) found(ref, { subscriberId: id });
  left = left.filter((r) => !named.has(trimmed.get(r)![0]!));
  for (const [ref, id] of await repo.subscribersByPhones(trx, organizationId, left)) found(ref, { subscriberId: id });
  return named;
}

/** Who one reference names (see resolveReferences). */
export async function resolveReference(trx: Transaction<DB>, organizationId: string, reference: string): Promise<Named | undefined> {
  return (await resolveReferences(trx, organizationId, [reference])).get(reference);
}

function sameEvent(first: { amount: bigint; currency: string }, p: IncomingPayment): ConflictError | undefined {
  if (first.amount === p.amount.minor && first.currency === p.amount.currency) return undefined;
  return new ConflictError(
    `Transaction ${p.transactionId} on ${p.channel} is already recorded as ${formatMoney({ minor: first.amount, currency: first.currency })}, not ${formatMoney(p.amount)}`,
  );
}

export async function receivePayment(trx: Transaction<DB>, clock: Clock, p: IncomingPayment): Promise<ReceivedPayment> {
  const [received] = await receivePayments(trx, clock, [p]);
  if (!received!.ok) throw received!.error;
  return received!.value;
}

/** One payment's outcome in a batch: received, or refused with the error receivePayment would throw (and nothing written for it). */
export type Received = { readonly ok: true; readonly value: ReceivedPayment } | { readonly ok: false; readonly error: AppError };

const eventOf = (p: IncomingPayment) => `${p.organizationId}|${p.channel}|${p.transactionId}`;

/** A payment of the batch that is new: who it is for and what it pays first. */
interface Fresh {
  readonly index: number;
  readonly p: IncomingPayment;
  subscriberId: string | null;
  firstInvoices: string[];
  books: string;
  /** The subscriber's organization, when finding the subscriber told it. */
  knownBooks?: string;
  entryId?: string;
  payment?: Payment;
}

/**
 * Receives many payments in one transaction with a fixed number of statements whatever their
 * number (a batch of gateway callbacks), with the rules of receivePayment for each: every check
 * that can refuse one is made before anything is written, so one refusal leaves the others whole.
 * Answers each payment's outcome, in order.
 */
export async function receivePayments(trx: Transaction<DB>, clock: Clock, inputs: readonly IncomingPayment[]): Promise<Received[]> {
  const out: (Received | undefined)[] = inputs.map(() => undefined);
  const refuse = (i: number, error: AppError) => (out[i] = { ok: false, error });
  inputs.forEach((p, i) => {
    if (p.amount.minor <= 0n) refuse(i, new UnprocessableError('A payment must be more than zero'));
    else if (!p.subscriberId && !p.reference && !p.payer?.phone) refuse(i, new UnprocessableError('A payment needs a subscriber or a reference to find one by'));
  });
  const live = inputs.flatMap((p, i) => (out[i] ? [] : [{ p, i }]));
  if (live.length === 0) return out as Received[];

  // The same event twice: the first delivery's payment, whichever transaction (or this batch) recorded it.
  await repo.lockEventKeys(trx, live.map(({ p }) => p));
  const recorded = new Map((await repo.findByEvents(trx, live.map(({ p }) => p))).map((x) => [`${x.organization_id}|${x.channel}|${x.transaction_id}`, x]));
  const firstOf = new Map<string, number>();
  const fresh: Fresh[] = [];
  const repeats: { i: number; first: number }[] = [];
  for (const { p, i } of live) {
    const earlier = recorded.get(eventOf(p));
    if (earlier) {
      const conflict = sameEvent(earlier, p);
      out[i] = conflict ? { ok: false, error: conflict } : { ok: true, value: { payment: earlier, replayed: true, allocations: [] } };
    } else if (firstOf.has(eventOf(p))) {
      const first = inputs[firstOf.get(eventOf(p))!]!;
      const conflict = sameEvent({ amount: first.amount.minor, currency: first.amount.currency }, p);
      if (conflict) refuse(i, conflict);
      else repeats.push({ i, first: firstOf.get(eventOf(p))! });
    } else {
      firstOf.set(eventOf(p), i);
      fresh.push({ index: i, p, subscriberId: p.subscriberId ?? null, firstInvoices: [...(p.invoiceIds ?? [])], books: p.organizationId });
    }
  }

  await findSubscribers(trx, fresh);
  const unknown = fresh.filter((f) => f.subscriberId && !f.knownBooks).map((f) => f.subscriberId!);
  const books = await repo.organizationsOfSubscribers(trx, [...new Set(unknown)]);
  for (const f of fresh) {
    if (!f.subscriberId) continue;
    const organizationId = f.knownBooks ?? books.get(f.subscriberId);
    if (organizationId) f.books = organizationId;
    else refuse(f.index, new NotFoundError('Subscriber'));
  }

  // What the payments may pay, locked (invoices before ledger accounts, as everywhere), and the invoices named checked.
  const paying = fresh.filter((f) => !out[f.index] && f.subscriberId && f.p.applyToInvoices !== false);
  const invoices = new Map(
    (await lockPayable(trx, [...new Set(paying.map((f) => f.subscriberId!))], [...new Set(paying.flatMap((f) => f.firstInvoices))])).map((inv) => [inv.id, inv]),
  );
  for (const f of paying) {
    const problem = namedInvoicesProblem(invoices, f.firstInvoices, f.subscriberId!, f.p.amount.currency);
    if (problem) refuse(f.index, problem);
  }

  // The payments first (their entries' ids chosen now), then every entry of the batch in one posting:
  // the money reaching the wallets, then what the wallets pay.
  const ok = fresh.filter((f) => !out[f.index]);
  for (const f of ok) f.entryId = randomUUID();
  const payments = await repo.insertPayments(
    trx,
    ok.map((f) => ({
      organization_id: f.p.organizationId,
      subscriber_id: f.subscriberId,
      channel: f.p.channel,
      transaction_id: f.p.transactionId,
      amount: f.p.amount.minor,
      currency: f.p.amount.currency,
      status: f.subscriberId ? ('applied' as const) : ('unapplied' as const),
      reference: f.p.reference ?? null,
      payer_name: f.p.payer?.name ?? null,
      payer_phone: f.p.payer?.phone ?? null,
      payer_email: f.p.payer?.email ?? null,
      memo: f.p.memo ?? null,
      collector_id: f.p.collectorId ?? null,
      recorded_by: f.p.recordedBy ?? null,
      received_at: f.p.receivedAt,
      entry_id: f.entryId!,
      metadata: f.p.metadata ?? {},
    })),
  );
  const inserted = new Map(payments.map((x) => [`${x.organization_id}|${x.channel}|${x.transaction_id}`, x]));
  for (const f of ok) f.payment = inserted.get(eventOf(f.p));
  const received = ok.flatMap(receivedEntries);
  const plan = await planAllocations(
    trx,
    invoices,
    ok.filter((f) => f.subscriberId && f.p.applyToInvoices !== false).map((f) => ({ payment: f.payment!, subscriberId: f.subscriberId!, books: f.books, firstInvoiceIds: f.firstInvoices, createdBy: f.p.recordedBy ?? null })),
  );
  const posted = await postEvents(trx, clock, [...received, ...plan.entries], { newKeys: true });
  for (const [k, entry] of received.entries())
    // A key posted before this batch (a payment deleted by hand, its entry kept) is answered as a replay: the payment names that entry.
    if (entry.id && posted[k]!.entry.id !== entry.id) await repo.setEntry(trx, ok.find((f) => f.entryId === entry.id)!.payment!.id, posted[k]!.entry.id);
  const allocations = await recordPlanned(trx, clock, invoices, plan, posted.slice(received.length));
  await walletFundedForMany(trx, clock, [...new Map(ok.filter((f) => f.subscriberId).map((f) => [`${f.subscriberId}|${f.p.amount.currency}`, { subscriberId: f.subscriberId!, currency: f.p.amount.currency }])).values()]);

  for (const f of ok) out[f.index] = { ok: true, value: { payment: f.payment!, replayed: false, allocations: allocations.get(f.payment!.id) ?? [] } };
  for (const r of repeats) {
    const first = out[r.first]!;
    out[r.i] = first.ok ? { ok: true, value: { payment: first.value.payment, replayed: true, allocations: [] } } : first;
  }
  return out as Received[];
}

/** Finds the subscriber of each payment that names none: by its reference, else by the payer's phone. */
async function findSubscribers(trx: Transaction<DB>, fresh: readonly Fresh[]): Promise<void> {
  for (const organizationId of new Set(fresh.filter((f) => !f.subscriberId).map((f) => f.p.organizationId))) {
    const unnamed = fresh.filter((f) => !f.subscriberId && f.p.organizationId === organizationId);
    const named = await resolveReferences(trx, organizationId, unnamed.flatMap((f) => (f.p.reference ? [f.p.reference] : [])));
    for (const f of unnamed) {
      const found = f.p.reference ? named.get(f.p.reference) : undefined;
      if (!found) continue;
      f.subscriberId = found.subscriberId;
      f.knownBooks = found.books;
      if (found.invoiceId && !f.firstInvoices.includes(found.invoiceId)) f.firstInvoices.unshift(found.invoiceId);
    }
    const byPhone = unnamed.filter((f) => !f.subscriberId && f.p.payer?.phone);
    if (byPhone.length === 0) continue;
    const phones = await repo.subscribersByPhones(trx, organizationId, byPhone.map((f) => f.p.payer!.phone!));
    for (const f of byPhone) f.subscriberId = phones.get(f.p.payer!.phone!) ?? null;
  }
}

/**
 * The journal entries of a new payment: the money from the settlement account to the subscriber's
 * wallet, or to suspense when it names nobody; money collected by one organization for a subscriber
 * of another is posted in both books (the collector owes it on, the subscriber's organization holds
 * it in the wallet).
 */
function receivedEntries(f: Fresh): PostEventInput[] {
  const p = f.p;
  const key = `payment:${p.channel}:${p.transactionId}`;
  const memo = p.memo ?? `${p.channel} ${p.transactionId}`;
  const common = { idempotencyKey: key, memo, occurredAt: p.receivedAt, createdBy: p.recordedBy ?? null };
  const id = f.entryId;
  if (!f.subscriberId) return [{ ...common, id, organizationId: p.organizationId, kind: 'payment_unapplied', lines: unappliedPaymentReceived({ amount: p.amount, via: p.via }) }];
  if (f.books === p.organizationId) return [{ ...common, id, organizationId: p.organizationId, kind: 'payment', lines: walletTopUp({ subscriberId: f.subscriberId, amount: p.amount, via: p.via }) }];
  return [
    { ...common, id, organizationId: p.organizationId, kind: 'payment', lines: collectedForOrganization({ beneficiaryId: f.books, amount: p.amount, via: p.via }) },
    passedOn({ collectorId: p.organizationId, books: f.books, subscriberId: f.subscriberId, amount: p.amount, key, memo, at: p.receivedAt, by: p.recordedBy ?? null }),
  ];
}

/**
 * A payment collected by one organization for a subscriber of another reaches the subscriber's
 * wallet in the subscriber's organization's books, as owed by the collector (the collector's entry
 * records the debt the other way round).
 */
function passedOn(e: { collectorId: string; books: string; subscriberId: string; amount: Money; key: string; memo: string; at: Date; by: string | null }): PostEventInput {
  return {
    organizationId: e.books,
    kind: 'payment',
    lines: collectedByOrganization({ collectorId: e.collectorId, subscriberId: e.subscriberId, amount: e.amount }),
    idempotencyKey: `${e.key}:passed-on`,
    memo: e.memo,
    occurredAt: e.at,
    createdBy: e.by,
  };
}

interface AllocationJob {
  readonly payment: Payment;
  readonly subscriberId: string;
  /** The organization whose books hold the wallet and the invoices. */
  readonly books: string;
  readonly firstInvoiceIds: readonly string[];
  readonly createdBy: string | null;
  /** True when the payment's money is already posted to the wallet (a matched payment); else it is posted with the plan. */
  readonly inWallet?: boolean;
}

interface AllocationPlan {
  readonly planned: readonly { readonly job: AllocationJob; readonly invoice: Invoice; readonly amount: bigint }[];
  /** One entry from the wallet per invoice paid, in the order of `planned`. */
  readonly entries: readonly PostEventInput[];
}

/**
 * What payments reaching their subscribers' wallets pay: for each, the chosen invoices first, then
 * the unpaid ones oldest first, never more than the payment nor more than the wallet holds (what it
 * held before, under lock, plus the payments of this batch before it). The invoices are those the
 * caller locked (lockPayable) and checked.
 */
async function planAllocations(trx: Transaction<DB>, invoices: ReadonlyMap<string, Invoice>, jobs: readonly AllocationJob[]): Promise<AllocationPlan> {
  if (jobs.length === 0) return { planned: [], entries: [] };
  const walletOf = (j: { books: string; subscriberId: string; currency: string }) => `${j.books}|${j.subscriberId}|${j.currency}`;
  const available = new Map<string, bigint>();
  const groups = new Map(jobs.map((j) => [`${j.books}|${j.payment.currency}`, { books: j.books, currency: j.payment.currency }]));
  for (const g of groups.values()) {
    const ids = [...new Set(jobs.filter((j) => j.books === g.books && j.payment.currency === g.currency).map((j) => j.subscriberId))];
    // A wallet not opened yet holds nothing and has no credit: what the payments bring.
    for (const w of await lockWallets(trx, g.books, g.currency, ids)) available.set(walletOf({ ...g, subscriberId: w.subscriber_id }), w.available);
  }
  const owed = new Map([...invoices.values()].map((inv) => [inv.id, inv]));
  const oldestFirst = [...invoices.values()]
    .filter((inv) => inv.kind === 'invoice' && unpaidStatuses.includes(inv.status as (typeof unpaidStatuses)[number]))
    .sort((a, b) => (a.issued_at?.getTime() ?? Infinity) - (b.issued_at?.getTime() ?? Infinity) || (a.number ?? '').localeCompare(b.number ?? ''));
  const planned: { job: AllocationJob; invoice: Invoice; amount: bigint }[] = [];
  for (const job of jobs) {
    const wallet = walletOf({ books: job.books, subscriberId: job.subscriberId, currency: job.payment.currency });
    if (!job.inWallet) available.set(wallet, (available.get(wallet) ?? 0n) + job.payment.amount);
    else available.set(wallet, available.get(wallet) ?? 0n);
    let left = job.payment.amount;
    const unpaid = oldestFirst.filter((inv) => inv.subscriber_id === job.subscriberId && inv.currency === job.payment.currency).map((inv) => inv.id);
    for (const invoiceId of new Set([...job.firstInvoiceIds, ...unpaid])) {
      if (left <= 0n) break;
      const invoice = owed.get(invoiceId)!;
      if (!unpaidStatuses.includes(invoice.status as (typeof unpaidStatuses)[number])) continue;
      const amount = [outstanding(invoice), left, available.get(wallet)!].reduce((a, b) => (b < a ? b : a));
      if (amount <= 0n) break;
      planned.push({ job, invoice, amount });
      owed.set(invoice.id, { ...invoice, ...afterAllocation(invoice, 'payment', amount) });
      available.set(wallet, available.get(wallet)! - amount);
      left -= amount;
    }
  }
  const entries = planned.map(({ job, invoice, amount }) => ({
    organizationId: job.books,
    kind: 'wallet_deduction',
    lines: walletPaysInvoice({ subscriberId: job.subscriberId, amount: { minor: amount, currency: job.payment.currency } }),
    idempotencyKey: `payment-allocation:${job.payment.id}:${invoice.id}`,
    memo: `Payment ${job.payment.receipt_no} pays invoice ${invoice.number}`,
    createdBy: job.createdBy,
  }));
  return { planned, entries };
}

/** Records what the plan paid, once its entries are posted; answers what each payment paid. */
async function recordPlanned(
  trx: Transaction<DB>,
  clock: Clock,
  invoices: ReadonlyMap<string, Invoice>,
  plan: AllocationPlan,
  posted: readonly { entry: { id: string } }[],
): Promise<Map<string, PaymentAllocation[]>> {
  await recordAllocations(
    trx,
    clock,
    invoices,
    plan.planned.map(({ job, invoice, amount }, k) => ({ invoiceId: invoice.id, source: 'payment' as const, sourceId: job.payment.id, amount, journalEntryId: posted[k]!.entry.id })),
  );
  const done = new Map<string, PaymentAllocation[]>();
  for (const { job, invoice, amount } of plan.planned) done.set(job.payment.id, [...(done.get(job.payment.id) ?? []), { invoiceId: invoice.id, amount }]);
  return done;
}

/** Why invoices a payment names cannot be paid by it (gone, or not this subscriber's invoices in its currency), if they cannot. */
function namedInvoicesProblem(invoices: ReadonlyMap<string, Invoice>, ids: readonly string[], subscriberId: string, currency: string): AppError | undefined {
  for (const id of ids) {
    const invoice = invoices.get(id);
    if (!invoice) return new NotFoundError('Invoice');
    if (invoice.subscriber_id !== subscriberId || invoice.currency !== currency || invoice.kind !== 'invoice')
      return new UnprocessableError(`Invoice ${invoice.number ?? invoice.id} is not one of this subscriber's ${currency} invoices`);
  }
  return undefined;
}

/** Locks and checks the invoices a payment is to pay, then pays them (see allocateLocked). */
async function allocate(trx: Transaction<DB>, clock: Clock, job: AllocationJob): Promise<PaymentAllocation[]> {
  const invoices = new Map((await lockPayable(trx, [job.subscriberId], job.firstInvoiceIds)).map((inv) => [inv.id, inv]));
  const problem = namedInvoicesProblem(invoices, job.firstInvoiceIds, job.subscriberId, job.payment.currency);
  if (problem) throw problem;
  const plan = await planAllocations(trx, invoices, [job]);
  const posted = await postEvents(trx, clock, plan.entries, { newKeys: true });
  return (await recordPlanned(trx, clock, invoices, plan, posted)).get(job.payment.id) ?? [];
}

/**
 * Staff match a payment in suspense to a subscriber: the money moves from unapplied payments to the
 * subscriber's wallet and pays what is owed, as if it had arrived with the right reference.
 */
export async function matchUnapplied(
  trx: Transaction<DB>,
  clock: Clock,
  input: { paymentId: string; subscriberId: string; invoiceIds?: readonly string[]; matchedBy: string | null },
): Promise<ReceivedPayment> {
  const payment = await repo.lockPayment(trx, input.paymentId);
  if (!payment) throw new NotFoundError('Payment');
  if (payment.status !== 'unapplied') throw new ConflictError('This payment is already matched to a subscriber');
  const amount = { minor: payment.amount, currency: payment.currency };
  const books = (await repo.organizationsOfSubscribers(trx, [input.subscriberId])).get(input.subscriberId);
  if (!books) throw new NotFoundError('Subscriber');
  const key = `payment-match:${payment.id}`;
  const memo = `Payment ${payment.receipt_no} matched`;
  const common = { idempotencyKey: key, memo, occurredAt: clock.now(), createdBy: input.matchedBy };
  await postEvents(
    trx,
    clock,
    books === payment.organization_id
      ? [{ ...common, organizationId: payment.organization_id, kind: 'payment_matched', lines: unappliedPaymentMatched({ subscriberId: input.subscriberId, amount }) }]
      : [
          { ...common, organizationId: payment.organization_id, kind: 'payment_matched', lines: collectedForOrganization({ beneficiaryId: books, amount, via: 'unapplied' }) },
          passedOn({ collectorId: payment.organization_id, books, subscriberId: input.subscriberId, amount, key, memo, at: clock.now(), by: input.matchedBy }),
        ],
  );
  const matched = await repo.markMatched(trx, payment.id, { subscriberId: input.subscriberId, at: clock.now(), by: input.matchedBy });
  const allocations = await allocate(trx, clock, { payment: matched, subscriberId: input.subscriberId, books, firstInvoiceIds: input.invoiceIds ?? [], createdBy: input.matchedBy, inWallet: true });
  await walletFunded(trx, clock, input.subscriberId, matched.currency);
  return { payment: matched, replayed: false, allocations };
}
