/**
 * The rules of a subscription's life, with no I/O: which status may follow which, what a
 * subscriber's status is given its subscriptions, and the proration lines of an immediate plan
 * change for a plan billed in advance or in arrears.
 */
import { type InvoiceLine } from './invoice-line.ts';
import { type Money, type RoundingRule } from './money.ts';
import type { BillingPeriod } from './periods.ts';
import { partialPeriodLine, planChangeLines } from './proration.ts';

export type SubscriptionStatus = 'pending' | 'active' | 'grace' | 'suspended' | 'terminated';

/**
 * pending → active on activation; active → grace when a bill goes unpaid, grace → active when it is
 * paid or → suspended when the grace days run out; active or grace → suspended on request or for
 * non-payment, suspended → active on resume; anything but terminated may be terminated.
 */
export const subscriptionTransitions: Record<SubscriptionStatus, readonly SubscriptionStatus[]> = {
  pending: ['active', 'terminated'],
  active: ['grace', 'suspended', 'terminated'],
  grace: ['active', 'suspended', 'terminated'],
  suspended: ['active', 'terminated'],
  terminated: [],
};

export function canTransition(from: SubscriptionStatus, to: SubscriptionStatus): boolean {
  return subscriptionTransitions[from].includes(to);
}

/**
 * Why a status is what it is. `unpaid` is the one the system unlocks by itself when the bills are
 * paid; `expired` is a prepaid plan that was not renewed.
 */
export const statusReasons = ['unpaid', 'expired', 'request', 'vacation', 'fraud', 'moved', 'other'] as const;
export type StatusReason = (typeof statusReasons)[number];

export type SubscriberStatusFromSubscriptions = 'active' | 'suspended' | 'disconnected';

/**
 * The subscriber's status its subscriptions call for: active while any one is in service (active or
 * in grace), suspended when none is in service but one is suspended, disconnected when every one has
 * been terminated. Null when they say nothing (none yet, or only scheduled ones).
 */
export function subscriberStatusFor(statuses: readonly SubscriptionStatus[]): SubscriberStatusFromSubscriptions | null {
  if (statuses.some((s) => s === 'active' || s === 'grace')) return 'active';
  if (statuses.includes('suspended')) return 'suspended';
  if (statuses.length > 0 && statuses.every((s) => s === 'terminated')) return 'disconnected';
  return null;
}

export interface ImmediatePlanChange {
  /** The billing period the change falls in. */
  readonly period: BillingPeriod;
  /** When the change happens; that whole day belongs to the new plan. */
  readonly at: Date;
  /** Period prices (before tax) of the plan left and the plan taken, in the same currency. */
  readonly oldPrice: Money;
  readonly newPrice: Money;
  /** In advance: the old plan's period is already billed. In arrears: the period will be billed at its end. */
  readonly timing: 'in_advance' | 'in_arrears';
  readonly rounding?: RoundingRule;
}

/**
 * The two lines of an immediate plan change. Billed in advance, the old plan's whole period is on
 * an earlier invoice: credit its unused days and charge the new plan for them. Billed in arrears,
 * the period's invoice at its end will charge the new plan for the whole period: charge the old
 * plan for the days already used on it and credit the new plan for those days. Either way the
 * subscriber pays the old plan for the days before the change and the new one from then on.
 */
export function immediatePlanChangeLines(change: ImmediatePlanChange): { credit: InvoiceLine; charge: InvoiceLine } {
  if (change.timing === 'in_advance') return planChangeLines(change);
  const used = { period: change.period, to: change.at, rounding: change.rounding };
  return {
    credit: partialPeriodLine({ ...used, descriptionKey: 'invoiceLine.planChange.usedCredit', price: change.newPrice, sign: -1 }),
    charge: partialPeriodLine({ ...used, descriptionKey: 'invoiceLine.planChange.usedCharge', price: change.oldPrice }),
  };
}
