/**
 * Day-based proration: a partial period costs price × days used / days in the period, computed
 * exactly and rounded once. Days are calendar days in the organization's zone, so March still
 * has 31 days when one of them is 23 hours long.
 *
 * The day on which a change happens belongs to what comes after it: a subscriber who upgrades at
 * 15:00 on the 10th pays the new plan for the whole 10th. One rule for activation, plan changes
 * and suspension, so no day is billed twice or not at all.
 */
import { type InvoiceLine, invoiceLine, lineWithAmount } from './invoice-line.ts';
import { type Money, type RoundingRule, allocate, standardRounding, toMoney, toRational } from './money.ts';
import { type BillingPeriod, daysInPeriod, elapsedDays } from './periods.ts';
import { type Rational, divide, multiply, rational } from './rational.ts';

/**
 * Whole days of the period that have passed at `at`: 0 during the first day, all of them at the
 * period end. For prepaid validity that starts at a time of day, days count from that time.
 */
export function daysElapsed(period: BillingPeriod, at: Date): number {
  if (at < period.start || at > period.end) {
    throw new RangeError(`${at.toISOString()} is outside the period ${period.start.toISOString()}–${period.end.toISOString()}`);
  }
  return elapsedDays(period.start, at, period.timeZone);
}

/** The exact share of a period's price for `days` of `totalDays`. */
export function prorationFactor(days: number, totalDays: number): Rational {
  if (!Number.isSafeInteger(days) || !Number.isSafeInteger(totalDays) || days < 0 || days > totalDays) {
    throw new RangeError(`Cannot prorate ${days} of ${totalDays} days`);
  }
  return rational(BigInt(days), BigInt(totalDays));
}

/** price × days / totalDays, rounded once. A full period gives back the price. */
export function prorate(price: Money, days: number, totalDays: number, rounding: RoundingRule = standardRounding): Money {
  return toMoney(multiply(toRational(price), prorationFactor(days, totalDays)), price.currency, rounding);
}

function perDay(price: Money, totalDays: number): Rational {
  return divide(toRational(price), rational(BigInt(totalDays)));
}

function describeDays(descriptionKey: string, days: number, totalDays: number) {
  return { descriptionKey, details: { days: String(days), daysInPeriod: String(totalDays) } };
}

export interface PartialPeriodCharge {
  readonly descriptionKey: string;
  /** The plan's price for the whole period. */
  readonly price: Money;
  readonly period: BillingPeriod;
  /** When the charged part begins; that whole day is charged. Defaults to the period start. */
  readonly from?: Date;
  /** When the charged part ends; that day is not charged. Defaults to the period end. */
  readonly to?: Date;
  /** -1 turns the line into a credit, the exact mirror of the charge. */
  readonly sign?: 1 | -1;
  readonly rounding?: RoundingRule;
}

/** One line for part of a period: quantity in days, unit price the price per day. */
export function partialPeriodLine(charge: PartialPeriodCharge): InvoiceLine {
  const { period, price } = charge;
  const totalDays = daysInPeriod(period);
  const days = daysElapsed(period, charge.to ?? period.end) - daysElapsed(period, charge.from ?? period.start);
  if (days < 0) throw new RangeError('A partial period must not end before it begins');
  return invoiceLine({
    ...describeDays(charge.descriptionKey, days, totalDays),
    quantity: rational(BigInt((charge.sign ?? 1) * days)),
    unitPrice: perDay(price, totalDays),
    currency: price.currency,
    rounding: charge.rounding,
  });
}

export interface PlanChange {
  readonly period: BillingPeriod;
  /** When the subscriber changes plan; the new plan applies from that whole day. */
  readonly at: Date;
  /** Period prices of the plan left and the plan taken, in the same currency. */
  readonly oldPrice: Money;
  readonly newPrice: Money;
  readonly rounding?: RoundingRule;
}

/**
 * An immediate upgrade or downgrade as two lines: a credit for the unused days of the old plan
 * (billed in advance) and a charge for the same days of the new plan. Separate lines, so the
 * invoice shows both and each is rounded once; their sum is the net amount due or refunded.
 */
export function planChangeLines(change: PlanChange): { credit: InvoiceLine; charge: InvoiceLine } {
  const remaining = { period: change.period, from: change.at, rounding: change.rounding };
  return {
    credit: partialPeriodLine({ ...remaining, descriptionKey: 'invoiceLine.planChange.credit', price: change.oldPrice, sign: -1 }),
    charge: partialPeriodLine({ ...remaining, descriptionKey: 'invoiceLine.planChange.charge', price: change.newPrice }),
  };
}

/**
 * Splits a period's price at `at` into the days before and the days from then on, by largest
 * remainder, so the two lines sum exactly to the price (each within one rounding step of its
 * exact share). For when both parts are billed and the total must not move by a cent, e.g. a
 * period that a suspension splits across two invoices. The price must be a multiple of the
 * rounding increment.
 */
export function splitPeriodPrice(
  price: Money,
  period: BillingPeriod,
  at: Date,
  rounding: RoundingRule = standardRounding,
): [before: InvoiceLine, after: InvoiceLine] {
  const totalDays = daysInPeriod(period);
  const before = daysElapsed(period, at);
  const after = totalDays - before;
  const [beforeAmount, afterAmount] = allocate(price, [BigInt(before), BigInt(after)], rounding.increment) as [Money, Money];
  const line = (days: number, key: string, amount: Money) =>
    lineWithAmount({ ...describeDays(key, days, totalDays), quantity: rational(BigInt(days)), unitPrice: perDay(price, totalDays) }, amount);
  return [line(before, 'invoiceLine.period.before', beforeAmount), line(after, 'invoiceLine.period.after', afterAmount)];
}
