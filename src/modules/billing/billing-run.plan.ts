/**
 * What the billing run bills, worked out before anything is written. For each due subscription:
 * the periods due by the run's instant, each found from the schedule's anchor (so billed periods
 * are contiguous), the plan version in force at each period's start (a plan change scheduled for
 * the period end applied on the way), and the state the subscription moves on to. Then prices:
 * once per group of periods that price alike (same version, currency, period, quantity, discount
 * and usage), so a million subscriptions on a few plans cost a few hundred pricings.
 */
import { Temporal } from 'temporal-polyfill';
import { type BillingPeriod, type BillingSchedule, periodContaining } from '../../core/periods.ts';
import { parseDecimal, rational, multiply, toDecimalString } from '../../core/rational.ts';
import type { RateComponent } from '../../core/rating.ts';
import type { Discount } from '../../core/tax.ts';
import { type RoundingRule, formatMoney } from '../../core/money.ts';
import { daysElapsed } from '../../core/proration.ts';
import type { DB, DiscountRow, InvoiceLineKind, PlanVersionRow } from '../../platform/db/schema.ts';
import { type ChargeTerms, chargeTerms, versionInForce } from '../catalog/catalog.service.ts';
import { coreDiscount } from '../catalog/discount-rules.ts';
import { billingSchedule, pricePeriod } from '../catalog/pricing.ts';
import { type NewInvoiceLine, lineFromPriced } from '../invoices/invoice-engine.ts';
import type { Kysely, Transaction } from 'kysely';
import * as repo from './billing-run.repo.ts';
import { type BillingSettings, billingSettingsOf } from './settings.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** A daily plan a year behind; past this the rest waits for the next run (and an invoice stays a readable size). */
const maxPeriodsPerPass = 366;

export interface PlannedPeriod {
  readonly plan: repo.PlanInfo;
  readonly version: PlanVersionRow;
  /** Null for a one-off charge, which has no period. */
  readonly period: BillingPeriod | null;
}

export interface SubscriptionPlan {
  readonly sub: repo.DueSubscription;
  readonly periods: PlannedPeriod[];
  readonly advance: repo.SubscriptionAdvance;
  readonly events: repo.NewSubscriptionEvent[];
  /** A prepaid plan not renewed: it expires at the end of what was paid (the subscriptions module suspends it). */
  readonly expiredAt: Date | null;
}

/**
 * The catalog as the run reads it, remembered for the run's chunk: versions, terms, schedules and
 * periods repeat for thousands of subscriptions, and each costs a query or a time-zone lookup.
 */
export class Catalog {
  readonly #plans = new Map<string, repo.PlanInfo>();
  readonly #versions = new Map<string, PlanVersionRow>();
  readonly #terms = new Map<string, ChargeTerms | null>();
  readonly #schedules = new Map<string, BillingSchedule | null>();
  readonly #periods = new Map<string, BillingPeriod>();
  readonly #discounts = new Map<string, DiscountRow>();
  readonly #settings = new Map<string, BillingSettings>();

  constructor(private readonly db: Db) {}

  async load(subs: readonly repo.DueSubscription[]): Promise<void> {
    const planIds = new Set(subs.flatMap((s) => [s.plan_id, ...(s.pending_plan_id ? [s.pending_plan_id] : [])]));
    for (const p of await repo.plansOf(this.db, [...planIds].filter((id) => !this.#plans.has(id)))) this.#plans.set(p.id, p);
    const discountIds = new Set(subs.flatMap((s) => (s.discount_id && !this.#discounts.has(s.discount_id) ? [s.discount_id] : [])));
    for (const d of await repo.discountsOf(this.db, [...discountIds])) this.#discounts.set(d.id, d);
  }

  plan(id: string): repo.PlanInfo {
    const plan = this.#plans.get(id);
    if (!plan) throw new Error(`plan ${id} was not loaded`);
    return plan;
  }

  async version(plan: repo.PlanInfo, at: Date): Promise<PlanVersionRow> {
    const key = `${plan.id}|${at.getTime()}`;
    let version = this.#versions.get(key);
    if (!version) this.#versions.set(key, (version = await versionInForce(this.db, plan, at)));
    return version;
  }

  async terms(version: PlanVersionRow, currency: string): Promise<ChargeTerms | null> {
    const key = `${version.id}|${currency}`;
    if (!this.#terms.has(key)) this.#terms.set(key, await chargeTerms(this.db, version, currency));
    return this.#terms.get(key)!;
  }

  /** Anniversary cycles depend on the anchor's local date only, validity on the instant, the rest on nothing. */
  schedule(version: PlanVersionRow, sub: repo.DueSubscription): { key: string; schedule: BillingSchedule | null } {
    const anchorPart = version.cycle === 'validity' ? String(sub.anchor.getTime()) : version.alignment === 'anniversary' ? sub.anchor_date : '';
    const key = [version.cycle, version.alignment, version.validity_unit, version.validity_length, sub.timezone, anchorPart].join('|');
    if (!this.#schedules.has(key)) this.#schedules.set(key, billingSchedule(version, sub.anchor, sub.timezone));
    return { key, schedule: this.#schedules.get(key)! };
  }

  period(scheduleKey: string, schedule: BillingSchedule, at: Date): BillingPeriod {
    const key = `${scheduleKey}|${at.getTime()}`;
    let period = this.#periods.get(key);
    if (!period) this.#periods.set(key, (period = periodContaining(schedule, at)));
    return period;
  }

  async settings(organizationId: string): Promise<BillingSettings> {
    let settings = this.#settings.get(organizationId);
    if (!settings) this.#settings.set(organizationId, (settings = await billingSettingsOf(this.db, organizationId)));
    return settings;
  }

  /** The subscription's discount when it applies to a period starting at `at`. */
  discount(sub: repo.DueSubscription, at: Date): DiscountRow | null {
    const d = sub.discount_id ? this.#discounts.get(sub.discount_id) : undefined;
    if (!d || (d.starts_at && at < d.starts_at) || (d.ends_at && at >= d.ends_at)) return null;
    if (d.kind === 'fixed' && d.currency !== sub.currency) return null;
    return d;
  }
}

/** A schedule found from another version's anchor may start before what was billed: periods stay contiguous. */
function from(period: BillingPeriod, billedThrough: Date | null): BillingPeriod {
  return billedThrough && period.start < billedThrough ? { ...period, start: billedThrough } : period;
}

/** When the period that starts at `at` is billed: its start in advance, its end in arrears; null when nothing recurs. */
async function billingInstant(cat: Catalog, planId: string, sub: repo.DueSubscription, at: Date): Promise<Date | null> {
  const version = await cat.version(cat.plan(planId), at);
  const { key, schedule } = cat.schedule(version, sub);
  if (!schedule) return null;
  const period = from(cat.period(key, schedule, at), at);
  return version.charge_timing === 'in_advance' ? period.start : period.end;
}

/**
 * What planning depends on: subscriptions alike in it (the same plan, anchor day and billing state,
 * as most of a month's subscriptions are) share one plan.
 */
function planKey(sub: repo.DueSubscription, cat: Catalog): string {
  // The anchor instant counts for the first period and for prepaid validity, which starts at it.
  const instant = sub.billed_through === null || cat.plan(sub.plan_id).billing_model === 'prepaid' ? sub.anchor.getTime() : '';
  return [sub.plan_id, sub.pending_plan_id, sub.billed_through?.getTime(), sub.next_bill_at.getTime(), sub.anchor_date, instant, sub.timezone, sub.auto_renew].join('|');
}

/** Plans every subscription, once per group of subscriptions alike. */
export async function planSubscriptions(cat: Catalog, subs: readonly repo.DueSubscription[], asOf: Date): Promise<SubscriptionPlan[]> {
  const shared = new Map<string, SubscriptionPlan>();
  const plans: SubscriptionPlan[] = [];
  for (const sub of subs) {
    const key = planKey(sub, cat);
    let model = shared.get(key);
    if (!model) shared.set(key, (model = await planSubscription(cat, sub, asOf)));
    plans.push(
      model.sub === sub
        ? model
        : {
            sub,
            periods: model.periods,
            advance: { ...model.advance, id: sub.id, status: sub.status, status_reason: sub.status_reason, grace_until: sub.grace_until },
            events: model.events.map((e) => ({ ...e, subscription_id: sub.id, from_status: sub.status, to_status: sub.status })),
            expiredAt: model.expiredAt,
          },
    );
  }
  return plans;
}

/** The periods due by `asOf` and the state after billing them (before any wallet decides on a renewal). */
async function planSubscription(cat: Catalog, sub: repo.DueSubscription, asOf: Date): Promise<SubscriptionPlan> {
  const periods: PlannedPeriod[] = [];
  const events: repo.NewSubscriptionEvent[] = [];
  let expiredAt: Date | null = null;
  const state: repo.SubscriptionAdvance = {
    id: sub.id,
    plan_id: sub.plan_id,
    pending_plan_id: sub.pending_plan_id,
    billed_through: sub.billed_through,
    next_bill_at: sub.next_bill_at,
    status: sub.status,
    status_reason: sub.status_reason,
    grace_until: sub.grace_until,
  };
  const applyPendingPlan = (at: Date) => {
    const details = JSON.stringify({ fromPlanId: state.plan_id, toPlanId: state.pending_plan_id, scheduled: true });
    events.push({ subscription_id: sub.id, kind: 'plan_changed', from_status: state.status, to_status: state.status, reason: '', details, at });
    state.plan_id = state.pending_plan_id!;
    state.pending_plan_id = null;
  };

  while (state.next_bill_at !== null && state.next_bill_at <= asOf && periods.length < maxPeriodsPerPass) {
    const start = state.billed_through ?? sub.anchor;
    if (cat.plan(state.plan_id).billing_model === 'prepaid' && !sub.auto_renew && state.billed_through !== null) {
      expiredAt = state.billed_through;
      break;
    }
    // A change scheduled for the period end: the period that starts now is the new plan's (in arrears, the one after the period billed now).
    if (state.pending_plan_id && state.billed_through !== null && (await cat.version(cat.plan(state.plan_id), start)).charge_timing === 'in_advance') applyPendingPlan(start);
    const plan = cat.plan(state.plan_id);
    const version = await cat.version(plan, start);
    const { key, schedule } = cat.schedule(version, sub);
    if (!schedule) {
      periods.push({ plan, version, period: null });
      Object.assign(state, { billed_through: start, next_bill_at: null });
      break;
    }
    const period = from(cat.period(key, schedule, start), state.billed_through);
    const due = version.charge_timing === 'in_advance' ? period.start : period.end;
    if (due > asOf) {
      state.next_bill_at = due;
      break;
    }
    periods.push({ plan, version, period });
    state.billed_through = period.end;
    if (state.pending_plan_id && version.charge_timing === 'in_arrears') applyPendingPlan(period.end);
    state.next_bill_at = await billingInstant(cat, state.plan_id, sub, period.end);
  }
  return { sub, periods, advance: state, events, expiredAt };
}

/** Grace runs from the unpaid period's start for the plan's grace days, else the organization's. */
export function graceUntil(periodStart: Date, timeZone: string, planGraceDays: number, organizationGraceDays: number): Date {
  const days = planGraceDays > 0 ? planGraceDays : organizationGraceDays;
  return new Date(Temporal.Instant.fromEpochMilliseconds(periodStart.getTime()).toZonedDateTimeISO(timeZone).add({ days }).epochMilliseconds);
}

const usageKinds = new Set(['per-unit', 'graduated', 'volume']);

export function needsUsage(terms: ChargeTerms): boolean {
  return terms.components.some((c) => usageKinds.has(c.kind));
}

/** Recurring prices count per unit of the subscription (three static IPs); usage is measured in total. */
function perQuantity(components: readonly RateComponent[], quantity: number): readonly RateComponent[] {
  if (quantity === 1) return components;
  const times = (price: string) => toDecimalString(multiply(parseDecimal(price), rational(BigInt(quantity))), 12);
  return components.map((c) => (c.kind === 'fixed' || c.kind === 'per-day' ? { ...c, price: times(c.price) } : c));
}

function kindOf(descriptionKey: string, oneOff: boolean): InvoiceLineKind {
  if (oneOff) return 'one_time';
  return descriptionKey.startsWith('invoiceLine.usage.') ? 'usage' : 'recurring';
}

/**
 * A subscription has one recurring and one usage line per period (the database's unique index), so
 * a plan rated into several lines of a kind (a fixed and a daily charge, graduated tiers) gets
 * one line of that kind: the sums, with each rated part in its details for the invoice to show.
 */
function combine(kind: InvoiceLineKind, lines: readonly NewInvoiceLine[], currency: string): NewInvoiceLine {
  if (lines.length === 1) return lines[0]!;
  const sum = (f: (l: NewInvoiceLine) => bigint) => lines.reduce((s, l) => s + f(l), 0n);
  const taxes = new Map<string, { code: string; percent: string; amount: bigint }>();
  for (const t of lines.flatMap((l) => l.taxes)) {
    const k = `${t.code}|${t.percent}`;
    taxes.set(k, { ...t, amount: (taxes.get(k)?.amount ?? 0n) + t.amount });
  }
  const amount = sum((l) => l.amount);
  const parts = lines.map((l) => ({ descriptionKey: l.descriptionKey, details: l.details, quantity: l.quantity, unitPrice: l.unitPrice, amount: formatMoney({ minor: l.amount, currency }) }));
  return {
    ...lines[0]!,
    kind,
    descriptionKey: kind === 'usage' ? 'invoiceLine.usage.combined' : 'invoiceLine.recurring.combined',
    details: { parts: JSON.stringify(parts) },
    quantity: '1',
    unitPrice: formatMoney({ minor: amount, currency }),
    amount,
    discount: sum((l) => l.discount ?? 0n),
    net: sum((l) => l.net),
    taxes: [...taxes.values()],
    gross: sum((l) => l.gross),
  };
}

export interface PricingInput {
  readonly sub: repo.DueSubscription;
  readonly planned: PlannedPeriod;
  readonly terms: ChargeTerms;
  readonly discount: DiscountRow | null;
  readonly usage: Readonly<Record<string, string>> | undefined;
  /** The organization's rounding rule for the currency. */
  readonly rounding: RoundingRule;
}

/**
 * Service that began after the first day of the subscription's first period (activation
 * mid-month on a calendar cycle): its recurring charges cover the days from activation on.
 */
function startedWithin(p: Pick<PricingInput, 'sub' | 'planned'>): Date | undefined {
  const period = p.planned.period;
  if (!period || p.sub.billed_through !== null || p.sub.anchor <= period.start || p.sub.anchor >= period.end) return undefined;
  return daysElapsed(period, p.sub.anchor) > 0 ? p.sub.anchor : undefined;
}

/** The key of periods that price alike: everything pricePeriod and the line's metadata depend on. */
export function pricingKey(p: PricingInput): string {
  const usage = p.usage ? Object.entries(p.usage).sort().map(([u, q]) => `${u}=${q}`).join(',') : '';
  const period = p.planned.period ? `${p.planned.period.start.getTime()}-${p.planned.period.end.getTime()}` : `once-${p.sub.anchor.getTime()}`;
  return [p.sub.organization_id, p.planned.version.id, p.terms.currency, period, startedWithin(p)?.getTime() ?? '', p.sub.quantity, p.discount?.id ?? '', usage].join('|');
}

/** Prices one period and gives its invoice lines, at most one per kind; none when nothing is charged. */
export function priceLines(p: PricingInput): NewInvoiceLine[] {
  const { sub, planned, terms } = p;
  const oneOff = planned.period === null;
  const period = planned.period ?? { start: sub.anchor, end: new Date(sub.anchor.getTime() + 86_400_000), timeZone: sub.timezone };
  const discount: Discount | null = p.discount ? coreDiscount(p.discount) : null;
  const price = pricePeriod({
    components: perQuantity(terms.components, sub.quantity),
    currency: terms.currency,
    usage: p.usage,
    period,
    taxClass: terms.taxClass,
    discount,
    rounding: p.rounding,
    from: startedWithin(p),
  });
  const meta = { serviceType: planned.plan.service_type, planVersionId: planned.version.id, periodStart: planned.period?.start ?? null, periodEnd: planned.period?.end ?? null };
  const byKind = new Map<InvoiceLineKind, NewInvoiceLine[]>();
  for (const priced of price.lines) {
    const kind = kindOf(priced.line.descriptionKey, oneOff);
    const line = lineFromPriced(priced, { ...meta, kind });
    const shown = sub.quantity > 1 && kind !== 'usage' ? { ...line, details: { ...line.details, subscriptionQuantity: String(sub.quantity) } } : line;
    byKind.set(kind, [...(byKind.get(kind) ?? []), shown]);
  }
  return [...byKind].map(([kind, lines]) => combine(kind, lines, terms.currency));
}
