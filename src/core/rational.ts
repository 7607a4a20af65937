/**
 * Exact rational numbers over bigint, for every quantity finer than a minor unit: a per-GB price
 * of 0.4375, a tax rate of 16%, a proration factor of 17/31.
 *
 * Why rationals and not decimal.js or big.js: a proration factor such as 17/31 has no finite
 * decimal form, so a decimal library must round it to its configured precision before the line
 * amount is known. That is a second, hidden rounding, and the house rule is that money is rounded
 * once, at the line. A fraction of two bigints holds price × 17/31 × 1.16 exactly, so the only
 * rounding is the explicit one in `roundToMultiple`. It also costs no dependency.
 */

export interface Rational {
  /** Numerator; carries the sign. */
  readonly num: bigint;
  /** Denominator; always positive and coprime with the numerator. */
  readonly den: bigint;
}

/** Half-up rounds halves away from zero (the commercial rule); half-even rounds them to even. */
export type RoundingMode = 'half-up' | 'half-even';

const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [abs(a), abs(b)];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** Builds num/den in lowest terms, so equal values have one representation. */
export function rational(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new RangeError('Division by zero');
  const sign = den < 0n ? -1n : 1n;
  const divisor = gcd(num, den);
  return { num: (sign * num) / divisor, den: (sign * den) / divisor };
}

export const zero: Rational = rational(0n);
export const one: Rational = rational(1n);

/**
 * Parses a plain decimal string ("0.4375", "16", "-2.5") exactly. Exponents, signs other than a
 * leading minus, blanks and separators are refused: they are how floats and typos get in.
 */
export function parseDecimal(text: string, what = 'Number'): Rational {
  const match = decimalPattern.exec(text);
  if (!match) throw new RangeError(`${what} must be a plain decimal like 1500.50, got "${text}"`);
  const [, minus = '', whole = '', fraction = ''] = match;
  const digits = BigInt(whole + fraction);
  return rational(minus ? -digits : digits, 10n ** BigInt(fraction.length));
}

export function add(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function subtract(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function multiply(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

export function divide(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den, a.den * b.num);
}

export function compare(a: Rational, b: Rational): -1 | 0 | 1 {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function min(a: Rational, b: Rational): Rational {
  return compare(a, b) <= 0 ? a : b;
}

export function max(a: Rational, b: Rational): Rational {
  return compare(a, b) >= 0 ? a : b;
}

/**
 * Rounds value to the nearest integer multiple of step (step 1 for a plain integer, 5 for cash
 * rounding to 5 minor units) and returns that multiple. Negative values round symmetrically, so
 * a credit is always the exact mirror of the charge it reverses.
 */
export function roundToMultiple(value: Rational, step: bigint, mode: RoundingMode): bigint {
  if (step <= 0n) throw new RangeError('Rounding step must be positive');
  const den = value.den * step;
  const magnitude = abs(value.num);
  let quotient = magnitude / den;
  const twiceRemainder = 2n * (magnitude % den);
  const roundUp =
    twiceRemainder > den || (twiceRemainder === den && (mode === 'half-up' || quotient % 2n === 1n));
  if (roundUp) quotient += 1n;
  return (value.num < 0n ? -quotient : quotient) * step;
}

/**
 * A decimal string for display (an invoice line's unit price). Exact when the value has at most
 * maxScale decimals; otherwise rounded half-even to maxScale, which only affects what is shown:
 * amounts are always computed from the exact value.
 */
export function toDecimalString(value: Rational, maxScale: number): string {
  let scale = 0;
  while (scale < maxScale && (value.num * 10n ** BigInt(scale)) % value.den !== 0n) scale += 1;
  const scaled = roundToMultiple(multiply(value, rational(10n ** BigInt(scale))), 1n, 'half-even');
  const digits = abs(scaled).toString().padStart(scale + 1, '0');
  const sign = scaled < 0n ? '-' : '';
  if (scale === 0) return sign + digits;
  return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
