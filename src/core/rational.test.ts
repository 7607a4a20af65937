import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, compare, divide, multiply, parseDecimal, rational, roundToMultiple, subtract, toDecimalString } from './rational.ts';

const smallRational = fc
  .tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 6n }))
  .map(([num, den]) => rational(num, den));

describe('parseDecimal', () => {
  it('reads plain decimals exactly', () => {
    expect(parseDecimal('0.4375')).toEqual({ num: 7n, den: 16n });
    expect(parseDecimal('16')).toEqual({ num: 16n, den: 1n });
    expect(parseDecimal('-2.50')).toEqual({ num: -5n, den: 2n });
    expect(parseDecimal('000.000')).toEqual({ num: 0n, den: 1n });
  });

  it.each(['', ' 1', '1 ', '+1', '1e3', '1E-2', '.5', '5.', '1,5', '1_000', '0x10', 'NaN', 'Infinity', '--1', '1.2.3'])(
    'refuses %j',
    (text) => expect(() => parseDecimal(text, 'Price')).toThrow(/Price must be a plain decimal/),
  );
});

describe('rational arithmetic', () => {
  it('keeps one representation per value', () => {
    expect(rational(6n, -4n)).toEqual({ num: -3n, den: 2n });
    expect(() => rational(1n, 0n)).toThrow(RangeError);
  });

  it('is exact where floats are not: 0.1 + 0.2 = 0.3', () => {
    expect(compare(add(parseDecimal('0.1'), parseDecimal('0.2')), parseDecimal('0.3'))).toBe(0);
  });

  it('a - b + b = a and a / b × b = a (property)', () => {
    fc.assert(
      fc.property(smallRational, smallRational, (a, b) => {
        expect(add(subtract(a, b), b)).toEqual(a);
        if (b.num !== 0n) expect(multiply(divide(a, b), b)).toEqual(a);
      }),
    );
  });
});

describe('roundToMultiple', () => {
  it('rounds halves up (away from zero) or to even, as asked', () => {
    const cases: [string, 'half-up' | 'half-even', bigint][] = [
      ['2.5', 'half-up', 3n],
      ['2.5', 'half-even', 2n],
      ['3.5', 'half-even', 4n],
      ['-2.5', 'half-up', -3n],
      ['-2.5', 'half-even', -2n],
      ['2.4999', 'half-up', 2n],
      ['2.5001', 'half-even', 3n],
    ];
    for (const [value, mode, expected] of cases) expect(roundToMultiple(parseDecimal(value), 1n, mode)).toBe(expected);
  });

  it('rounds to cash steps: 237 → 235, 237.5 → 240 in steps of 5', () => {
    expect(roundToMultiple(parseDecimal('237'), 5n, 'half-up')).toBe(235n);
    expect(roundToMultiple(parseDecimal('237.5'), 5n, 'half-up')).toBe(240n);
    expect(roundToMultiple(parseDecimal('232.5'), 5n, 'half-even')).toBe(230n);
  });

  it('lands on a multiple of the step, within half a step, symmetric in sign (property)', () => {
    fc.assert(
      fc.property(smallRational, fc.bigInt({ min: 1n, max: 100n }), fc.constantFrom('half-up' as const, 'half-even' as const), (value, step, mode) => {
        const rounded = roundToMultiple(value, step, mode);
        expect(rounded % step).toBe(0n);
        const error = subtract(rational(rounded), value);
        expect(compare(multiply(error, rational(2n)), rational(step))).toBeLessThanOrEqual(0);
        expect(compare(multiply(error, rational(-2n)), rational(step))).toBeLessThanOrEqual(0);
        expect(roundToMultiple(rational(-value.num, value.den), step, mode)).toBe(-rounded);
      }),
    );
  });
});

describe('toDecimalString', () => {
  it('is exact when the decimal terminates, rounded for display when it does not', () => {
    expect(toDecimalString(parseDecimal('0.4375'), 12)).toBe('0.4375');
    expect(toDecimalString(rational(-7n, 2n), 12)).toBe('-3.5');
    expect(toDecimalString(rational(1n, 3n), 12)).toBe('0.333333333333');
    expect(toDecimalString(rational(150000n, 31n), 4)).toBe('4838.7097');
    expect(toDecimalString(rational(12n), 12)).toBe('12');
  });

  it('round-trips decimals with up to 12 places (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 12 }), (digits, scale) => {
        const value = rational(digits, 10n ** BigInt(scale));
        expect(parseDecimal(toDecimalString(value, 12))).toEqual(value);
      }),
    );
  });
});
