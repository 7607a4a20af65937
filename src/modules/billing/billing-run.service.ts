/**
 * The billing run's engine: bills every period due by an instant, set-based. A chunk takes the due
 * subscriptions of a few thousand whole subscribers (locked, skipping rows another worker holds),
 * works out their periods and prices them once per group in TypeScript (billing-run.plan.ts), then
 * writes invoices, lines, journal entries and the subscriptions' new state with a dozen statements
 * (billing-run.repo.ts). The invoices are the invoice engine's: the same numbers (the counter row
 * locked until commit), customer snapshot, ledger entry `invoice:<id>` and approval rule.
 *
 * Exactly once: the subscription's row lock and next_bill_at decide what is due; the unique index
 * on (subscription, kind, period start) refuses a second line for a period whatever happens.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AuditActor } from '../../platform/audit/audit.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { ensureAccount } from '../ledger/ledger.service.ts';
import { formatInvoiceNumber, addDays, localDate } from '../invoices/numbering.ts';
import { systemPerformer, transition, unlockAfterPayment } from '../subscriptions/lifecycle.ts';
import { type BillingSettings, billingSettingsOf } from './settings.ts';
import { type DraftInvoice, type PricedSubscriber, LineTemplates, assembleInvoices, entryTemplates, issuedEntryLines, walletEntryLines } from './billing-run.invoices.ts';
import { type SubscriptionPlan, Catalog, graceUntil, needsUsage, planSubscriptions, priceLines, pricingKey } from './billing-run.plan.ts';
import * as repo from './billing-run.repo.ts';
import { type BillingSummary, addInvoices, emptySummary, merge, sampleOf } from './billing-run.summary.ts';

export type { BillingSummary } from './billing-run.summary.ts';

/** Where a test can make a chunk fail, to prove a crash at any step loses only that chunk. */
export type FaultPoint = 'selected' | 'planned' | 'priced' | 'accounts' | 'numbered' | 'invoices' | 'lines' | 'entries' | 'allocations' | 'subscriptions' | 'audited';
export interface BillingFaults {
  at?(point: FaultPoint, chunk: number): void | Promise<void>;
}

export interface BillOptions {
  readonly asOf: Date;
  readonly organizationId?: string;
  readonly subscriptionIds?: readonly string[];
  readonly runId?: string | null;
  /** Work out what would be billed and write nothing. */
  readonly dryRun?: boolean;
  /** Subscriptions per chunk. */
  readonly chunkSize?: number;
  /** This worker's share of the subscribers when several bill one run. */
  readonly partition?: { index: number; count: number };
  readonly actor?: AuditActor;
  readonly faults?: BillingFaults;
}

export const defaultChunkSize = 20_000;
const systemActor: AuditActor = { type: 'system', id: null, label: 'billing run', requestId: null, ip: null };
const performer = systemPerformer('billing run');

export interface ChunkResult {
  readonly summary: BillingSummary;
  /** Subscriptions read (0: nothing due is left after `afterSubscriber`). */
  readonly picked: number;
  /** The last subscriber the chunk covered: the next chunk starts after it. */
  readonly lastSubscriber: string | null;
}

/**
 * Bills, inside the caller's transaction, every period due by `asOf` of the chosen subscriptions
 * (activation and resumption bill one subscription this way). The billing run calls billChunk
 * instead, one transaction per chunk.
 */
export async function billSubscriptions(trx: Transaction<DB>, clock: Clock, opts: BillOptions): Promise<BillingSummary> {
  let summary = emptySummary();
  let after: string | null = null;
  for (let chunk = 1; ; chunk++) {
    const result = await billChunk(trx, clock, opts, after, chunk);
    summary = merge(summary, result.summary);
    if (result.picked === 0) return summary;
    after = result.lastSubscriber;
  }
}

/** A chunk's due subscriptions stop at a subscriber boundary, so each subscriber gets one invoice. */
function wholeSubscribers(picked: repo.DueSubscription[], limit: number): repo.DueSubscription[] {
  if (picked.length < limit) return picked;
  const last = picked.at(-1)!.subscriber_id;
  const whole = picked.filter((s) => s.subscriber_id !== last);
  return whole.length > 0 ? whole : picked;
}

interface Priced {
  readonly plans: SubscriptionPlan[];
  readonly subscribers: PricedSubscriber[];
  readonly templates: LineTemplates;
  readonly failures: { subscriptionId: string; message: string }[];
}

/** Prices every planned period not billed yet; a subscription that cannot be priced is left as it is and reported. */
async function price(trx: Transaction<DB>, cat: Catalog, planned: SubscriptionPlan[]): Promise<Priced> {
  const failures: Priced['failures'] = [];
  const withTerms: { plan: SubscriptionPlan; terms: NonNullable<Awaited<ReturnType<Catalog['terms']>>>[] }[] = [];
  for (const plan of planned) {
    const terms = [];
    for (const p of plan.periods) {
      const t = await cat.terms(p.version, plan.sub.currency);
      if (!t) {
        failures.push({ subscriptionId: plan.sub.id, message: `Plan version ${p.version.id} has no price in ${plan.sub.currency}` });
        break;
      }
      terms.push(t);
    }
    if (terms.length === plan.periods.length) withTerms.push({ plan, terms });
  }
  const periodsOf = (x: (typeof withTerms)[number]) => x.plan.periods.map((p, i) => ({ sub: x.plan.sub, planned: p, terms: x.terms[i]! }));
  const all = withTerms.flatMap(periodsOf).filter((p) => p.planned.period !== null);
  const usageRows = await repo.usageOfPeriods(trx, all.filter((p) => needsUsage(p.terms)).map((p) => ({ subscriptionId: p.sub.id, start: p.planned.period!.start, end: p.planned.period!.end })));
  const usage = new Map<string, Record<string, string>>();
  for (const u of usageRows) {
    const key = `${u.subscription_id}|${u.period_start.getTime()}`;
    usage.set(key, { ...usage.get(key), [u.unit]: u.quantity });
  }
  const billed = await repo.billedPeriods(trx, all.map((p) => ({ subscriptionId: p.sub.id, start: p.planned.period!.start })));

  const templates = new LineTemplates();
  const subscribers: PricedSubscriber[] = [];
  const plans: SubscriptionPlan[] = [];
  for (const x of withTerms) {
    const sub = x.plan.sub;
    try {
      for (const p of periodsOf(x)) {
        if (p.planned.period && billed.has(repo.periodKey(sub.id, p.planned.period.start))) continue;
        const input = {
          sub,
          planned: p.planned,
          terms: p.terms,
          discount: cat.discount(sub, p.planned.period?.start ?? sub.anchor),
          usage: needsUsage(p.terms) && p.planned.period ? (usage.get(`${sub.id}|${p.planned.period.start.getTime()}`) ?? {}) : undefined,
        };
        const lines = templates.of(pricingKey(input), () => priceLines(input));
        subscribers.push({
          organizationId: sub.organization_id,
          subscriberId: sub.subscriber_id,
          currency: sub.currency,
          source: p.planned.plan.billing_model === 'prepaid' ? 'renewal' : 'billing_run',
          periods: [{ subscriptionId: sub.id, templates: lines }],
        });
      }
      plans.push(x.plan);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      failures.push({ subscriptionId: sub.id, message: err.message });
      for (let i = subscribers.length - 1; i >= 0 && subscribers[i]!.periods[0]!.subscriptionId === sub.id; i--) subscribers.splice(i, 1);
    }
  }
  return { plans, subscribers, templates, failures };
}

/** One chunk: select, plan, price, then (unless a dry run) write everything for the chunk's subscribers. */
export async function billChunk(trx: Transaction<DB>, clock: Clock, opts: BillOptions, afterSubscriber: string | null, chunk: number): Promise<ChunkResult> {
  const fault = async (point: FaultPoint) => opts.faults?.at?.(point, chunk);
  const limit = opts.chunkSize ?? defaultChunkSize;
  const dryRun = opts.dryRun ?? false;
  const picked = await repo.dueSubscriptions(trx, { asOf: opts.asOf, organizationId: opts.organizationId, subscriptionIds: opts.subscriptionIds, afterSubscriber, limit, lock: !dryRun, partition: opts.partition });
  if (picked.length === 0) return { summary: emptySummary(), picked: 0, lastSubscriber: null };
  const subs = wholeSubscribers(picked, limit);
  await fault('selected');
  const cat = new Catalog(trx);
  await cat.load(subs);
  const planned = await planSubscriptions(cat, subs, opts.asOf);
  await fault('planned');
  const priced = await price(trx, cat, planned);
  await fault('priced');
  const { invoices } = assembleInvoices(priced.subscribers, priced.templates);
  const billedSubscriptions = new Set(priced.subscribers.flatMap((s) => s.periods.map((p) => p.subscriptionId))).size;
  let summary: BillingSummary = { ...addInvoices(emptySummary(), invoices), subscriptions: billedSubscriptions, failures: priced.failures };
  if (dryRun) return { summary: { ...summary, sample: sampleOf(invoices, priced.templates) }, picked: picked.length, lastSubscriber: subs.at(-1)!.subscriber_id };

  const now = clock.now();
  const advances = new Map(priced.plans.map((p) => [p.sub.id, { ...p.advance }]));
  const events = priced.plans.flatMap((p) => p.events);
  const batches = new Map<string, DraftInvoice[]>();
  for (const invoice of invoices) {
    const key = `${invoice.organizationId}|${invoice.currency}`;
    const batch = batches.get(key);
    if (batch) batch.push(invoice);
    else batches.set(key, [invoice]);
  }
  const settings = new Map<string, BillingSettings>();
  const paidRenewals: string[] = [];
  for (const batch of batches.values()) {
    const org = batch[0]!.organizationId;
    if (!settings.has(org)) settings.set(org, await billingSettingsOf(trx, org));
    const outcome = await writeBatch(trx, now, batch, priced.templates, settings.get(org)!, opts.runId ?? null, fault);
    for (const unpaid of outcome.unpaidRenewals) moveToGrace(unpaid, planned, advances, events, settings.get(org)!, now);
    paidRenewals.push(...outcome.paidRenewals);
  }
  await repo.advanceSubscriptions(trx, now, [...advances.values()]);
  await repo.insertEvents(trx, events);
  for (const plan of priced.plans.filter((p) => p.expiredAt)) {
    const row = await repo.subscriptionRow(trx, plan.sub.id);
    await transition(trx, clock, performer, row, { to: 'suspended', kind: 'suspended', reason: 'expired', set: { next_bill_at: null }, details: { paidThrough: plan.expiredAt!.toISOString() } });
  }
  // A renewal paid for a subscription in grace may end the grace (the invoice engine's unlock on payment).
  const inGrace = new Set(subs.filter((s) => s.status === 'grace').map((s) => s.subscriber_id));
  for (const subscriberId of new Set(paidRenewals.filter((id) => inGrace.has(id)))) await unlockAfterPayment(trx, clock, subscriberId);
  await fault('subscriptions');
  for (const [org, s] of settings) await audit(trx, clock, opts, org, invoices.filter((i) => i.organizationId === org), s);
  await fault('audited');
  summary = { ...summary, subscriptions: billedSubscriptions };
  return { summary, picked: picked.length, lastSubscriber: subs.at(-1)!.subscriber_id };
}

interface BatchOutcome {
  readonly unpaidRenewals: { invoice: DraftInvoice; id: string }[];
  /** Subscribers whose renewal the wallet paid. */
  readonly paidRenewals: string[];
}

/** Writes one organization's invoices in one currency: accounts, numbers, invoices, lines, entries, wallet payments. */
async function writeBatch(
  trx: Transaction<DB>,
  now: Date,
  batch: readonly DraftInvoice[],
  templates: LineTemplates,
  settings: BillingSettings,
  runId: string | null,
  fault: (point: FaultPoint) => Promise<void>,
): Promise<BatchOutcome> {
  const { organizationId, currency } = batch[0]!;
  const issue = !settings.approvalRequired;
  const owing = issue ? batch.filter((i) => i.shape.total > 0n) : [];
  const shapes = [...new Map(owing.map((i) => [i.shape.idx, i.shape])).values()];
  const postings = new Map(shapes.map((s) => [s.idx, { issued: issuedEntryLines(s, currency), wallet: walletEntryLines(s, currency) }]));
  const accountIds = new Map<string, string>();
  for (const key of new Set([...postings.values()].flatMap((p) => p.issued.filter((l) => !l.account.owner).map((l) => l.account.systemKey))))
    accountIds.set(key, (await ensureAccount(trx, { organizationId, account: { systemKey: key }, currency })).id);
  await repo.replan(trx);
  await repo.openReceivables(trx, organizationId, currency, [...new Set(owing.map((i) => i.subscriberId))]);
  const renewals = owing.filter((i) => i.source === 'renewal');
  const wallets = new Map((await repo.lockWallets(trx, organizationId, currency, renewals.map((i) => i.subscriberId))).map((w) => [w.subscriber_id, w.available]));
  const paid = new Set<DraftInvoice>();
  for (const invoice of renewals) {
    const available = wallets.get(invoice.subscriberId) ?? 0n;
    if (available < invoice.shape.total) continue;
    paid.add(invoice);
    wallets.set(invoice.subscriberId, available - invoice.shape.total);
  }
  await fault('accounts');

  const numbers = issue ? await repo.takeInvoiceNumbers(trx, organizationId, batch.length) : null;
  const issueDate = localDate(now, settings.timeZone);
  await fault('numbered');
  const rows = batch.map((invoice, i) => {
    const number = numbers ? formatInvoiceNumber(numbers.format, numbers.first + BigInt(i), issueDate) : null;
    const settled = paid.has(invoice) || (issue && invoice.shape.total === 0n);
    return {
      invoice,
      row: {
        id: randomUUID(),
        subscriber_id: invoice.subscriberId,
        shape: invoice.shape.idx,
        status: !issue ? ('in_review' as const) : settled ? ('paid' as const) : ('open' as const),
        number,
        amount_paid: paid.has(invoice) ? invoice.shape.total : 0n,
        journal_entry_id: issue && invoice.shape.total > 0n ? randomUUID() : null,
      },
    };
  });
  const usedShapes = [...new Map(batch.map((i) => [i.shape.idx, i.shape])).values()];
  await repo.insertInvoices(trx, { organizationId, currency, runId, now, issueDate: issue ? issueDate : null, dueDate: issue ? addDays(issueDate, settings.dueDays) : null, shapes: usedShapes, invoices: rows.map((r) => r.row) });
  await fault('invoices');
  await repo.insertLines(trx, templates.rows, rows.flatMap(({ invoice, row }) => invoice.lines.map((l, n) => ({ invoice_id: row.id, line_no: n + 1, subscription_id: l.subscriptionId, template: l.template }))));
  await fault('lines');

  // Entry templates: 2n for an invoice issued, 2n + 1 for the wallet paying it.
  const entryLines = shapes.flatMap((s) => [...entryTemplates(2 * s.idx, postings.get(s.idx)!.issued, accountIds), ...entryTemplates(2 * s.idx + 1, postings.get(s.idx)!.wallet, accountIds)]);
  const allocations: { invoice_id: string; amount: bigint; journal_entry_id: string }[] = [];
  const entries = rows.flatMap(({ invoice, row }) => {
    if (!row.journal_entry_id) return [];
    const issued = { id: row.journal_entry_id, subscriber_id: row.subscriber_id, template: 2 * invoice.shape.idx, kind: 'invoice_issued', memo: `Invoice ${row.number}`, idempotency_key: `invoice:${row.id}` };
    if (!paid.has(invoice)) return [issued];
    const walletEntry = randomUUID();
    allocations.push({ invoice_id: row.id, amount: invoice.shape.total, journal_entry_id: walletEntry });
    return [issued, { id: walletEntry, subscriber_id: row.subscriber_id, template: 2 * invoice.shape.idx + 1, kind: 'wallet_deduction', memo: `Wallet pays invoice ${row.number}`, idempotency_key: `invoice-wallet:${row.id}:0` }];
  });
  await repo.replan(trx);
  await repo.postEntries(trx, organizationId, currency, now, entryLines, entries);
  await fault('entries');
  await repo.insertWalletAllocations(trx, now, allocations);
  await fault('allocations');
  const unpaidRenewals = rows.filter(({ invoice }) => invoice.source === 'renewal' && invoice.shape.total > 0n && !paid.has(invoice)).map(({ invoice, row }) => ({ invoice, id: row.id }));
  return { unpaidRenewals: issue ? unpaidRenewals : [], paidRenewals: [...paid].map((i) => i.subscriberId) };
}

/** A renewal the wallet could not pay: its subscriptions go into grace from the first unpaid period's start. */
function moveToGrace({ invoice, id }: { invoice: DraftInvoice; id: string }, planned: readonly SubscriptionPlan[], advances: Map<string, repo.SubscriptionAdvance>, events: repo.NewSubscriptionEvent[], settings: BillingSettings, now: Date): void {
  for (const subscriptionId of new Set(invoice.lines.map((l) => l.subscriptionId))) {
    const plan = planned.find((p) => p.sub.id === subscriptionId)!;
    const state = advances.get(subscriptionId)!;
    if (state.status !== 'active') continue;
    const first = plan.periods.find((p) => p.period !== null);
    const start = first?.period?.start ?? now;
    state.status = 'grace';
    state.status_reason = 'unpaid';
    state.grace_until = graceUntil(start, plan.sub.timezone, first?.version.grace_days ?? 0, settings.graceDays);
    events.push({ subscription_id: subscriptionId, kind: 'grace', from_status: 'active', to_status: 'grace', reason: 'unpaid', details: JSON.stringify({ graceUntil: state.grace_until.toISOString(), invoiceId: id }), at: now });
  }
}

async function audit(trx: Transaction<DB>, clock: Clock, opts: BillOptions, organizationId: string, invoices: readonly DraftInvoice[], settings: BillingSettings): Promise<void> {
  if (invoices.length === 0) return;
  const path = await repo.organizationPath(trx, organizationId);
  const totals = addInvoices(emptySummary(), invoices).totals;
  await appendAudit(trx, clock, opts.actor ?? systemActor, {
    action: 'billing.invoices.bill',
    organizationId,
    organizationPath: path,
    objectType: opts.runId ? 'billing_run' : 'subscription',
    objectId: opts.runId ?? opts.subscriptionIds?.[0] ?? null,
    after: {
      invoices: invoices.length,
      approvalRequired: settings.approvalRequired,
      totals: totals.map((t) => ({ currency: t.currency, invoices: t.invoices, total: t.total.toString() })),
    },
  });
}
