import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { describePenalty, incrementInMajorUnits, settingsBody, settingsForm, type BillingSettings, type PenaltyClass } from '../../web/src/features/billing/model.ts';
import { subscriptionActions, scheduledChanges } from '../../web/src/features/subscriptions/model.ts';

const settings: BillingSettings = {
  organizationId: '00000000-0000-4000-8000-000000000001',
  approvalRequired: false,
  dueDays: 14,
  graceDays: 3,
  rounding: { USD: { mode: 'half-even', increment: '1' }, KES: { mode: 'half-up', increment: '100' } },
  paymentInstructions: 'Paybill 123456, account = your account number',
  invoiceFooter: 'Thank you',
  invoiceNumberFormat: 'INV-{seq:6}',
  creditNoteNumberFormat: 'CN-{seq:6}',
  lastInvoiceNumber: 'INV-000041',
};

describe('billing settings form', () => {
  it('lists rounding rules by currency and gives back the same settings unchanged', () => {
    const form = settingsForm(settings);
    expect(form.rounding.map((r) => r.currency)).toEqual(['KES', 'USD']);
    const { organizationId: _o, lastInvoiceNumber: _l, ...rest } = settings;
    expect(settingsBody(form)).toEqual(rest);
  });

  it('keys new rows by their upper-cased code, leaves out rows without one, and trims what is typed', () => {
    const form = settingsForm(settings);
    form.rounding.push({ currency: 'bdt', mode: 'half-up', increment: ' 50 ' }, { currency: ' ', mode: 'half-up', increment: '1' });
    form.invoiceNumberFormat = ' KIL/{year}/{seq:5} ';
    const body = settingsBody(form);
    expect(Object.keys(body.rounding ?? {})).toEqual(['KES', 'USD', 'BDT']);
    expect(body.rounding?.BDT).toEqual({ mode: 'half-up', increment: '50' });
    expect(body.invoiceNumberFormat).toBe('KIL/{year}/{seq:5}');
  });

  it('sends an emptied day count so the server names the field instead of a silent zero', () => {
    const form = { ...settingsForm(settings), dueDays: '' as const };
    expect(JSON.parse(JSON.stringify(settingsBody(form))).dueDays).toBeNull();
  });

  it('shows a rounding increment in major units exactly', () => {
    expect(incrementInMajorUnits('100', 2)).toBe('1');
    expect(incrementInMajorUnits('5', 2)).toBe('0.05');
    expect(incrementInMajorUnits('50', 2)).toBe('0.5');
    expect(incrementInMajorUnits('1', 0)).toBe('1');
    expect(incrementInMajorUnits('25', 3)).toBe('0.025');
    expect(incrementInMajorUnits('0', 2)).toBeNull();
    expect(incrementInMajorUnits('1.5', 2)).toBeNull();
  });
});

describe('describePenalty', () => {
  const t = ((key: string, o: Record<string, string>) => `${key.split('.').pop()}(${Object.values(o).join('|')})`) as unknown as TFunction;
  const base = { id: 'p', organizationId: 'o', name: 'Standard', currency: 'KES', daysAfterDue: 7, penaltyOnPenalty: false, readOnly: false, createdAt: '' };

  it('words fixed and percentage penalties with the money in the currency', () => {
    expect(describePenalty({ ...base, kind: 'fixed', amount: '200.00', percent: null, minimum: null } as PenaltyClass, t, 'en')).toBe('describeFixed(KES\u00a0200.00|7)');
    expect(describePenalty({ ...base, kind: 'percentage', amount: null, percent: '5', minimum: '100.00' } as PenaltyClass, t, 'en')).toBe('describePercentMin(5|KES\u00a0100.00|7)');
    expect(describePenalty({ ...base, kind: 'percentage', amount: null, percent: '2.5', minimum: null } as PenaltyClass, t, 'en')).toBe('describePercent(2.5|7)');
  });
});

describe('subscription actions', () => {
  const can = (held: string[]) => (p: string) => held.includes(p);
  const all = can(['subscriptions.update', 'subscriptions.delete']);
  const sub = (status: Parameters<typeof subscriptionActions>[0]['status'], patch: Partial<Parameters<typeof subscriptionActions>[0]> = {}) => ({ status, username: null, billedThrough: null, ...patch });

  it('offers what the lifecycle allows from each status', () => {
    expect(subscriptionActions(sub('pending'), all)).toEqual(['activate', 'terminate', 'delete', 'history']);
    expect(subscriptionActions(sub('active'), all)).toEqual(['changePlan', 'suspend', 'terminate', 'history']);
    expect(subscriptionActions(sub('grace'), all)).toEqual(['changePlan', 'suspend', 'terminate', 'history']);
    expect(subscriptionActions(sub('suspended', { username: 'wanjiru' }), all)).toEqual(['resume', 'terminate', 'credentials', 'history']);
    expect(subscriptionActions(sub('terminated'), all)).toEqual(['history']);
  });

  it('does not delete a billed subscription and asks for each permission', () => {
    expect(subscriptionActions(sub('pending', { billedThrough: '2026-04-01T00:00:00Z' }), all)).toEqual(['activate', 'terminate', 'history']);
    expect(subscriptionActions(sub('active', { username: 'x' }), can([]))).toEqual(['history']);
  });

  it('lists the scheduled changes that can be cancelled', () => {
    expect(scheduledChanges({ suspendAt: '2026-05-01T00:00:00Z', resumeAt: '2026-05-15T00:00:00Z', terminateAt: null, pendingPlanId: 'p2' })).toEqual([
      { change: 'suspension', at: '2026-05-01T00:00:00Z' },
      { change: 'resumption', at: '2026-05-15T00:00:00Z' },
      { change: 'plan_change', at: null },
    ]);
  });
});
