/**
 * Upgrades and downgrades. Now: the current period is prorated by day (src/core proration) into a
 * credit line and a charge line on a plan-change invoice, issued at once; a net charge on a prepaid
 * plan is paid from the wallet or the change is refused, a net credit goes to the wallet. At
 * period end: the plan waits in pending_plan_id and the billing run bills the next period on it.
 * The preview computes exactly what the change would write, and writes nothing.
 */
import type { Transaction } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import { type Money, formatMoney, zeroMoney } from '../../core/money.ts';
import { type BillingPeriod, elapsedDays, periodContaining } from '../../core/periods.ts';
import { immediatePlanChangeLines } from '../../core/subscription-lifecycle.ts';
import { type TaxedLine, invoiceTotals, taxLine } from '../../core/tax.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { DB, InvoiceLineKind, PlanVersionRow } from '../../platform/db/schema.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { billingSettingsOf } from '../billing/settings.ts';
import { type ChargeTerms, chargeTerms } from '../catalog/catalog.service.ts';
import { coreDiscount } from '../catalog/discount-rules.ts';
import { mapPeriodPrice } from '../catalog/pricing.schemas.ts';
import { type PricedLine, billingSchedule, pricePeriod } from '../catalog/pricing.ts';
import { createInvoice, lineFromPriced, payFromWallet, unpaidStatuses } from '../invoices/invoice-engine.ts';
import { walletBalance } from '../ledger/wallets.service.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import { currentPeriod } from './billing-terms.ts';
import { performerOf, recordEvent } from './lifecycle.ts';
import type { PlanChangeInput, PlanChangePreview } from './plan-change.schemas.ts';
import { planForSale, pricedVersion } from './sale.ts';
import * as repo from './subscriptions.repo.ts';
import type { SubscriptionRow } from './subscriptions.schemas.ts';
import { type Deps, detail } from './subscriptions.service.ts';

type Trx = Transaction<DB>;

interface Side {
  readonly plan: repo.PlanSummary;
  readonly version: PlanVersionRow;
  readonly terms: ChargeTerms;
}

interface ChangeLine {
  readonly priced: PricedLine;
  readonly kind: InvoiceLineKind;
  readonly side: Side;
  readonly start: Date;
  readonly end: Date;
}

interface Computed {
  readonly sub: SubscriptionRow;
  readonly to: repo.PlanSummary;
  readonly preview: PlanChangePreview;
  readonly lines: readonly ChangeLine[];
}

const show = (m: Money) => `${formatMoney(m)} ${m.currency}`;

/** The plan's price of the period before tax, with the subscription's discount when it covers the plan, times the quantity. */
async function periodPrice(trx: Trx, sub: SubscriptionRow, side: Side, period: BillingPeriod): Promise<Money> {
  const sold = sub.discount_id ? await repo.discountOf(trx, sub.discount_id) : undefined;
  const covers = sold && (sold.planIds.length === 0 || sold.planIds.includes(side.plan.id));
  const price = pricePeriod({ components: side.terms.components, currency: sub.currency, period, taxClass: null, discount: covers ? coreDiscount(sold.discount) : null });
  return { minor: price.totals.net.minor * BigInt(sub.quantity), currency: sub.currency };
}

/** Lines of an immediate change over the current period; none when no day has been billed either way. */
async function prorate(trx: Trx, sub: SubscriptionRow, now: Date, period: BillingPeriod, from: Side, to: Side): Promise<ChangeLine[]> {
  const schedule = billingSchedule(to.version, sub.activated_at ?? now, period.timeZone);
  const theirs = schedule && periodContaining(schedule, now);
  if (!theirs || theirs.start.getTime() !== period.start.getTime() || theirs.end.getTime() !== period.end.getTime() || to.version.charge_timing !== from.version.charge_timing)
    throw new UnprocessableError(`The plan ${to.plan.code} is billed over other periods than ${from.plan.code}: change at period end`, [{ field: 'when', message: 'must be period_end for plans with other billing periods' }]);
  const timing = from.version.charge_timing;
  if (timing === 'in_advance' ? !sub.billed_through || sub.billed_through < period.end : sub.billed_through && sub.billed_through > period.start)
    throw new ConflictError('The current period is not invoiced yet: change the plan once it is, or at period end');

  const settings = await billingSettingsOf(trx, sub.organization_id);
  const rounding = settings.rounding(sub.currency);
  let change;
  try {
    change = immediatePlanChangeLines({ period, at: now, oldPrice: await periodPrice(trx, sub, from, period), newPrice: await periodPrice(trx, sub, to, period), timing, rounding });
  } catch (err) {
    if (err instanceof RangeError) throw new UnprocessableError(`The period cannot be prorated by day: ${err.message}`, [{ field: 'when', message: 'must be period_end' }]);
    throw err;
  }
  // Where the days before the change end and the days from it begin (the whole day of the change is the new plan's).
  const boundary = new Date(Temporal.Instant.fromEpochMilliseconds(period.start.getTime()).toZonedDateTimeISO(period.timeZone).add({ days: elapsedDays(period.start, now, period.timeZone) }).epochMilliseconds);
  const taxed = (amount: Money, side: Side): TaxedLine => (side.terms.taxClass ? taxLine(amount, side.terms.taxClass, rounding) : { net: amount, taxes: [], gross: amount });
  const line = (l: typeof change.credit, kind: InvoiceLineKind, side: Side, start: Date, end: Date): ChangeLine => ({ priced: { line: l, discount: zeroMoney(sub.currency), taxed: taxed(l.amount, side) }, kind, side, start, end });
  if (timing === 'in_advance') return [line(change.credit, 'proration_credit', from, boundary, period.end), line(change.charge, 'proration_charge', to, boundary, period.end)];
  if (boundary.getTime() === period.start.getTime()) return [];
  return [line(change.charge, 'proration_charge', from, period.start, boundary), line(change.credit, 'proration_credit', to, period.start, boundary)];
}

async function compute(trx: Trx, deps: Deps, actor: Actor, sub: SubscriptionRow, input: PlanChangeInput): Promise<Computed> {
  if (!['pending', 'active', 'grace'].includes(sub.status)) throw new ConflictError(`The subscription is ${sub.status} and cannot change plan`, [{ field: 'status', message: `is ${sub.status}` }]);
  if (input.planId === sub.plan_id) throw new UnprocessableError('The subscription is already on this plan', [{ field: 'planId', message: 'is the current plan' }]);
  const now = deps.clock.now();
  const org = (await orgRepo.findById(trx, sub.organization_id))!;
  const toPlan = await planForSale(trx, actor.principal.scope, org, input.planId);
  const toVersion = await pricedVersion(trx, toPlan, sub.currency, now, 'planId');
  const base = { subscriptionId: sub.id, fromPlanId: sub.plan_id, toPlanId: toPlan.id, when: input.when, currency: sub.currency, wallet: null };
  const none = mapPeriodPrice({ lines: [], discount: zeroMoney(sub.currency), totals: invoiceTotals([], sub.currency) });
  if (sub.status === 'pending') return { sub, to: toPlan, lines: [], preview: { ...base, effectiveAt: new Date(sub.starts_at).toISOString(), period: null, ...none } };

  const current = await currentPeriod(trx, sub, now);
  if (!current) throw new UnprocessableError('A one-off charge has no period to change in', [{ field: 'planId', message: 'replaces a one-off charge' }]);
  const { period } = current;
  const span = (p: BillingPeriod) => ({ start: p.start.toISOString(), end: p.end.toISOString() });
  if (input.when === 'period_end') return { sub, to: toPlan, lines: [], preview: { ...base, effectiveAt: period.end.toISOString(), period: span(period), ...none } };
  const side = async (plan: repo.PlanSummary, version: PlanVersionRow): Promise<Side> => ({ plan, version, terms: (await chargeTerms(trx, version, sub.currency))! });
  const from = await side(current.terms.plan, current.terms.version);
  const lines = await prorate(trx, sub, now, period, from, await side(toPlan, toVersion));
  const priced = mapPeriodPrice({ lines: lines.map((l) => l.priced), discount: zeroMoney(sub.currency), totals: invoiceTotals(lines.map((l) => l.priced.taxed), sub.currency) });
  const preview: PlanChangePreview = { ...base, effectiveAt: now.toISOString(), period: span(period), ...priced };
  if (toPlan.billing_model !== 'prepaid') return { sub, to: toPlan, lines, preview };
  const { available } = await walletBalance(trx, { organizationId: sub.organization_id, subscriberId: sub.subscriber_id, currency: sub.currency });
  const gross = lines.reduce((s, l) => s + l.priced.taxed.gross.minor, 0n);
  const short = gross > available.minor ? gross - available.minor : 0n;
  return { sub, to: toPlan, lines, preview: { ...preview, wallet: { available: formatMoney(available), short: formatMoney({ minor: short, currency: sub.currency }) } } };
}

async function found(trx: Trx, actor: Actor, id: string, lock: boolean): Promise<SubscriptionRow> {
  const sub = await (lock ? repo.lockInScope(trx, actor.principal.scope, id) : repo.findInScope(trx, actor.principal.scope, id));
  if (!sub) throw new NotFoundError('Subscription');
  return sub;
}

export async function previewPlanChange(deps: Deps, actor: Actor, id: string, input: PlanChangeInput): Promise<PlanChangePreview> {
  requirePermission(actor, 'subscriptions.update');
  // One snapshot, read by the same code as the change: the preview is what the change would write.
  return deps.db.transaction().execute(async (trx) => (await compute(trx, deps, actor, await found(trx, actor, id, false), input)).preview);
}

export async function changePlan(deps: Deps, actor: Actor, id: string, input: PlanChangeInput) {
  requirePermission(actor, 'subscriptions.update');
  return deps.db.transaction().execute(async (trx) => {
    const { sub, to, lines, preview } = await compute(trx, deps, actor, await found(trx, actor, id, true), input);
    const by = performerOf(actor);
    const now = deps.clock.now();
    if (sub.status !== 'pending' && input.when === 'period_end') {
      await repo.update(trx, [sub.id], { pending_plan_id: to.id, updated_at: now });
      await recordEvent(trx, deps.clock, by, sub, { kind: 'plan_change_scheduled', details: { fromPlanId: sub.plan_id, toPlanId: to.id, effectiveAt: preview.effectiveAt } });
      return { ...preview, invoiceId: null };
    }
    let invoiceId: string | null = null;
    if (lines.length > 0) {
      const invoice = await createInvoice(trx, deps.clock, {
        organizationId: sub.organization_id,
        subscriberId: sub.subscriber_id,
        currency: sub.currency,
        source: 'plan_change',
        lines: lines.map((l) => lineFromPriced(l.priced, { kind: l.kind, serviceType: l.side.plan.service_type, subscriptionId: sub.id, planVersionId: l.side.version.id, periodStart: l.start, periodEnd: l.end })),
        periodStart: new Date(preview.period!.start),
        periodEnd: new Date(preview.period!.end),
        memo: `Plan change ${sub.plan_code} → ${to.code}`,
        createdBy: actor.principal.userId,
        mode: 'issue',
      });
      invoiceId = invoice.id;
      const owed = invoice.total - invoice.amount_paid;
      if (to.billing_model === 'prepaid' && owed > 0n && (unpaidStatuses as readonly string[]).includes(invoice.status)) {
        const paid = await payFromWallet(trx, deps.clock, invoice.id, { allOrNothing: true, createdBy: actor.principal.userId });
        if (paid === 0n) {
          const need = { minor: owed, currency: sub.currency };
          throw new ConflictError(`The wallet cannot pay the change of ${show(need)}: it is ${preview.wallet?.short ?? formatMoney(need)} ${sub.currency} short`, [{ field: 'planId', message: `the wallet is ${preview.wallet?.short} ${sub.currency} short` }]);
        }
      }
    }
    await repo.update(trx, [sub.id], { plan_id: to.id, pending_plan_id: null, updated_at: now });
    await recordEvent(trx, deps.clock, by, sub, { kind: 'plan_changed', details: { fromPlanId: sub.plan_id, toPlanId: to.id, invoiceId, net: preview.totals.gross }, before: { planId: sub.plan_id }, after: await detail(trx, actor, id) });
    return { ...preview, invoiceId };
  });
}
