/**
 * Late-payment penalties. A penalty class is either a fixed amount or a percentage of what is
 * overdue with a minimum amount. Penalties already charged are not themselves penalised unless
 * the class says so, because charging interest on interest is a contract term, not a default.
 */
import {
  type Money,
  type RoundingRule,
  addMoney,
  compareMoney,
  parseMoney,
  standardRounding,
  toMoney,
  toRational,
  zeroMoney,
} from './money.ts';
import { compare, divide, multiply, parseDecimal, rational, zero } from './rational.ts';

export type LateFeeRule =
  | { readonly kind: 'fixed'; readonly amount: string; readonly penaltyOnPenalty?: boolean }
  | {
      readonly kind: 'percentage';
      /** Percentage of the overdue amount, as a decimal string: '5' for 5%. */
      readonly percent: string;
      /** The least penalty charged when anything is overdue, in major units. */
      readonly minimum?: string;
      readonly penaltyOnPenalty?: boolean;
    };

export interface OverdueBalance {
  /** Overdue amount of ordinary charges (plans, usage, one-time charges). */
  readonly charges: Money;
  /** Overdue amount of penalties charged earlier. */
  readonly penalties: Money;
}

function penaltyAmount(text: string, currency: string): Money {
  const amount = parseMoney(text, currency);
  if (amount.minor < 0n) throw new RangeError(`A late fee must not be negative, got "${text}"`);
  return amount;
}

/** The penalty for an overdue balance; zero when nothing penalisable is overdue. */
export function lateFee(rule: LateFeeRule, overdue: OverdueBalance, rounding: RoundingRule = standardRounding): Money {
  const currency = overdue.charges.currency;
  const base = rule.penaltyOnPenalty ? addMoney(overdue.charges, overdue.penalties) : overdue.charges;
  const none = zeroMoney(currency);
  if (compareMoney(base, none) <= 0) return none;
  if (rule.kind === 'fixed') return penaltyAmount(rule.amount, currency);
  const percent = parseDecimal(rule.percent, 'Late fee percentage');
  if (compare(percent, zero) < 0) throw new RangeError(`Late fee percentage must not be negative, got "${rule.percent}"`);
  const fee = toMoney(multiply(toRational(base), divide(percent, rational(100n))), currency, rounding);
  const minimum = rule.minimum === undefined ? none : penaltyAmount(rule.minimum, currency);
  return compareMoney(fee, minimum) >= 0 ? fee : minimum;
}
