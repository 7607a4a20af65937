/**
 * From a stored plan version to what src/core computes: the billing schedule of a subscription
 * that starts at an instant, and the priced lines of one period (rated, discounted, taxed), the
 * same steps and the same rounding an invoice takes.
 */
import type { InvoiceLine } from '../../core/invoice-line.ts';
import { type Money, type RoundingRule, subtractMoney, sumMoney, zeroMoney } from '../../core/money.ts';
import { type BillingPeriod, type BillingSchedule, periodContaining } from '../../core/periods.ts';
import { type RateComponent, ratePeriod } from '../../core/rating.ts';
import { type Discount, type InvoiceTotals, type TaxClass, type TaxedLine, distributeDiscount, invoiceTotals, taxLine } from '../../core/tax.ts';
import type { PlanVersionRow } from '../../platform/db/schema.ts';

type Cycle = Pick<PlanVersionRow, 'cycle' | 'alignment' | 'validity_unit' | 'validity_length'>;

const calendarEvery = { monthly: 'month', quarterly: 'quarter', yearly: 'year' } as const;

/** The local calendar date of an instant in a zone, as YYYY-MM-DD. */
function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/**
 * The schedule of a subscription to this version that starts at `start`: anniversary cycles are
 * anchored on its local date, validity counts from the instant itself. One-off charges have none.
 */
export function billingSchedule(v: Cycle, start: Date, timeZone: string): BillingSchedule | null {
  switch (v.cycle) {
    case 'monthly':
    case 'quarterly':
    case 'yearly':
      return {
        timeZone,
        cycle: v.alignment === 'calendar' ? { kind: 'calendar', every: calendarEvery[v.cycle] } : { kind: v.cycle, anchorDate: localDate(start, timeZone) },
      };
    case 'daily':
      return { timeZone, cycle: { kind: 'daily' } };
    case 'validity':
      return { timeZone, cycle: { kind: 'validity', unit: v.validity_unit!, length: v.validity_length!, startsAt: start } };
    case 'one_time':
      return null;
  }
}

/** The period a subscription starting at `start` is first billed for; null for a one-off charge. */
export function firstPeriod(v: Cycle, start: Date, timeZone: string): BillingPeriod | null {
  const schedule = billingSchedule(v, start, timeZone);
  return schedule && periodContaining(schedule, start);
}

export interface PricedLine {
  readonly line: InvoiceLine;
  readonly discount: Money;
  readonly taxed: TaxedLine;
}

export interface PeriodPrice {
  readonly lines: readonly PricedLine[];
  readonly discount: Money;
  readonly totals: InvoiceTotals;
}

export interface PricePeriodInput {
  readonly components: readonly RateComponent[];
  readonly currency: string;
  readonly usage?: Readonly<Record<string, string>>;
  /** The period rated; a one-off charge is rated over a nominal day (it has only fixed prices). */
  readonly period: BillingPeriod;
  readonly taxClass: TaxClass | null;
  readonly discount: Discount | null;
  /** The organization's rule for the currency; half-up to the minor unit when not given. */
  readonly rounding?: RoundingRule;
  /** When service began inside the period: recurring charges cover the days from then on. */
  readonly from?: Date;
}

/** Rates the period, takes the discount off each line's price, then taxes each line. */
export function pricePeriod(input: PricePeriodInput): PeriodPrice {
  const rated = ratePeriod({ components: input.components, usage: input.usage, period: input.period, currency: input.currency, rounding: input.rounding, from: input.from });
  const amounts = rated.map((line) => line.amount);
  const discounts = input.discount ? distributeDiscount(amounts, input.discount, input.rounding) : amounts.map(() => zeroMoney(input.currency));
  const lines = rated.map((line, i) => {
    const price = subtractMoney(line.amount, discounts[i]!);
    const taxed: TaxedLine = input.taxClass ? taxLine(price, input.taxClass, input.rounding) : { net: price, taxes: [], gross: price };
    return { line, discount: discounts[i]!, taxed };
  });
  return {
    lines,
    discount: sumMoney(discounts, input.currency),
    totals: invoiceTotals(lines.map((l) => l.taxed), input.currency),
  };
}
