/**
 * The invoice line every rating step produces. The amount is the authority: it is computed from
 * the exact quantity and unit price and rounded once, here. Quantity and unit price are kept as
 * decimal strings for the invoice and the `numeric` columns; a unit price with no finite decimal
 * form (a monthly price per day of a 31-day month) is shown rounded, which never changes the
 * amount.
 */
import { type Money, type RoundingRule, standardRounding, toMoney } from './money.ts';
import { type Rational, multiply, toDecimalString } from './rational.ts';

export interface InvoiceLine {
  /** Translation key for the description, e.g. `invoiceLine.usage.tier`. */
  readonly descriptionKey: string;
  /** Values the description shows: tier bounds, days used, the unit. */
  readonly details: Readonly<Record<string, string>>;
  /** Decimal string, e.g. "12.5" (GB) or "17" (days). */
  readonly quantity: string;
  /** Price per unit in major units, decimal string. */
  readonly unitPrice: string;
  /** Quantity × unit price, rounded once by the currency's rule. */
  readonly amount: Money;
}

/** Enough decimals that a displayed unit price times the quantity reads back as the amount. */
const unitPriceScale = 12;

export interface LineInput {
  readonly descriptionKey: string;
  readonly details?: Readonly<Record<string, string>>;
  readonly quantity: Rational;
  readonly unitPrice: Rational;
  readonly currency: string;
  readonly rounding?: RoundingRule;
}

/** Builds a line whose amount is quantity × unit price, rounded once. */
export function invoiceLine(input: LineInput): InvoiceLine {
  return lineWithAmount(input, toMoney(multiply(input.quantity, input.unitPrice), input.currency, input.rounding ?? standardRounding));
}

/**
 * Builds a line whose amount was decided elsewhere (a minimum-amount top-up, an exact split by
 * largest remainder); quantity and unit price only describe it.
 */
export function lineWithAmount(input: Omit<LineInput, 'currency' | 'rounding'>, amount: Money): InvoiceLine {
  return {
    descriptionKey: input.descriptionKey,
    details: input.details ?? {},
    quantity: toDecimalString(input.quantity, unitPriceScale),
    unitPrice: toDecimalString(input.unitPrice, unitPriceScale),
    amount,
  };
}
