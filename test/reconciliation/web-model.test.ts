import { describe, expect, it } from 'vitest';
import { amountDifference, lastDays } from '../../web/src/features/reconciliation/model.ts';

describe('reconciliation screen helpers', () => {
  it('shows the statement-minus-payment difference exactly', () => {
    expect(amountDifference('3000.00', '700.00')).toBe('2300.00');
    expect(amountDifference('5250.75', '5250.00')).toBe('0.75');
    expect(amountDifference('0.10', '0.30')).toBe('-0.20');
    expect(amountDifference('999999999999.99', '0.01')).toBe('999999999999.98');
    expect(amountDifference('1500', '1500')).toBe('0');
  });

  it('gives the last days as calendar dates', () => {
    expect(lastDays(7, new Date(2026, 10, 22, 10))).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(lastDays(1, new Date(2026, 0, 1))).toEqual({ from: '2026-01-01', to: '2026-01-01' });
  });
});
