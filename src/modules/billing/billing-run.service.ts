/**
 * The billing run's engine: bills every period due by an instant, set-based. A chunk takes the due
 * subscriptions of a range of whole subscribers (about 20,000 subscriptions; locked, skipping rows
 * another worker holds), works out their periods and prices them once per group in TypeScript
 * (billing-run.plan.ts), then writes invoices, lines, journal entries and the subscriptions' new
 * state with a dozen statements (billing-run.repo.ts, billing-run.write.ts). The invoices are the invoice engine's: the same numbers (the counter row
 * locked until commit), customer snapshot, ledger entry `invoice:<id>` and approval rule.
 *
 * Exactly once: the subscription's row lock and next_bill_at decide what is due; the unique index
 * on (subscription, kind, period start) refuses a second line for a period whatever happens.
 */
import type { Transaction } from 'kysely';
import type { AuditActor } from '../../platform/audit/audit.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { systemPerformer, transition, unlockAfterPayment } from '../subscriptions/lifecycle.ts';
import type { BillingSettings } from './settings.ts';
import { type DraftInvoice, type PricedSubscriber, LineTemplates, assembleInvoices } from './billing-run.invoices.ts';
import { type PreparedBatch, type PreparedInvoice, paidRenewals, postBatch, prepareBatch, unpaidRenewals, writeBatch, writeLines } from './billing-run.write.ts';
import { type SubscriptionPlan, Catalog, graceUntil, needsUsage, planSubscriptions, priceLines, pricingKey } from './billing-run.plan.ts';
import * as repo from './billing-run.repo.ts';
import { type BillingSummary, addInvoices, emptySummary, merge, sampleOf } from './billing-run.summary.ts';

export type { BillingSummary } from './billing-run.summary.ts';

/** Where a test can make a chunk fail, to prove a crash at any step loses only that chunk. */
export type FaultPoint = 'selected' | 'planned' | 'priced' | 'accounts' | 'subscriptions' | 'numbered' | 'invoices' | 'lines' | 'entries' | 'allocations' | 'audited';
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
  /** Subscriptions per chunk, about: a chunk ends with a subscriber's last subscription. */
  readonly chunkSize?: number;
  readonly actor?: AuditActor;
  readonly faults?: BillingFaults;
  /**
   * Look up which periods already hold a line and leave them out. Without it the unique index
   * refuses a second line for a period (the chunk fails and the run redoes it with the lookup):
   * a lookup per period that a healthy run never needs.
   */
  readonly prefilter?: boolean;
}

/** The unique index on (subscription, kind, period start) refused a line: some period was billed already. */
export function isPeriodBilledTwice(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e?.code === '23505' && (e.constraint === 'invoice_lines_period_key' || /invoice_lines_period_key/.test(e.message ?? ''));
}

export const defaultChunkSize = 20_000;
const systemActor: AuditActor = { type: 'system', id: null, label: 'billing run', requestId: null, ip: null };

export interface ChunkResult {
  readonly summary: BillingSummary;
  /** Due subscriptions the chunk found in its range. */
  readonly picked: number;
}

/**
 * Bills, inside the caller's transaction, every period due by `asOf` of the chosen subscriptions
 * (activation and resumption bill one subscription this way). The billing run calls billChunk
 * instead, one transaction per chunk.
 */
export async function billSubscriptions(trx: Transaction<DB>, clock: Clock, opts: BillOptions): Promise<BillingSummary> {
  let summary = emptySummary();
  const ranges = await repo.subscriberRanges(trx, opts, opts.chunkSize ?? defaultChunkSize);
  // The caller's transaction cannot be retried: look first.
  for (const [i, range] of ranges.entries()) summary = merge(summary, (await billChunk(trx, clock, { ...opts, prefilter: true }, range, i + 1)).summary);
  return summary;
}

interface Priced {
  readonly plans: SubscriptionPlan[];
  readonly subscribers: PricedSubscriber[];
  readonly templates: LineTemplates;
  readonly failures: { subscriptionId: string; message: string }[];
}

/** Prices every planned period not billed yet; a subscription that cannot be priced is left as it is and reported. */
async function price(trx: Transaction<DB>, cat: Catalog, planned: SubscriptionPlan[], prefilter: boolean): Promise<Priced> {
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
  const billed = prefilter ? await repo.billedPeriods(trx, all.map((p) => ({ subscriptionId: p.sub.id, start: p.planned.period!.start }))) : new Set<string>();

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
          rounding: (await cat.settings(sub.organization_id)).rounding(sub.currency),
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
export async function billChunk(trx: Transaction<DB>, clock: Clock, opts: BillOptions, range: repo.SubscriberRange, chunk: number): Promise<ChunkResult> {
  const fault = async (point: FaultPoint) => opts.faults?.at?.(point, chunk);
  const dryRun = opts.dryRun ?? false;
  await repo.withoutJit(trx);
  const subs = await repo.dueSubscriptions(trx, opts, range, !dryRun);
  if (subs.length === 0) return { summary: emptySummary(), picked: 0 };
  await fault('selected');
  const cat = new Catalog(trx);
  await cat.load(subs);
  const planned = await planSubscriptions(cat, subs, opts.asOf);
  await fault('planned');
  const priced = await price(trx, cat, planned, opts.prefilter ?? false);
  await fault('priced');
  const { invoices } = assembleInvoices(priced.subscribers, priced.templates);
  const billedSubscriptions = new Set(priced.subscribers.flatMap((s) => s.periods.map((p) => p.subscriptionId))).size;
  let summary: BillingSummary = { ...addInvoices(emptySummary(), invoices), subscriptions: billedSubscriptions, failures: priced.failures };
  if (dryRun) return { summary: { ...summary, sample: sampleOf(invoices, priced.templates) }, picked: subs.length };

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
  const prepared: PreparedBatch[] = [];
  // In organization order: a chunk spanning organizations takes their invoice counters in one order.
  for (const batch of [...batches.values()].sort((a, b) => a[0]!.organizationId.localeCompare(b[0]!.organizationId))) {
    const org = batch[0]!.organizationId;
    if (!settings.has(org)) settings.set(org, await cat.settings(org));
    prepared.push(await prepareBatch(trx, batch, settings.get(org)!));
  }
  await fault('accounts');
  const plans = new Map(planned.map((p) => [p.sub.id, p]));
  for (const p of prepared) for (const unpaid of unpaidRenewals(p)) moveToGrace(unpaid, plans, advances, events, p.settings, now);
  // The subscriptions move on, the lines are written and the entries posted before the invoice counter
  // is locked: the part of a chunk that waits for another worker's commit is kept to the invoices.
  await repo.advanceSubscriptions(trx, now, [...advances.values()]);
  await repo.insertEvents(trx, events);
  await fault('subscriptions');
  await writeLines(trx, prepared, priced.templates);
  await fault('lines');
  for (const p of prepared) await postBatch(trx, now, p, fault);
  for (const p of prepared) await writeBatch(trx, now, p, opts.runId ?? null, fault);
  // Audited moves come after the counter's lock, as every audit entry does (its chain lock is held to commit).
  for (const plan of priced.plans.filter((p) => p.expiredAt)) {
    const row = await repo.subscriptionRow(trx, plan.sub.id);
    await transition(trx, clock, systemPerformer('billing run'), row, { to: 'suspended', kind: 'suspended', reason: 'expired', set: { next_bill_at: null }, details: { paidThrough: plan.expiredAt!.toISOString() } });
  }
  // A renewal paid for a subscription in grace may end the grace (the invoice engine's unlock on payment).
  const inGrace = new Set(subs.filter((s) => s.status === 'grace').map((s) => s.subscriber_id));
  for (const subscriberId of new Set(prepared.flatMap(paidRenewals).filter((id) => inGrace.has(id)))) await unlockAfterPayment(trx, clock, subscriberId);
  for (const [org, s] of settings) await audit(trx, clock, opts, org, invoices.filter((i) => i.organizationId === org), s);
  await fault('audited');
  summary = { ...summary, subscriptions: billedSubscriptions };
  return { summary, picked: subs.length };
}

/** A renewal the wallet could not pay: its subscriptions go into grace from the first unpaid period's start. */
function moveToGrace(
  { invoice, id }: PreparedInvoice,
  plans: ReadonlyMap<string, SubscriptionPlan>,
  advances: Map<string, repo.SubscriptionAdvance>,
  events: repo.NewSubscriptionEvent[],
  settings: BillingSettings,
  now: Date,
): void {
  for (const subscriptionId of new Set(invoice.lines.map((l) => l.subscriptionId))) {
    const plan = plans.get(subscriptionId)!;
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
