/**
 * Rating: turns a plan's rate components and a period's usage into invoice lines. Components are
 * data (what the catalog stores for a plan version), prices are decimal strings in major units so
 * a per-GB price of 0.4375 is exact, and every line is rounded once, by itself.
 */
import { type InvoiceLine, invoiceLine, lineWithAmount } from './invoice-line.ts';
import { type Money, type RoundingRule, compareMoney, formatMoney, parseMoney, subtractMoney, sumMoney, toRational } from './money.ts';
import { type BillingPeriod, daysInPeriod } from './periods.ts';
import { type Rational, compare, divide, max, min, one, parseDecimal, rational, subtract, toDecimalString, zero } from './rational.ts';
import { daysElapsed } from './proration.ts';

/** One price band. `upTo` is the last quantity in the band (inclusive); null means no limit. */
export interface Tier {
  readonly upTo: string | null;
  readonly price: string;
}

export type RateComponent =
  /** A flat charge for each period (the monthly price of a PPPoE plan). */
  | { readonly kind: 'fixed'; readonly price: string }
  /** A charge for each calendar day of the period. */
  | { readonly kind: 'per-day'; readonly price: string }
  /** A price per unit of usage beyond an included quota (e.g. 50 GB included, 0.4375 per GB after). */
  | { readonly kind: 'per-unit'; readonly unit: string; readonly price: string; readonly included?: string }
  /** Stepped ranges: each tier's price applies only to the units that fall inside that tier. */
  | { readonly kind: 'graduated'; readonly unit: string; readonly tiers: readonly Tier[] }
  /** Volume: every unit takes the price of the tier the total quantity reaches. */
  | { readonly kind: 'volume'; readonly unit: string; readonly tiers: readonly Tier[] }
  /** Consumption lines of the period are topped up to at least this amount (major units). */
  | { readonly kind: 'minimum'; readonly amount: string };

export interface RatingInput {
  readonly components: readonly RateComponent[];
  /** Usage of the period per unit, as decimal strings: { GB: '73.25' }. Missing units are 0. */
  readonly usage?: Readonly<Record<string, string>>;
  /** The period rated; per-day charges count its calendar days. */
  readonly period: BillingPeriod;
  readonly currency: string;
  readonly rounding?: RoundingRule;
  /**
   * When service began inside the period (activation mid-month on a calendar cycle): the fixed and
   * per-day charges cover the days from then on, that whole day included.
   */
  readonly from?: Date;
}

interface ParsedTier {
  readonly from: Rational;
  readonly upTo: Rational | null;
  readonly price: Rational;
}

type LineOf = (descriptionKey: string, quantity: Rational, unitPrice: Rational, details?: Record<string, string>) => InvoiceLine;

/** A price or quantity from the catalog: exact, and never negative. */
function parseNonNegative(text: string, what: string): Rational {
  const value = parseDecimal(text, what);
  if (compare(value, zero) < 0) throw new RangeError(`${what} must not be negative, got "${text}"`);
  return value;
}

/**
 * Checks that tiers rise strictly and end open-ended, so every quantity lands in exactly one
 * tier, and returns each tier with the quantity it starts after.
 */
function parseTiers(tiers: readonly Tier[]): ParsedTier[] {
  if (tiers.length === 0 || tiers.at(-1)?.upTo !== null) throw new RangeError('Tiers must end with an open-ended tier (upTo: null)');
  let from = zero;
  return tiers.map((tier) => {
    const upTo = tier.upTo === null ? null : parseNonNegative(tier.upTo, 'Tier bound');
    if (upTo !== null && compare(upTo, from) <= 0) throw new RangeError('Tier bounds must rise strictly from 0');
    const parsed = { from, upTo, price: parseNonNegative(tier.price, 'Tier price') };
    if (upTo !== null) from = upTo;
    return parsed;
  });
}

function tierDetails(unit: string, tier: ParsedTier): Record<string, string> {
  return { unit, from: toDecimalString(tier.from, 12), to: tier.upTo === null ? '' : toDecimalString(tier.upTo, 12) };
}

/** One line per tier the usage reaches, each priced for the units inside it. */
function graduatedLines(unit: string, tiers: readonly ParsedTier[], quantity: Rational, lineOf: LineOf): InvoiceLine[] {
  return tiers
    .filter((tier) => compare(quantity, tier.from) > 0)
    .map((tier) => {
      const inTier = subtract(tier.upTo === null ? quantity : min(quantity, tier.upTo), tier.from);
      return lineOf('invoiceLine.usage.graduatedTier', inTier, tier.price, tierDetails(unit, tier));
    });
}

/** The tier whose range holds the quantity; a quantity on a bound belongs to the lower tier. */
function volumeLine(unit: string, tiers: readonly ParsedTier[], quantity: Rational, lineOf: LineOf): InvoiceLine {
  const reached = tiers.find((tier) => tier.upTo === null || compare(quantity, tier.upTo) <= 0) as ParsedTier;
  return lineOf('invoiceLine.usage.volumeTier', quantity, reached.price, tierDetails(unit, reached));
}

function usageOf(input: RatingInput, unit: string): Rational {
  return parseNonNegative(input.usage?.[unit] ?? '0', `Usage of ${unit}`);
}

/** Lines of the usage components; empty usage gives no line rather than a line of zero. */
function consumptionLines(input: RatingInput, lineOf: LineOf): InvoiceLine[] {
  return input.components.flatMap((component) => {
    if (component.kind !== 'per-unit' && component.kind !== 'graduated' && component.kind !== 'volume') return [];
    const quantity = usageOf(input, component.unit);
    if (component.kind === 'graduated') return graduatedLines(component.unit, parseTiers(component.tiers), quantity, lineOf);
    if (component.kind === 'volume') {
      const tiers = parseTiers(component.tiers);
      return compare(quantity, zero) === 0 ? [] : [volumeLine(component.unit, tiers, quantity, lineOf)];
    }
    const included = parseNonNegative(component.included ?? '0', 'Included quantity');
    const price = parseNonNegative(component.price, 'Unit price');
    const billable = max(zero, subtract(quantity, included));
    if (compare(billable, zero) === 0) return [];
    const details = { unit: component.unit, included: toDecimalString(included, 12) };
    return [lineOf('invoiceLine.usage.perUnit', billable, price, details)];
  });
}

/** A line topping consumption up to the plan's minimum, when usage came to less. */
function minimumLine(minimum: Money, consumption: readonly InvoiceLine[]): InvoiceLine[] {
  if (minimum.minor < 0n) throw new RangeError(`Minimum amount must not be negative, got ${formatMoney(minimum)}`);
  const consumed = sumMoney(consumption.map((line) => line.amount), minimum.currency);
  if (compareMoney(consumed, minimum) >= 0) return [];
  const shortfall = subtractMoney(minimum, consumed);
  const details = { minimum: formatMoney(minimum) };
  return [lineWithAmount({ descriptionKey: 'invoiceLine.usage.minimum', details, quantity: one, unitPrice: toRational(shortfall) }, shortfall)];
}

/**
 * Rates one period of a plan: recurring lines (fixed, per day) first, then usage lines, then a
 * minimum top-up. A plan may hold at most one minimum.
 */
export function ratePeriod(input: RatingInput): InvoiceLine[] {
  const lineOf: LineOf = (descriptionKey, quantity, unitPrice, details) =>
    invoiceLine({ descriptionKey, details, quantity, unitPrice, currency: input.currency, rounding: input.rounding });
  const totalDays = daysInPeriod(input.period);
  const partial = input.from !== undefined && input.from > input.period.start;
  const days = partial ? totalDays - daysElapsed(input.period, input.from!) : totalDays;
  const part = { days: String(days), daysInPeriod: String(totalDays) };
  const recurring = input.components.flatMap((component) => {
    if (component.kind === 'fixed') {
      const price = parseNonNegative(component.price, 'Price');
      return [partial ? lineOf('invoiceLine.activation', rational(BigInt(days)), divide(price, rational(BigInt(totalDays))), part) : lineOf('invoiceLine.fixedCharge', one, price)];
    }
    if (component.kind !== 'per-day') return [];
    return [lineOf('invoiceLine.dailyCharge', rational(BigInt(days)), parseNonNegative(component.price, 'Price per day'))];
  });
  const consumption = consumptionLines(input, lineOf);
  const minimums = input.components.filter((component) => component.kind === 'minimum');
  if (minimums.length > 1) throw new RangeError('A plan may have only one minimum amount');
  const topUp = minimums[0] ? minimumLine(parseMoney(minimums[0].amount, input.currency), consumption) : [];
  return [...recurring, ...consumption, ...topUp];
}

/**
 * Rates a plan with no usage over a one-day period, which parses every price, tier and minimum:
 * the catalog calls it when a plan version is saved, so a bad price is refused then rather than
 * during a billing run.
 */
export function checkComponents(components: readonly RateComponent[], currency: string): void {
  ratePeriod({ components, currency, period: { start: new Date(0), end: new Date(86_400_000), timeZone: 'UTC' } });
}
