/**
 * Stripe's amount units. Stripe wants integers in "the currency's smallest unit", but its list of
 * decimals is not ISO 4217's: MGA is zero-decimal at Stripe (two at ISO), ISK is sent with two
 * decimals that must be 00 (zero at ISO), and three-decimal currencies must end in 0. Converting
 * between the two is a power of ten one way or the other, done exactly or refused.
 * Source: https://docs.stripe.com/currencies (zero-decimal list, special cases, three-decimal).
 */
import { type Money, minorDigits, money, formatMoney } from '../../../core/money.ts';

const zeroDecimal = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const threeDecimal = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

export class StripeAmountError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'StripeAmountError';
  }
}

/** How many decimals Stripe's integer amounts carry for this currency. */
export function stripeDigits(currency: string): number {
  if (zeroDecimal.has(currency)) return 0;
  if (threeDecimal.has(currency)) return 3;
  return 2;
}

/** Our Money → Stripe's integer amount, or an error when Stripe cannot express it exactly. */
export function toStripeAmount(amount: Money): number {
  const shift = stripeDigits(amount.currency) - minorDigits(amount.currency);
  let units: bigint;
  if (shift >= 0) {
    units = amount.minor * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    if (amount.minor % divisor !== 0n) {
      throw new StripeAmountError(`Stripe charges ${amount.currency} in whole units; ${formatMoney(amount)} has a fraction`);
    }
    units = amount.minor / divisor;
  }
  if (threeDecimal.has(amount.currency) && units % 10n !== 0n) {
    throw new StripeAmountError(`Stripe wants ${amount.currency} amounts rounded to 0.010; ${formatMoney(amount)} is not`);
  }
  if (units <= 0n) throw new StripeAmountError(`Amount must be positive, got ${formatMoney(amount)} ${amount.currency}`);
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) throw new StripeAmountError('Amount is too large for Stripe');
  return Number(units);
}

/** Stripe's integer amount and lower-case currency → our Money, exactly. */
export function fromStripeAmount(units: number, stripeCurrency: string): Money {
  const currency = stripeCurrency.toUpperCase();
  if (!Number.isSafeInteger(units)) throw new StripeAmountError(`Stripe amount must be an integer, got ${units}`);
  const shift = stripeDigits(currency) - minorDigits(currency);
  const value = BigInt(units);
  if (shift <= 0) return money(value * 10n ** BigInt(-shift), currency);
  const divisor = 10n ** BigInt(shift);
  if (value % divisor !== 0n) throw new StripeAmountError(`Stripe amount ${units} ${currency} is finer than ${currency}'s minor unit`);
  return money(value / divisor, currency);
}
