/**
 * Tax classes, discounts and invoice totals.
 *
 * A tax class holds one or more rates, applied in order. A compound rate is charged on the price
 * plus the taxes before it: Kenya charges excise duty of 15% on internet data and VAT of 16% on
 * the price including that excise. Each tax of each line is rounded once, from exact values (a
 * compound base uses the exact earlier taxes, not their rounded amounts, so nothing is rounded
 * twice). Invoice totals are sums of the rounded line amounts and are never rounded again, so the
 * invoice always adds up.
 */
import {
  type Money,
  type RoundingRule,
  addMoney,
  allocate,
  compareMoney,
  parseMoney,
  standardRounding,
  subtractMoney,
  sumMoney,
  toMoney,
  toRational,
  zeroMoney,
} from './money.ts';
import { type Rational, add, compare, divide, multiply, one, parseDecimal, rational, zero } from './rational.ts';

export interface TaxRate {
  /** Shown on the invoice and names the tax-payable account: 'VAT', 'EXCISE'. */
  readonly code: string;
  /** Percentage as a decimal string: '16' for 16%. */
  readonly percent: string;
  /** Charged on the price plus every tax listed before it. */
  readonly compound?: boolean;
}

export interface TaxClass {
  readonly code: string;
  /** Inclusive: prices already contain the tax, which is extracted. Exclusive: added on top. */
  readonly inclusive: boolean;
  readonly rates: readonly TaxRate[];
}

export interface TaxAmount {
  readonly code: string;
  readonly percent: string;
  readonly amount: Money;
}

/** A line after tax: net + the taxes = gross, exactly. */
export interface TaxedLine {
  readonly net: Money;
  readonly taxes: readonly TaxAmount[];
  readonly gross: Money;
}

export type Discount =
  | { readonly kind: 'percentage'; readonly percent: string }
  /** A fixed amount off, in major units of the invoice currency. */
  | { readonly kind: 'fixed'; readonly amount: string };

export interface InvoiceTotals {
  readonly net: Money;
  readonly tax: Money;
  readonly gross: Money;
  /** Tax per code and rate, in the order first met, for the invoice's tax summary. */
  readonly taxes: readonly TaxAmount[];
}

const hundred = rational(100n);

/** A percentage string as a fraction: '16' → 0.16. Negative percentages are refused. */
function parsePercent(text: string, what: string, atMost100 = false): Rational {
  const percent = parseDecimal(text, what);
  if (compare(percent, zero) < 0) throw new RangeError(`${what} must not be negative, got "${text}"`);
  if (atMost100 && compare(percent, hundred) > 0) throw new RangeError(`${what} must not exceed 100%, got "${text}"`);
  return divide(percent, hundred);
}

/**
 * For each rate, the multiple of the net price that rate's tax comes to: r for a simple rate,
 * r × (1 + the earlier multiples) for a compound one. Excise 15% then VAT 16% compound give
 * 0.15 and 0.184, so the gross is 1.334 × net.
 */
function taxMultiples(rates: readonly TaxRate[]): Rational[] {
  let earlier = zero;
  return rates.map((rate) => {
    const fraction = parsePercent(rate.percent, `Tax rate ${rate.code}`);
    const multiple = rate.compound ? multiply(fraction, add(one, earlier)) : fraction;
    earlier = add(earlier, multiple);
    return multiple;
  });
}

/**
 * Taxes one line. For an inclusive class `amount` is the price the subscriber pays: the taxes are
 * extracted from it and the net is what remains, so the gross never moves. For an exclusive
 * class `amount` is the net and the taxes are added on top.
 */
export function taxLine(amount: Money, taxClass: TaxClass, rounding: RoundingRule = standardRounding): TaxedLine {
  const multiples = taxMultiples(taxClass.rates);
  const grossMultiple = multiples.reduce(add, one);
  const exactNet = taxClass.inclusive ? divide(toRational(amount), grossMultiple) : toRational(amount);
  const taxes = taxClass.rates.map((rate, index) => ({
    code: rate.code,
    percent: rate.percent,
    amount: toMoney(multiply(exactNet, multiples[index] as Rational), amount.currency, rounding),
  }));
  const totalTax = sumMoney(taxes.map((tax) => tax.amount), amount.currency);
  return taxClass.inclusive
    ? { net: subtractMoney(amount, totalTax), taxes, gross: amount }
    : { net: amount, taxes, gross: addMoney(amount, totalTax) };
}

/**
 * The discount on one line's price (before tax), never more than the price: a percentage is
 * rounded once; a fixed amount is capped at the price.
 */
export function discountFor(price: Money, discount: Discount, rounding: RoundingRule = standardRounding): Money {
  const off =
    discount.kind === 'percentage'
      ? toMoney(multiply(toRational(price), parsePercent(discount.percent, 'Discount', true)), price.currency, rounding)
      : parseMoney(discount.amount, price.currency);
  if (compareMoney(off, zeroMoney(price.currency)) < 0) throw new RangeError('A discount must not be negative');
  return compareMoney(off, price) > 0 ? price : off;
}

/**
 * Discounts for several lines from one discount: a percentage applies to each line; a fixed
 * amount (capped at the lines' total) is shared in proportion to the line prices by largest
 * remainder, so the shares sum exactly to it. Credits (negative lines) get no discount.
 */
export function distributeDiscount(prices: readonly Money[], discount: Discount, rounding: RoundingRule = standardRounding): Money[] {
  const [first] = prices;
  if (!first) return [];
  const chargeable = prices.map((price) => (price.minor > 0n ? price : zeroMoney(price.currency)));
  if (discount.kind === 'percentage') return chargeable.map((price) => discountFor(price, discount, rounding));
  const total = sumMoney(chargeable, first.currency);
  if (total.minor === 0n) return chargeable;
  const off = discountFor(total, discount, rounding);
  return allocate(off, chargeable.map((price) => price.minor), rounding.increment);
}

/** Sums taxed lines into the invoice totals, per tax code and rate; nothing is rounded here. */
export function invoiceTotals(lines: readonly TaxedLine[], currency: string): InvoiceTotals {
  const byRate = new Map<string, TaxAmount>();
  for (const tax of lines.flatMap((line) => line.taxes)) {
    const key = `${tax.code}\u0000${tax.percent}`;
    const sofar = byRate.get(key);
    byRate.set(key, sofar ? { ...sofar, amount: addMoney(sofar.amount, tax.amount) } : tax);
  }
  const taxes = [...byRate.values()];
  return {
    net: sumMoney(lines.map((line) => line.net), currency),
    tax: sumMoney(taxes.map((tax) => tax.amount), currency),
    gross: sumMoney(lines.map((line) => line.gross), currency),
    taxes,
  };
}
