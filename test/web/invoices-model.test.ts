import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import {
  calendarDate,
  creditedLineNos,
  customerName,
  invoiceActions,
  isZeroDecimal,
  lineDescription,
  lineParts,
  manualLines,
  multiplyDecimals,
  sumDecimals,
  type Invoice,
  type InvoiceDetail,
} from '../../web/src/features/invoices/model.ts';

const everything = () => true;
const invoice = (patch: Partial<Invoice>) => ({ kind: 'invoice', status: 'draft', source: 'manual', amountPaid: '0.00', amountCredited: '0.00', ...patch }) as Invoice;

/** Renders a key and its options the way i18next would show a missing key: enough to see what was asked. */
const t = ((key: string, options?: Record<string, string>) => {
  const { defaultValue: _unused, ...rest } = options ?? {};
  return `${key}${Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : ''}`;
}) as unknown as TFunction;

describe('invoiceActions', () => {
  it('follows the workflow: a draft is issued or sent for review, a review approved, an approved one issued', () => {
    expect(invoiceActions(invoice({ status: 'draft' }), everything)).toEqual(['issue', 'submit', 'delete']);
    expect(invoiceActions(invoice({ status: 'in_review' }), everything)).toEqual(['approve', 'delete']);
    expect(invoiceActions(invoice({ status: 'approved' }), everything)).toEqual(['issue', 'delete']);
  });

  it('offers payment, void and a credit note on an unpaid issued invoice, but no void once money moved on it', () => {
    for (const status of ['open', 'partially_paid', 'overdue'] as const) {
      expect(invoiceActions(invoice({ status }), everything)).toEqual(['payFromWallet', 'void', 'creditNote']);
    }
    expect(invoiceActions(invoice({ status: 'partially_paid', amountPaid: '500.00' }), everything)).toEqual(['payFromWallet', 'creditNote']);
    expect(invoiceActions(invoice({ status: 'open', amountCredited: '0.01' }), everything)).toEqual(['payFromWallet', 'creditNote']);
    expect(invoiceActions(invoice({ status: 'paid', amountPaid: '2500.00' }), everything)).toEqual(['creditNote']);
    expect(invoiceActions(invoice({ status: 'void' }), everything)).toEqual([]);
  });

  it('never deletes a billed invoice, offers nothing on a credit note, and asks for each permission', () => {
    expect(invoiceActions(invoice({ status: 'draft', source: 'billing_run' }), everything)).toEqual(['issue', 'submit']);
    expect(invoiceActions(invoice({ kind: 'credit_note', status: 'paid' }), everything)).toEqual([]);
    const reader = (p: string) => p === 'invoices.create';
    expect(invoiceActions(invoice({ status: 'open' }), reader)).toEqual(['creditNote']);
    expect(invoiceActions(invoice({ status: 'draft' }), (p) => p === 'invoices.delete')).toEqual(['delete']);
  });
});

describe('decimal helpers', () => {
  it('recognises zero in any spelling without a float', () => {
    expect(['0', '0.00', '-0.0', '000.000'].map(isZeroDecimal)).toEqual([true, true, true, true]);
    expect(['0.01', '-1', '10', 'abc', ''].map(isZeroDecimal)).toEqual([false, false, false, false, false]);
  });

  it('multiplies exactly, beyond what a double holds', () => {
    expect(multiplyDecimals('2.5', '1500.40')).toBe('3751');
    expect(multiplyDecimals('3', '0.1')).toBe('0.3');
    expect(multiplyDecimals('1', '0.4375')).toBe('0.4375');
    expect(multiplyDecimals('90071992547409.93', '100')).toBe('9007199254740993');
    expect(multiplyDecimals('-2', '0.05')).toBe('-0.1');
    expect(multiplyDecimals('2', '')).toBeNull();
    expect(multiplyDecimals('1,5', '2')).toBeNull();
  });

  it('sums exactly across scales', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(['3751', '0.4375', '-1.4375'])).toBe('3750');
    expect(sumDecimals([])).toBe('0');
    expect(sumDecimals(['1', 'x'])).toBeNull();
  });
});

describe('lines', () => {
  it('shows typed text first, else the translated key with its details, with the open-ended tier variant', () => {
    expect(lineDescription({ description: 'Router TP-Link', descriptionKey: 'invoiceLine.manual', details: {} }, t)).toBe('Router TP-Link');
    expect(lineDescription({ description: '', descriptionKey: 'invoiceLine.usage.perUnit', details: { unit: 'GB', included: '50' } }, t)).toBe(
      'invoices.lineKind.usage_perUnit {"unit":"GB","included":"50"}',
    );
    expect(lineDescription({ description: '', descriptionKey: 'invoiceLine.usage.graduatedTier', details: { unit: 'GB', from: '100', to: '' } }, t)).toBe(
      'invoices.lineKind.usage_graduatedTier_open {"unit":"GB","from":"100","to":""}',
    );
    expect(lineDescription({ description: '', descriptionKey: 'invoiceLine.usage.graduatedTier', details: { unit: 'GB', from: '0', to: '100' } }, t)).toBe(
      'invoices.lineKind.usage_graduatedTier {"unit":"GB","from":"0","to":"100"}',
    );
  });

  it('reads the parts of a combined line and ignores anything else', () => {
    const parts = [{ descriptionKey: 'invoiceLine.fixedCharge', details: {}, amount: '2500.00' }, { descriptionKey: 'invoiceLine.usage.perUnit', details: { unit: 'GB' }, amount: '40.00' }];
    expect(lineParts({ details: { parts: JSON.stringify(parts) } })).toEqual(parts);
    expect(lineParts({ details: {} })).toEqual([]);
    expect(lineParts({ details: { parts: 'not json' } })).toEqual([]);
    expect(lineParts({ details: { parts: '[{"amount": 3}]' } })).toEqual([]);
  });

  it('sends the rows one for one, trimmed, so a field error names its row', () => {
    const rows = [
      { description: ' Installation ', serviceType: 'installation', quantity: '', unitPrice: ' 3000 ', taxClassId: null },
      { description: '', serviceType: 'other', quantity: '2', unitPrice: '', taxClassId: 'tax-1' },
    ];
    expect(manualLines(rows)).toEqual([
      { description: 'Installation', serviceType: 'installation', quantity: '1', unitPrice: '3000', taxClassId: null },
      { description: '', serviceType: 'other', quantity: '2', unitPrice: '', taxClassId: 'tax-1' },
    ]);
  });

  it('knows which lines earlier credit notes gave back, not counting voided notes', () => {
    const note = (status: InvoiceDetail['status'], lines: number[]) => ({ status, lines: lines.map((n) => ({ details: { creditsLine: String(n) } })) }) as unknown as InvoiceDetail;
    expect([...creditedLineNos([note('paid', [1, 3]), note('void', [2]), note('open', [3])])].sort()).toEqual([1, 3]);
  });
});

describe('customer and dates', () => {
  it('names the customer as billed, company first, and nobody before issue', () => {
    expect(customerName({ customer: { name: 'Wanjiru Kamau', companyName: null } })).toBe('Wanjiru Kamau');
    expect(customerName({ customer: { name: 'Otieno', companyName: 'Kilimani Fresh Ltd' } })).toBe('Kilimani Fresh Ltd');
    expect(customerName({ customer: {} })).toBeNull();
  });

  it('shows an issue or due date as the calendar day it is, whatever the browser zone', () => {
    expect(calendarDate('2026-03-01', 'en')).toBe('Mar 1, 2026');
    expect(calendarDate('2026-12-31', 'fr')).toBe('31 déc. 2026');
  });
});
