import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CurrencyMismatchError,
  type Money,
  addMoney,
  allocate,
  compareMoney,
  formatMoney,
  minorDigits,
  money,
  negateMoney,
  parseMoney,
  roundingRule,
  subtractMoney,
  sumMoney,
  toMoney,
  toRational,
} from './money.ts';
import { compare, multiply, parseDecimal, rational, subtract } from './rational.ts';

const allCurrencies = Intl.supportedValuesOf('currency');
const kes = (text: string): Money => parseMoney(text, 'KES');

describe('minorDigits', () => {
  it('follows ISO 4217 for the currencies our ISPs bill in', () => {
    const expected = { KES: 2, BDT: 2, USD: 2, JPY: 0, KWD: 3, BHD: 3, UGX: 0, TZS: 2, NGN: 2, EUR: 2 };
    for (const [currency, digits] of Object.entries(expected)) expect(minorDigits(currency)).toBe(digits);
  });

  it('overrides Intl (CLDR display digits) where ISO 4217 differs', () => {
    expect(new Intl.NumberFormat('en', { style: 'currency', currency: 'IQD' }).resolvedOptions().maximumFractionDigits).toBe(0);
    expect(minorDigits('IQD')).toBe(3);
    expect(minorDigits('IDR')).toBe(2);
    expect(minorDigits('PKR')).toBe(2);
  });

  it('refuses codes that are not ISO currencies', () => {
    expect(() => minorDigits('XYZ')).toThrow(/Unknown currency "XYZ"/);
    expect(() => minorDigits('kes')).toThrow(/Unknown currency/);
  });
});

describe('parseMoney and formatMoney', () => {
  it('parse exactly into minor units', () => {
    expect(kes('1500.50').minor).toBe(150050n);
    expect(kes('1500.5').minor).toBe(150050n);
    expect(kes('1500').minor).toBe(150000n);
    expect(kes('-0.05').minor).toBe(-5n);
    expect(parseMoney('1500', 'JPY').minor).toBe(1500n);
    expect(parseMoney('1.234', 'KWD').minor).toBe(1234n);
    expect(parseMoney('99999999999999999999.99', 'USD').minor).toBe(9999999999999999999999n);
  });

  it('refuse more decimals than the currency has instead of rounding', () => {
    expect(() => kes('1500.505')).toThrow(/KES amounts have at most 2 decimal places/);
    expect(() => parseMoney('1500.0', 'JPY')).toThrow(/JPY amounts have at most 0 decimal places/);
    expect(() => parseMoney('1.2345', 'BHD')).toThrow(/at most 3/);
  });

  it.each(['', '1e3', '1.5e2', '1,500.00', ' 100', '+5', '.5', '5.', 'NaN', 'Infinity', '0x1F', '12abc', '1_000'])(
    'refuse %j as not a plain decimal',
    (text) => expect(() => kes(text)).toThrow(/Amount must be a plain decimal/),
  );

  it('format with exactly the currency digits', () => {
    expect(formatMoney(money(150050n, 'KES'))).toBe('1500.50');
    expect(formatMoney(money(5n, 'KES'))).toBe('0.05');
    expect(formatMoney(money(-5n, 'KES'))).toBe('-0.05');
    expect(formatMoney(money(0n, 'KWD'))).toBe('0.000');
    expect(formatMoney(money(1500n, 'JPY'))).toBe('1500');
    expect(formatMoney(money(-7n, 'UGX'))).toBe('-7');
  });

  it('round-trip for every currency, hence every digit count (0, 2, 3) (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...allCurrencies), fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }), (currency, minor) => {
        const amount = money(minor, currency);
        expect(parseMoney(formatMoney(amount), currency)).toEqual(amount);
      }),
      { numRuns: 2000 },
    );
    expect(new Set(allCurrencies.map(minorDigits))).toEqual(new Set([0, 2, 3]));
  });
});

describe('arithmetic', () => {
  it('adds, subtracts, compares and sums in one currency', () => {
    expect(addMoney(kes('0.10'), kes('0.20'))).toEqual(kes('0.30'));
    expect(subtractMoney(kes('10'), kes('0.01'))).toEqual(kes('9.99'));
    expect(compareMoney(kes('1'), kes('0.99'))).toBe(1);
    expect(sumMoney([], 'KES')).toEqual(kes('0'));
    expect(sumMoney([kes('1'), kes('2.50')], 'KES')).toEqual(kes('3.50'));
    expect(negateMoney(kes('2.50'))).toEqual(kes('-2.50'));
  });

  it('throws when currencies are mixed', () => {
    const usd = parseMoney('1', 'USD');
    expect(() => addMoney(kes('1'), usd)).toThrow(CurrencyMismatchError);
    expect(() => subtractMoney(kes('1'), usd)).toThrow('Cannot combine amounts in KES and USD');
    expect(() => compareMoney(kes('1'), usd)).toThrow(CurrencyMismatchError);
    expect(() => sumMoney([usd], 'KES')).toThrow(CurrencyMismatchError);
  });
});

describe('toMoney: the one rounding point', () => {
  it('rounds a value in major units by the rule', () => {
    const value = parseDecimal('2.345');
    expect(toMoney(value, 'KES').minor).toBe(235n);
    expect(toMoney(value, 'KES', roundingRule('half-even')).minor).toBe(234n);
    expect(toMoney(parseDecimal('2.355'), 'KES', roundingRule('half-even')).minor).toBe(236n);
    expect(toMoney(parseDecimal('-2.345'), 'KES').minor).toBe(-235n);
    expect(toMoney(parseDecimal('1500.5'), 'JPY').minor).toBe(1501n);
    expect(toMoney(parseDecimal('1500.5'), 'JPY', roundingRule('half-even')).minor).toBe(1500n);
    expect(toMoney(parseDecimal('0.0005'), 'KWD').minor).toBe(1n);
  });

  it('rounds to cash increments: 2.37 → 2.35 and 2.375 → 2.40 in steps of 0.05', () => {
    const cash = roundingRule('half-up', 5n);
    expect(toMoney(parseDecimal('2.37'), 'KES', cash).minor).toBe(235n);
    expect(toMoney(parseDecimal('2.375'), 'KES', cash).minor).toBe(240n);
    expect(toMoney(parseDecimal('2.3749'), 'KES', cash).minor).toBe(235n);
    expect(() => roundingRule('half-up', 0n)).toThrow(/positive/);
  });

  it('is within half an increment of the exact value and a multiple of it (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.constantFrom('KES', 'JPY', 'KWD'),
        fc.constantFrom(1n, 5n, 10n, 50n),
        fc.constantFrom('half-up' as const, 'half-even' as const),
        (num, den, currency, increment, mode) => {
          const exact = rational(num, den);
          const rounded = toMoney(exact, currency, roundingRule(mode, increment));
          expect(rounded.minor % increment).toBe(0n);
          const errorInMinor = multiply(subtract(toRational(rounded), exact), rational(10n ** BigInt(minorDigits(currency))));
          expect(compare(multiply(errorInMinor, rational(2n)), rational(increment))).toBeLessThanOrEqual(0);
          expect(compare(multiply(errorInMinor, rational(-2n)), rational(increment))).toBeLessThanOrEqual(0);
        },
      ),
    );
  });
});

describe('allocate (largest remainder)', () => {
  it('splits by hand-checked examples', () => {
    expect(allocate(kes('100'), [1n, 1n, 1n]).map(formatMoney)).toEqual(['33.34', '33.33', '33.33']);
    expect(allocate(kes('0.05'), [3n, 7n]).map(formatMoney)).toEqual(['0.02', '0.03']);
    expect(allocate(kes('-100'), [1n, 1n, 1n]).map(formatMoney)).toEqual(['-33.34', '-33.33', '-33.33']);
    expect(allocate(kes('10'), [0n, 1n]).map(formatMoney)).toEqual(['0.00', '10.00']);
    // 1.00 in steps of 0.05 by 1:1:1 is 7+7+6 steps.
    expect(allocate(kes('1'), [1n, 1n, 1n], 5n).map(formatMoney)).toEqual(['0.35', '0.35', '0.30']);
  });

  it('refuses what cannot be split', () => {
    expect(() => allocate(kes('1'), [])).toThrow(RangeError);
    expect(() => allocate(kes('1'), [0n, 0n])).toThrow(RangeError);
    expect(() => allocate(kes('1'), [1n, -1n, 1n])).toThrow(RangeError);
    expect(() => allocate(kes('0.03'), [1n], 5n)).toThrow(/steps of 5/);
  });

  it('always sums exactly, each part within one step of its exact share (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 6n }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom(1n, 5n, 100n),
        (units, weights, step) => {
          fc.pre(weights.some((weight) => weight > 0n));
          const total = money(units * step, 'KES');
          const parts = allocate(total, weights, step);
          expect(sumMoney(parts, 'KES')).toEqual(total);
          const weightSum = weights.reduce((a, b) => a + b, 0n);
          parts.forEach((part, index) => {
            const weight = weights[index] ?? 0n;
            expect(part.minor % step).toBe(0n);
            const exactTimesSum = total.minor * weight;
            const diff = part.minor * weightSum - exactTimesSum;
            expect(diff < 0n ? -diff : diff).toBeLessThan(step * weightSum);
          });
        },
      ),
    );
  });
});
