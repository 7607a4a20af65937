import { describe, expect, it } from 'vitest';
import { formatQuantity, isPositiveDecimal, isUnpaid, nextRenewal } from '../../web/src/features/portal/model.ts';

describe('portal web helpers', () => {
  it('reads decimal amounts digit by digit: zero in any spelling is not positive, a cent is', () => {
    for (const zero of ['0', '0.00', '000.000', ' 0.0 ']) expect(isPositiveDecimal(zero), zero).toBe(false);
    for (const some of ['0.01', '1', '2000.00', '0.000001']) expect(isPositiveDecimal(some), some).toBe(true);
    for (const notIt of ['-5.00', '', 'abc', '1e3']) expect(isPositiveDecimal(notIt), notIt).toBe(false);
  });

  it('shows a usage quantity with every decimal it has, in the interface language', () => {
    expect(formatQuantity('4.5', 'en')).toBe('4.5');
    expect(formatQuantity('1234.125', 'en')).toBe('1,234.125');
    expect(formatQuantity('1234.125', 'fr')).toBe('1\u202f234,125');
    expect(formatQuantity('12345678901234567.25', 'en')).toBe('12,345,678,901,234,567.25');
  });

  it('asks for money only on unpaid invoices, never on a credit note', () => {
    expect(isUnpaid({ kind: 'invoice', status: 'open' })).toBe(true);
    expect(isUnpaid({ kind: 'invoice', status: 'overdue' })).toBe(true);
    expect(isUnpaid({ kind: 'invoice', status: 'paid' })).toBe(false);
    expect(isUnpaid({ kind: 'credit_note', status: 'open' })).toBe(false);
  });

  it('the next renewal is the earliest of the subscriptions still in service', () => {
    expect(
      nextRenewal([
        { status: 'active', nextBillAt: '2026-04-30T21:00:00.000Z' },
        { status: 'suspended', nextBillAt: '2026-03-01T00:00:00.000Z' },
        { status: 'grace', nextBillAt: '2026-03-31T21:00:00.000Z' },
        { status: 'active', nextBillAt: null },
      ]),
    ).toBe('2026-03-31T21:00:00.000Z');
    expect(nextRenewal([{ status: 'terminated', nextBillAt: '2026-03-31T21:00:00.000Z' }])).toBeNull();
  });
});
