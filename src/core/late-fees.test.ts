import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LateFeeRule, lateFee } from './late-fees.ts';
import { formatMoney, money, parseMoney, roundingRule } from './money.ts';

const overdue = (charges: string, penalties = '0') => ({ charges: parseMoney(charges, 'KES'), penalties: parseMoney(penalties, 'KES') });
const fee = (rule: LateFeeRule, balance: ReturnType<typeof overdue>) => formatMoney(lateFee(rule, balance));

describe('lateFee (hand-computed)', () => {
  const fixed: LateFeeRule = { kind: 'fixed', amount: '200' };
  const fivePercent: LateFeeRule = { kind: 'percentage', percent: '5', minimum: '100' };

  it('fixed: 200.00 when anything is overdue, nothing otherwise', () => {
    expect(fee(fixed, overdue('1500'))).toBe('200.00');
    expect(fee(fixed, overdue('0'))).toBe('0.00');
    expect(fee(fixed, overdue('-50'))).toBe('0.00');
  });

  it('percentage with a minimum: 5% of 1000.00 is 50.00, raised to the 100.00 minimum; 5% of 5000.00 is 250.00', () => {
    expect(fee(fivePercent, overdue('1000'))).toBe('100.00');
    expect(fee(fivePercent, overdue('5000'))).toBe('250.00');
    expect(fee({ kind: 'percentage', percent: '2.5' }, overdue('999.99'))).toBe('25.00'); // 24.99975
    expect(formatMoney(lateFee({ kind: 'percentage', percent: '2.5' }, overdue('999.99'), roundingRule('half-up', 5n)))).toBe('25.00');
  });

  it('no penalty on penalty unless the class says so', () => {
    expect(fee(fivePercent, overdue('4000', '1000'))).toBe('200.00');
    expect(fee({ ...fivePercent, penaltyOnPenalty: true }, overdue('4000', '1000'))).toBe('250.00');
    expect(fee(fixed, overdue('0', '200'))).toBe('0.00');
    expect(fee({ ...fixed, penaltyOnPenalty: true }, overdue('0', '200'))).toBe('200.00');
  });

  it('refuses negative fees and rates', () => {
    expect(() => fee({ kind: 'fixed', amount: '-1' }, overdue('10'))).toThrow(/must not be negative/);
    expect(() => fee({ kind: 'percentage', percent: '-1' }, overdue('10'))).toThrow(/must not be negative/);
  });
});

describe('lateFee properties', () => {
  const percentageRule = fc.record({
    kind: fc.constant('percentage' as const),
    percent: fc.integer({ min: 0, max: 2500 }).map((bp) => `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}`),
    minimum: fc.integer({ min: 0, max: 100_000 }).map((cents) => formatMoney(money(BigInt(cents), 'KES'))),
    penaltyOnPenalty: fc.boolean(),
  });
  const balance = fc.bigInt({ min: 0n, max: 10n ** 10n });

  it('is at least the minimum when something is overdue, and never falls as the overdue amount grows', () => {
    fc.assert(
      fc.property(percentageRule, balance, balance, balance, (rule, a, b, penalties) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const at = (charges: bigint) => lateFee(rule, { charges: money(charges, 'KES'), penalties: money(penalties, 'KES') }).minor;
        expect(at(low) <= at(high)).toBe(true);
        if (high > 0n) expect(at(high) >= parseMoney(rule.minimum, 'KES').minor).toBe(true);
      }),
    );
  });

  it('without penalty on penalty, earlier penalties change nothing', () => {
    fc.assert(
      fc.property(percentageRule, balance, balance, (rule, charges, penalties) => {
        const plain = { ...rule, penaltyOnPenalty: false };
        const withPenalties = lateFee(plain, { charges: money(charges, 'KES'), penalties: money(penalties, 'KES') });
        expect(withPenalties).toEqual(lateFee(plain, { charges: money(charges, 'KES'), penalties: money(0n, 'KES') }));
      }),
    );
  });
});
