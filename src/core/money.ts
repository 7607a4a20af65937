/**
 * Money: an integer count of minor units (bigint) in one ISO 4217 currency. Never a JS number, so
 * 0.1 + 0.2 problems cannot reach an invoice. Values finer than a minor unit are `Rational`s and
 * become Money only through `toMoney`, the one place an amount is rounded.
 */
import { type Rational, type RoundingMode, rational, roundToMultiple } from './rational.ts';

export interface Money {
  /** Amount in minor units: cents for USD, fils for KWD, yen for JPY. */
  readonly minor: bigint;
  readonly currency: string;
}

/** How one currency (or one organization's cash policy) rounds an amount, once, at the line. */
export interface RoundingRule {
  readonly mode: RoundingMode;
  /** Amounts are multiples of this many minor units: 1 normally, 5 for cash rounding to 0.05. */
  readonly increment: bigint;
}

export const standardRounding: RoundingRule = { mode: 'half-up', increment: 1n };

export class CurrencyMismatchError extends TypeError {
  constructor(a: string, b: string) {
    super(`Cannot combine amounts in ${a} and ${b}`);
    this.name = 'CurrencyMismatchError';
  }
}

/**
 * Minor-unit digits where ISO 4217 differs from the digits Intl reports. Intl follows CLDR, whose
 * `digits` say how amounts are customarily displayed (Iraqi dinar without fils, rupiah without
 * sen). Invoices, ledgers and payment gateways exchange amounts in ISO 4217 minor units, so the
 * ISO figure wins; display rounding belongs to the formatter in the web app, not here.
 */
const isoMinorDigits: Readonly<Record<string, number>> = {
  AFN: 2, ALL: 2, COP: 2, HUF: 2, IDR: 2, IQD: 3, IRR: 2, KPW: 2, LAK: 2,
  LBP: 2, MGA: 2, MMK: 2, PKR: 2, SLL: 2, SOS: 2, SYP: 2, YER: 2,
};

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));
const digitsCache = new Map<string, number>();

/** ISO 4217 minor-unit digits: KES 2, JPY 0, KWD 3. Unknown codes are refused. */
export function minorDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  if (!knownCurrencies.has(currency)) throw new RangeError(`Unknown currency "${currency}"`);
  const digits =
    isoMinorDigits[currency] ??
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
    2;
  digitsCache.set(currency, digits);
  return digits;
}

function minorPerMajor(currency: string): bigint {
  return 10n ** BigInt(minorDigits(currency));
}

export function money(minor: bigint, currency: string): Money {
  minorDigits(currency);
  return { minor, currency };
}

export function zeroMoney(currency: string): Money {
  return money(0n, currency);
}

const amountPattern = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses "1500.50" into 150050 minor units exactly. More decimals than the currency has are an
 * error, not a rounding: a price the customer cannot pay must not be silently changed.
 */
export function parseMoney(text: string, currency: string): Money {
  const digits = minorDigits(currency);
  const match = amountPattern.exec(text);
  if (!match) throw new RangeError(`Amount must be a plain decimal like 1500.50, got "${text}"`);
  const [, minus = '', whole = '', fraction = ''] = match;
  if (fraction.length > digits) {
    throw new RangeError(`${currency} amounts have at most ${digits} decimal places, got "${text}"`);
  }
  const minor = BigInt(whole + fraction.padEnd(digits, '0'));
  return money(minus ? -minor : minor, currency);
}

/** Formats minor units as a plain decimal string with exactly the currency's digits: "1500.50". */
export function formatMoney(amount: Money): string {
  const digits = minorDigits(amount.currency);
  const magnitude = (amount.minor < 0n ? -amount.minor : amount.minor).toString().padStart(digits + 1, '0');
  const sign = amount.minor < 0n ? '-' : '';
  if (digits === 0) return sign + magnitude;
  return `${sign}${magnitude.slice(0, -digits)}.${magnitude.slice(-digits)}`;
}

/** The amount in major units as an exact rational, for rates and proration factors. */
export function toRational(amount: Money): Rational {
  return rational(amount.minor, minorPerMajor(amount.currency));
}

/** Rounds a value in major units to Money by the rule. The only rounding point for amounts. */
export function toMoney(major: Rational, currency: string, rule: RoundingRule = standardRounding): Money {
  const minor = rational(major.num * minorPerMajor(currency), major.den);
  return money(roundToMultiple(minor, rule.increment, rule.mode), currency);
}

function sameCurrency(a: Money, b: Money): string {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return a.currency;
}

export function addMoney(a: Money, b: Money): Money {
  return { minor: a.minor + b.minor, currency: sameCurrency(a, b) };
}

export function subtractMoney(a: Money, b: Money): Money {
  return { minor: a.minor - b.minor, currency: sameCurrency(a, b) };
}

export function negateMoney(a: Money): Money {
  return { minor: -a.minor, currency: a.currency };
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0;
}

/** Sums amounts that must all be in `currency`; the currency is explicit so [] sums to zero. */
export function sumMoney(amounts: readonly Money[], currency: string): Money {
  return amounts.reduce(addMoney, zeroMoney(currency));
}

/**
 * Splits total into parts proportional to weights by the largest-remainder method: every part
 * gets its floor share, and the units left over go one each to the parts with the largest
 * remainders (earliest first on ties). The parts always sum exactly to the total. With a step
 * (a cash increment) the split is in whole steps, so every part stays payable in cash.
 */
export function allocate(total: Money, weights: readonly bigint[], step = 1n): Money[] {
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0n);
  if (weights.length === 0 || weights.some((weight) => weight < 0n) || weightSum === 0n) {
    throw new RangeError('Allocation needs non-negative weights with a positive sum');
  }
  if (step <= 0n || total.minor % step !== 0n) {
    throw new RangeError(`Cannot allocate ${total.minor} minor units in steps of ${step}`);
  }
  const sign = total.minor < 0n ? -1n : 1n;
  const units = (sign * total.minor) / step;
  const shares = weights.map((weight) => (units * weight) / weightSum);
  const remainders = weights.map((weight) => (units * weight) % weightSum);
  let leftOver = units - shares.reduce((sum, share) => sum + share, 0n);
  const byRemainder = weights
    .map((_, index) => index)
    .sort((a, b) => {
      const [ra = 0n, rb = 0n] = [remainders[a], remainders[b]];
      return ra === rb ? a - b : ra > rb ? -1 : 1;
    });
  for (const index of byRemainder) {
    if (leftOver === 0n) break;
    shares[index] = (shares[index] ?? 0n) + 1n;
    leftOver -= 1n;
  }
  return shares.map((share) => money(sign * share * step, total.currency));
}

/** Builds a rounding rule from stored settings, refusing increments that cannot be amounts. */
export function roundingRule(mode: RoundingMode = 'half-up', increment = 1n): RoundingRule {
  if (increment <= 0n) throw new RangeError('Rounding increment must be a positive number of minor units');
  return { mode, increment };
}
