import { describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from './money.ts';
import { periodContaining } from './periods.ts';
import { type SubscriptionStatus, canTransition, immediatePlanChangeLines, subscriberStatusFor, subscriptionTransitions } from './subscription-lifecycle.ts';

const kes = (text: string) => parseMoney(text, 'KES');
// April 2026 in Nairobi (UTC+3): 30 days, from 2026-03-31T21:00Z to 2026-04-30T21:00Z.
const april = periodContaining({ cycle: { kind: 'calendar', every: 'month' }, timeZone: 'Africa/Nairobi' }, new Date('2026-04-15T09:00:00Z'));
// 15:00 local on 11 April: 10 whole days have passed, 20 days (11th to 30th) remain.
const onThe11th = new Date('2026-04-11T12:00:00Z');

describe('subscription transitions', () => {
  const all = Object.keys(subscriptionTransitions) as SubscriptionStatus[];

  it('follow pending → active → grace → suspended → terminated, with the ways back', () => {
    expect(canTransition('pending', 'active')).toBe(true);
    expect(canTransition('active', 'grace')).toBe(true);
    expect(canTransition('grace', 'suspended')).toBe(true);
    expect(canTransition('suspended', 'terminated')).toBe(true);
    expect(canTransition('suspended', 'active')).toBe(true);
    expect(canTransition('grace', 'active')).toBe(true);
  });

  it('never leave terminated, never go back to pending, and never move to the same status', () => {
    for (const to of all) expect(canTransition('terminated', to)).toBe(false);
    for (const from of all) expect(canTransition(from, 'pending')).toBe(false);
    for (const s of all) expect(canTransition(s, s)).toBe(false);
    expect(canTransition('pending', 'suspended')).toBe(false);
    expect(canTransition('pending', 'grace')).toBe(false);
    expect(canTransition('suspended', 'grace')).toBe(false);
  });
});

describe('subscriber status from subscriptions', () => {
  it('is active while any subscription is in service, then suspended, then disconnected', () => {
    expect(subscriberStatusFor(['terminated', 'suspended', 'grace'])).toBe('active');
    expect(subscriberStatusFor(['active'])).toBe('active');
    expect(subscriberStatusFor(['suspended', 'terminated', 'pending'])).toBe('suspended');
    expect(subscriberStatusFor(['terminated', 'terminated'])).toBe('disconnected');
  });

  it('says nothing with no subscriptions or only scheduled ones', () => {
    expect(subscriberStatusFor([])).toBeNull();
    expect(subscriberStatusFor(['pending'])).toBeNull();
    expect(subscriberStatusFor(['pending', 'terminated'])).toBeNull();
  });
});

describe('immediate plan change lines', () => {
  it('in advance: credit the unused days of the old plan, charge them on the new one (hand-checked)', () => {
    // KES 3,000 → KES 4,500 a month on the 11th of a 30-day month: 20 days remain.
    // Credit −3,000 × 20/30 = −2,000.00; charge 4,500 × 20/30 = 3,000.00; net 1,000.00 due.
    const { credit, charge } = immediatePlanChangeLines({ period: april, at: onThe11th, oldPrice: kes('3000'), newPrice: kes('4500'), timing: 'in_advance' });
    expect(formatMoney(credit.amount)).toBe('-2000.00');
    expect(formatMoney(charge.amount)).toBe('3000.00');
    expect(credit.quantity).toBe('-20');
    expect(charge.details).toEqual({ days: '20', daysInPeriod: '30' });
  });

  it('in arrears: charge the old plan for the days used, credit the new plan for them (hand-checked)', () => {
    // The period's invoice will charge the new plan (4,500) for all 30 days, so for the 10 days used:
    // charge 3,000 × 10/30 = 1,000.00 and credit −4,500 × 10/30 = −1,500.00; net −500.00.
    // Together: 1,000 + 3,000 (new plan, 20 days) = 4,000 = 4,500 − 500.
    const { credit, charge } = immediatePlanChangeLines({ period: april, at: onThe11th, oldPrice: kes('3000'), newPrice: kes('4500'), timing: 'in_arrears' });
    expect(formatMoney(charge.amount)).toBe('1000.00');
    expect(formatMoney(credit.amount)).toBe('-1500.00');
    expect(credit.descriptionKey).toBe('invoiceLine.planChange.usedCredit');
    expect(charge.details).toEqual({ days: '10', daysInPeriod: '30' });
  });

  it('rounds each line once: 2,500 → 999.99 on the 11th of 30 days', () => {
    // −2,500 × 20/30 = −1,666.666… → −1,666.67 (half-up away from zero); 999.99 × 20/30 = 666.66.
    const { credit, charge } = immediatePlanChangeLines({ period: april, at: onThe11th, oldPrice: kes('2500'), newPrice: kes('999.99'), timing: 'in_advance' });
    expect(formatMoney(credit.amount)).toBe('-1666.67');
    expect(formatMoney(charge.amount)).toBe('666.66');
  });
});
