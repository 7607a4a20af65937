/**
 * PayPal amounts are decimal strings ("12.34"). PayPal takes HUF, JPY and TWD without decimals
 * (https://developer.paypal.com/reference/currency-codes/), while ISO gives HUF and TWD two, so
 * the conversion is exact or refused, never rounded, and never goes through a float.
 */
import { type Money, minorDigits, money } from '../../../core/money.ts';

const noDecimals = new Set(['HUF', 'JPY', 'TWD']);

export class PayPalAmountError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'PayPalAmountError';
  }
}

export function paypalDigits(currency: string): number {
  return noDecimals.has(currency) ? 0 : minorDigits(currency);
}

/** Money → PayPal's `{ currency_code, value }`. */
export function toPayPalAmount(amount: Money): { currency_code: string; value: string } {
  const iso = minorDigits(amount.currency);
  const digits = paypalDigits(amount.currency);
  if (amount.minor <= 0n) throw new PayPalAmountError('Amount must be positive');
  const divisor = 10n ** BigInt(iso - digits);
  if (amount.minor % divisor !== 0n) throw new PayPalAmountError(`PayPal takes ${amount.currency} in whole units only`);
  const units = (amount.minor / divisor).toString().padStart(digits + 1, '0');
  const value = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  return { currency_code: amount.currency, value };
}

const decimal = /^(\d+)(?:\.(\d+))?$/;

/** PayPal's `{ currency_code, value }` → Money, exactly; more decimals than the currency has is an error. */
export function fromPayPalAmount(amount: { currency_code?: unknown; value?: unknown } | undefined): Money {
  const currency = amount?.currency_code;
  const value = amount?.value;
  if (typeof currency !== 'string' || typeof value !== 'string') throw new PayPalAmountError('PayPal amount is missing its currency_code or value');
  const match = decimal.exec(value);
  if (!match) throw new PayPalAmountError(`PayPal amount "${value}" is not a plain decimal`);
  const [, whole = '', fraction = ''] = match;
  const iso = minorDigits(currency);
  if (fraction.replace(/0+$/, '').length > iso) throw new PayPalAmountError(`PayPal amount "${value}" has more decimals than ${currency} has`);
  return money(BigInt(whole + fraction.slice(0, iso).padEnd(iso, '0')), currency);
}
