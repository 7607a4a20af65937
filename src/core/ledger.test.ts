import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type PostingLine,
  type Settlement,
  UnbalancedEntryError,
  accountTemplate,
  assertBalanced,
  badDebtWriteOff,
  cardSale,
  creditNoteIssued,
  invoiceIssued,
  naturalBalance,
  paymentReceived,
  refundToWallet,
  resellerFloatTopUp,
  reversalLines,
  walletPaysInvoice,
  walletTopUp,
} from './ledger.ts';
import { type Money, parseMoney } from './money.ts';

const kes = (text: string): Money => parseMoney(text, 'KES');
const sub = '5f0c8a52-6d7e-4c1b-9a43-2b8f3f0e9d11';
const lineOf = (lines: PostingLine[], systemKey: string) => lines.find((l) => l.account.systemKey === systemKey);

describe('chart of accounts', () => {
  it('knows the standard accounts, their families and their normal sides', () => {
    expect(accountTemplate('cash_on_hand')).toEqual({ code: '1000', name: 'Cash on hand', type: 'asset', creditLimit: null });
    expect(accountTemplate('subscriber_wallet')).toMatchObject({ type: 'liability', creditLimit: 0n });
    expect(accountTemplate('revenue:pppoe')).toEqual({ code: '4000', name: 'Revenue: pppoe', type: 'revenue', creditLimit: null });
    expect(accountTemplate('tax_payable:VAT')).toMatchObject({ code: '2100', type: 'liability' });
    expect(accountTemplate('gateway_clearing:mpesa')).toMatchObject({ code: '1100', type: 'asset' });
    expect(accountTemplate('custom:1010')).toBeUndefined();
  });

  it('refuses keys that are not in the chart', () => {
    for (const key of ['cash', 'revenue', 'cash_on_hand:extra', 'Revenue:pppoe', 'tax_payable:', 'bad key']) expect(() => accountTemplate(key), key).toThrow(RangeError);
  });

  it('reads balances on the normal side: a wallet whose lines sum to -300 holds 300', () => {
    expect(naturalBalance('liability', -300n)).toBe(300n);
    expect(naturalBalance('revenue', -5n)).toBe(5n);
    expect(naturalBalance('equity', 7n)).toBe(-7n);
    expect(naturalBalance('asset', 300n)).toBe(300n);
    expect(naturalBalance('expense', -1n)).toBe(-1n);
  });
});

describe('assertBalanced', () => {
  const line = (minor: bigint, currency = 'KES') => ({ amount: { minor, currency } });

  it('accepts entries that sum to zero in each currency', () => {
    expect(() => assertBalanced([line(100n), line(-100n)])).not.toThrow();
    expect(() => assertBalanced([line(100n), line(-60n), line(-40n), line(5n, 'USD'), line(-5n, 'USD')])).not.toThrow();
  });

  it('refuses an imbalance, naming it per currency, even when the currencies cancel out as numbers', () => {
    const err = (() => {
      try {
        assertBalanced([line(100n), line(-100n, 'USD')]);
      } catch (e) {
        return e as UnbalancedEntryError;
      }
    })();
    expect(err).toBeInstanceOf(UnbalancedEntryError);
    expect(err!.imbalances).toEqual([{ currency: 'KES', minor: 100n }, { currency: 'USD', minor: -100n }]);
  });

  it('refuses fewer than two lines and zero lines', () => {
    expect(() => assertBalanced([])).toThrow(/at least two lines/);
    expect(() => assertBalanced([line(0n), line(0n)])).toThrow(/cannot be zero/);
  });
});

const amount = fc.bigInt({ min: 1n, max: 10n ** 12n }).map((minor): Money => ({ minor, currency: 'KES' }));
const settlement: fc.Arbitrary<Settlement> = fc.oneof(
  fc.constant<Settlement>({ kind: 'cash' }),
  fc.constantFrom('mpesa', 'bkash', 'nagad').map((gateway): Settlement => ({ kind: 'gateway', gateway })),
);
const serviceType = fc.constantFrom('pppoe', 'hotspot', 'static_ip', 'cable_tv');
const invoice = fc.record({
  subscriberId: fc.constant(sub),
  charges: fc.array(fc.record({ serviceType, net: amount }), { minLength: 1, maxLength: 6 }),
  taxes: fc.array(fc.record({ code: fc.constantFrom('VAT', 'EXCISE'), amount }), { maxLength: 3 }),
});

describe('posting rules', () => {
  it('every rule gives a balanced entry for any amounts', () => {
    fc.assert(
      fc.property(invoice, amount, amount, settlement, (inv, a, b, via) => {
        const entries = [
          invoiceIssued(inv),
          refundToWallet(inv),
          paymentReceived({ subscriberId: sub, amount: a, via }),
          walletTopUp({ subscriberId: sub, amount: a, via }),
          walletPaysInvoice({ subscriberId: sub, amount: a }),
          badDebtWriteOff({ subscriberId: sub, amount: a }),
          resellerFloatTopUp({ resellerId: sub, amount: a, via }),
          cardSale({ distributorId: sub, serviceType: 'hotspot', faceValue: { ...a, minor: a.minor + b.minor }, commission: b, commissionSettlement: 'withheld', via }),
          cardSale({ distributorId: sub, serviceType: 'hotspot', faceValue: a, commission: { ...a, minor: 0n }, commissionSettlement: 'payable', via }),
        ];
        for (const lines of entries) {
          expect(() => assertBalanced(lines)).not.toThrow();
          for (const l of lines) expect(() => accountTemplate(l.account.systemKey)).not.toThrow();
        }
      }),
    );
  });

  it('an invoice owes the gross total and credits revenue per service type and tax per code', () => {
    const lines = invoiceIssued({
      subscriberId: sub,
      charges: [
        { serviceType: 'pppoe', net: kes('2000.00') },
        { serviceType: 'pppoe', net: kes('-200.00') },
        { serviceType: 'static_ip', net: kes('500.00') },
      ],
      taxes: [
        { code: 'EXCISE', amount: kes('345.00') },
        { code: 'VAT', amount: kes('423.20') },
      ],
    });
    expect(lines.map((l) => [l.account.systemKey, l.account.owner?.id ?? null, l.amount.minor])).toEqual([
      ['accounts_receivable', sub, 306820n],
      ['revenue:pppoe', null, -180000n],
      ['revenue:static_ip', null, -50000n],
      ['tax_payable:EXCISE', null, -34500n],
      ['tax_payable:VAT', null, -42320n],
    ]);
  });

  it('payments and top-ups land in cash or the gateway clearing account', () => {
    const mpesa = walletTopUp({ subscriberId: sub, amount: kes('100.00'), via: { kind: 'gateway', gateway: 'mpesa' } });
    expect(lineOf(mpesa, 'gateway_clearing:mpesa')?.amount.minor).toBe(10000n);
    // A bank adapter's kind has a colon of its own; the account key keeps one.
    const bank = walletTopUp({ subscriberId: sub, amount: kes('100.00'), via: { kind: 'gateway', gateway: 'bank:family-bank' } });
    expect(lineOf(bank, 'gateway_clearing:bank.family-bank')?.amount.minor).toBe(10000n);
    expect(accountTemplate('gateway_clearing:bank.family-bank')).toMatchObject({ code: '1100', type: 'asset' });
    expect(lineOf(mpesa, 'subscriber_wallet')).toMatchObject({ account: { owner: { type: 'subscriber', id: sub } }, amount: { minor: -10000n } });
    const cash = paymentReceived({ subscriberId: sub, amount: kes('50.00'), via: { kind: 'cash' } });
    expect(lineOf(cash, 'cash_on_hand')?.amount.minor).toBe(5000n);
    expect(lineOf(cash, 'accounts_receivable')?.amount.minor).toBe(-5000n);
  });

  it('a card sale withholds the commission or owes it to the distributor', () => {
    const sale = { distributorId: sub, serviceType: 'hotspot', faceValue: kes('1000.00'), commission: kes('80.00'), via: { kind: 'cash' } as const };
    const withheld = cardSale({ ...sale, commissionSettlement: 'withheld' });
    expect(lineOf(withheld, 'cash_on_hand')?.amount.minor).toBe(92000n);
    expect(lineOf(withheld, 'commission_payable')).toBeUndefined();
    const payable = cardSale({ ...sale, commissionSettlement: 'payable' });
    expect(lineOf(payable, 'cash_on_hand')?.amount.minor).toBe(100000n);
    expect(lineOf(payable, 'commission_payable')).toMatchObject({ account: { owner: { type: 'card_partner', id: sub } }, amount: { minor: -8000n } });
    expect(() => cardSale({ ...sale, commission: kes('1000.01'), commissionSettlement: 'withheld' })).toThrow(RangeError);
  });

  it('refuses amounts that are not positive', () => {
    expect(() => walletTopUp({ subscriberId: sub, amount: kes('0'), via: { kind: 'cash' } })).toThrow(/more than zero/);
    expect(() => walletPaysInvoice({ subscriberId: sub, amount: kes('-1') })).toThrow(/more than zero/);
    expect(() => invoiceIssued({ subscriberId: sub, charges: [{ serviceType: 'pppoe', net: kes('-5') }], taxes: [] })).toThrow(/more than zero/);
    expect(() => invoiceIssued({ subscriberId: sub, charges: [], taxes: [] })).toThrow(/at least one charge/);
  });

  it('a reversal cancels its entry on every account', () => {
    fc.assert(
      fc.property(invoice, (inv) => {
        const lines = invoiceIssued(inv);
        const sums = new Map<string, bigint>();
        for (const l of [...lines, ...reversalLines(lines)]) sums.set(l.account.systemKey, (sums.get(l.account.systemKey) ?? 0n) + l.amount.minor);
        expect([...sums.values()].every((s) => s === 0n)).toBe(true);
      }),
    );
  });
});

describe('credit note', () => {
  const e = { subscriberId: sub, charges: [{ serviceType: 'pppoe', net: kes('2155.17') }], taxes: [{ code: 'VAT', amount: kes('344.83') }] };

  it('gives revenue and tax back, first off what is owed, the rest to the wallet', () => {
    const lines = creditNoteIssued({ ...e, againstReceivable: kes('1000') });
    expect(lineOf(lines, 'revenue:pppoe')!.amount).toEqual(kes('2155.17'));
    expect(lineOf(lines, 'tax_payable:VAT')!.amount).toEqual(kes('344.83'));
    expect(lineOf(lines, 'accounts_receivable')!.amount).toEqual(kes('-1000'));
    expect(lineOf(lines, 'subscriber_wallet')!.amount).toEqual(kes('-1500'));
  });

  it('leaves out the wallet when the whole credit is set against what is owed', () => {
    const lines = creditNoteIssued({ ...e, againstReceivable: kes('2500') });
    expect(lineOf(lines, 'subscriber_wallet')).toBeUndefined();
    expect(lineOf(lines, 'accounts_receivable')!.amount).toEqual(kes('-2500'));
  });

  it('refuses to set more than its total against receivables', () => {
    expect(() => creditNoteIssued({ ...e, againstReceivable: kes('2500.01') })).toThrow(RangeError);
  });
});
