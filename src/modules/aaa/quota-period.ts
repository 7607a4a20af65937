/**
 * The fair-usage period of a subscription: the billing period its plan's schedule holds now,
 * computed as billing computes it (catalog billingSchedule from the activation instant, then
 * core/periods): a prepaid validity period from the moment of purchase, a monthly, quarterly or
 * yearly cycle on the activation day (anniversary) or on the 1st (calendar), a local day. A
 * one-off plan has no period: its quota runs over the calendar month. A renewal after expiry
 * starts afresh from its new activation instant, as billing does.
 */
import { type BillingPeriod, type BillingSchedule, periodContaining } from '../../core/periods.ts';
import { localDay } from '../../core/fair-usage.ts';
import type { PlanVersionRow } from '../../platform/db/schema.ts';
import { billingSchedule } from '../catalog/pricing.ts';

export interface PeriodInputs {
  /** The plan version whose cycle counts (the plan's current one, whose quota applies). */
  version_id: string;
  cycle: PlanVersionRow['cycle'];
  alignment: PlanVersionRow['alignment'];
  validity_unit: PlanVersionRow['validity_unit'];
  validity_length: PlanVersionRow['validity_length'];
  /** Activation, else the scheduled start: billing's anchor. */
  anchor: Date;
  timezone: string;
}

/** What the period depends on; a stored period is reused while its key is the same and it holds now. */
export function periodKey(r: PeriodInputs): string {
  return `${r.version_id}|${r.anchor.getTime()}|${r.timezone}`;
}

function scheduleOf(r: PeriodInputs): BillingSchedule {
  return billingSchedule(r, r.anchor, r.timezone) ?? { timeZone: r.timezone, cycle: { kind: 'calendar', every: 'month' } };
}

export function quotaPeriod(r: PeriodInputs, now: Date): BillingPeriod {
  return periodContaining(scheduleOf(r), now);
}

/**
 * Periods at one instant for many subscriptions. Subscriptions alike in what their period depends
 * on (the same cycle and zone, and the same anchor day for anniversary cycles) share one answer:
 * a calendar month's turn recomputes every line on a plan at once.
 */
export class QuotaPeriods {
  readonly #memo = new Map<string, BillingPeriod>();
  constructor(private readonly now: Date) {}

  of(r: PeriodInputs): BillingPeriod {
    const anniversary = (r.cycle === 'monthly' || r.cycle === 'quarterly' || r.cycle === 'yearly') && r.alignment !== 'calendar';
    const anchorPart = r.cycle === 'validity' ? String(r.anchor.getTime()) : anniversary ? localDay(r.anchor, r.timezone) : '';
    const key = [r.cycle, r.alignment, r.validity_unit, r.validity_length, r.timezone, anchorPart].join('|');
    let period = this.#memo.get(key);
    if (!period) this.#memo.set(key, (period = quotaPeriod(r, this.now)));
    return period;
  }
}
