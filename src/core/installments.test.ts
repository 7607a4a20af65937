import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverInstallments, frequencies, installmentSchedule, isBroken, nthDueDate } from './installments.ts';

describe('installmentSchedule (hand-computed)', () => {
  it('10,000.00 in 3 monthly installments: 3,333.34 first, or 3,333.34 last', () => {
    const first = installmentSchedule({ total: 1_000_000n, count: 3, firstDue: '2026-01-31', frequency: 'monthly', remainder: 'first' });
    expect(first).toEqual([
      { seq: 1, dueDate: '2026-01-31', amount: 333_334n },
      { seq: 2, dueDate: '2026-02-28', amount: 333_333n },
      { seq: 3, dueDate: '2026-03-31', amount: 333_333n },
    ]);
    const last = installmentSchedule({ total: 1_000_000n, count: 3, firstDue: '2026-01-31', frequency: 'monthly', remainder: 'last' });
    expect(last.map((i) => i.amount)).toEqual([333_333n, 333_333n, 333_334n]);
  });

  it('weekly and fortnightly dates; a leap year gives Feb 29', () => {
    expect(installmentSchedule({ total: 400n, count: 2, firstDue: '2026-12-28', frequency: 'weekly', remainder: 'last' }).map((i) => i.dueDate)).toEqual(['2026-12-28', '2027-01-04']);
    expect(installmentSchedule({ total: 400n, count: 2, firstDue: '2026-03-01', frequency: 'biweekly', remainder: 'last' }).map((i) => i.dueDate)).toEqual(['2026-03-01', '2026-03-15']);
    expect(nthDueDate('2028-01-31', 'monthly', 1)).toBe('2028-02-29');
  });

  it('refuses no installments, too many, nothing to pay, and fewer minor units than installments', () => {
    const base = { firstDue: '2026-01-01', frequency: 'monthly', remainder: 'last' } as const;
    expect(() => installmentSchedule({ ...base, total: 100n, count: 0 })).toThrow(RangeError);
    expect(() => installmentSchedule({ ...base, total: 100n, count: 61 })).toThrow(RangeError);
    expect(() => installmentSchedule({ ...base, total: 100n, count: 1.5 })).toThrow(RangeError);
    expect(() => installmentSchedule({ ...base, total: 0n, count: 2 })).toThrow(RangeError);
    expect(() => installmentSchedule({ ...base, total: 2n, count: 3 })).toThrow(RangeError);
  });
});

describe('installmentSchedule (properties)', () => {
  const input = fc.record({
    total: fc.bigInt({ min: 1n, max: 10n ** 14n }),
    count: fc.integer({ min: 1, max: 60 }),
    firstDue: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    frequency: fc.constantFrom(...frequencies),
    remainder: fc.constantFrom('first' as const, 'last' as const),
  });

  it('sums exactly to the total; every installment is a bigint of at least one minor unit; the rest sits on the chosen end; dates ascend', () => {
    fc.assert(
      fc.property(input.filter((i) => i.total >= BigInt(i.count)), (i) => {
        const s = installmentSchedule(i);
        expect(s).toHaveLength(i.count);
        expect(s.reduce((a, x) => a + x.amount, 0n)).toBe(i.total);
        for (const x of s) expect(typeof x.amount).toBe('bigint');
        const amounts = s.map((x) => x.amount);
        const min = amounts.reduce((a, b) => (b < a ? b : a));
        const max = amounts.reduce((a, b) => (b > a ? b : a));
        expect(min).toBeGreaterThanOrEqual(1n);
        expect(max - min).toBeLessThan(BigInt(i.count));
        const odd = i.remainder === 'first' ? 0 : i.count - 1;
        for (const [k, a] of amounts.entries()) if (k !== odd) expect(a).toBe(min);
        for (let k = 1; k < s.length; k++) expect(s[k]!.dueDate > s[k - 1]!.dueDate).toBe(true);
        expect(s[0]!.dueDate).toBe(i.firstDue);
      }),
      { numRuns: 500 },
    );
  });

  it('money paid covers installments in order and never more than each; the covered sum is min(paid, total)', () => {
    fc.assert(
      fc.property(input.filter((i) => i.total >= BigInt(i.count)), fc.bigInt({ min: -10n, max: 10n ** 14n }), (i, paid) => {
        const s = installmentSchedule(i);
        const progress = coverInstallments(s, paid, '2100-01-01');
        const covered = progress.reduce((a, p) => a + p.paid, 0n);
        const clamped = paid < 0n ? 0n : paid;
        expect(covered).toBe(clamped < i.total ? clamped : i.total);
        let open = false;
        for (const [k, p] of progress.entries()) {
          expect(p.paid <= s[k]!.amount && p.paid >= 0n).toBe(true);
          if (open) expect(p.paid).toBe(0n);
          if (p.paid < s[k]!.amount) open = true;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('coverInstallments and isBroken', () => {
  const plan = installmentSchedule({ total: 90_000n, count: 3, firstDue: '2026-05-01', frequency: 'monthly', remainder: 'last' });
  it('marks paid, due and overdue installments by the date', () => {
    expect(coverInstallments(plan, 45_000n, '2026-05-20')).toEqual([
      { paid: 30_000n, status: 'paid' },
      { paid: 15_000n, status: 'due' },
      { paid: 0n, status: 'due' },
    ]);
    expect(coverInstallments(plan, 45_000n, '2026-06-02').map((p) => p.status)).toEqual(['paid', 'overdue', 'due']);
  });
  it('breaks the plan only after the grace days', () => {
    const progress = coverInstallments(plan, 30_000n, '2026-06-04');
    expect(isBroken(plan, progress, '2026-06-04', 3)).toBe(false);
    expect(isBroken(plan, coverInstallments(plan, 30_000n, '2026-06-05'), '2026-06-05', 3)).toBe(true);
    expect(isBroken(plan, coverInstallments(plan, 60_000n, '2026-06-05'), '2026-06-05', 3)).toBe(false);
  });
});
