import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Money, formatMoney, money, parseMoney, sumMoney } from './money.ts';
import { type TaxClass, type TaxRate, type TaxedLine, discountFor, distributeDiscount, invoiceTotals, taxLine } from './tax.ts';

const kes = (text: string): Money => parseMoney(text, 'KES');
const kenyaData = (inclusive: boolean): TaxClass => ({
  code: 'KE-DATA',
  inclusive,
  rates: [
    { code: 'EXCISE', percent: '15' },
    { code: 'VAT', percent: '16', compound: true },
  ],
});

function shown(line: TaxedLine) {
  return { net: formatMoney(line.net), taxes: line.taxes.map((tax) => `${tax.code} ${formatMoney(tax.amount)}`), gross: formatMoney(line.gross) };
}

describe('Kenya: excise 15% on data, VAT 16% on the price including excise (hand-computed)', () => {
  it('exclusive 1000.00: excise 150.00, VAT 16% × 1150.00 = 184.00, gross 1334.00', () => {
    expect(shown(taxLine(kes('1000'), kenyaData(false)))).toEqual({ net: '1000.00', taxes: ['EXCISE 150.00', 'VAT 184.00'], gross: '1334.00' });
  });

  it('inclusive 2999.00: net 2999 / (1.15 × 1.16) = 2248.1259…, excise 337.22, VAT 413.66, net 2248.12', () => {
    // excise = 0.15 × 2248.125937… = 337.218890… → 337.22
    // VAT    = 0.16 × 1.15 × 2248.125937… = 413.655172… → 413.66
    // net    = 2999.00 − 337.22 − 413.66 = 2248.12, so the subscriber still pays exactly 2999.00
    expect(shown(taxLine(kes('2999'), kenyaData(true)))).toEqual({ net: '2248.12', taxes: ['EXCISE 337.22', 'VAT 413.66'], gross: '2999.00' });
  });

  it('simple inclusive VAT: 1160.00 at 16% holds 160.00; Bangladesh 1000.00 at 15% holds 130.43', () => {
    const vat16: TaxClass = { code: 'KE-VAT', inclusive: true, rates: [{ code: 'VAT', percent: '16' }] };
    expect(shown(taxLine(kes('1160'), vat16))).toEqual({ net: '1000.00', taxes: ['VAT 160.00'], gross: '1160.00' });
    // 1000 × 15/115 = 130.434… → 130.43
    const vat15: TaxClass = { code: 'BD-VAT', inclusive: true, rates: [{ code: 'VAT', percent: '15' }] };
    expect(shown(taxLine(parseMoney('1000', 'BDT'), vat15))).toEqual({ net: '869.57', taxes: ['VAT 130.43'], gross: '1000.00' });
  });

  it('a class with no rates taxes nothing; negative rates are refused', () => {
    expect(shown(taxLine(kes('10'), { code: 'EXEMPT', inclusive: false, rates: [] }))).toEqual({ net: '10.00', taxes: [], gross: '10.00' });
    expect(() => taxLine(kes('10'), { code: 'X', inclusive: false, rates: [{ code: 'VAT', percent: '-16' }] })).toThrow(/must not be negative/);
  });
});

const taxRates = fc.array(
  fc.record({ code: fc.constantFrom('VAT', 'EXCISE', 'LEVY'), percent: fc.integer({ min: 0, max: 3000 }).map((bp) => `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}`), compound: fc.boolean() }),
  { minLength: 1, maxLength: 3 },
);
const amount = fc.bigInt({ min: 0n, max: 10n ** 13n }).map((minor) => money(minor, 'KES'));

describe('tax properties', () => {
  it('inclusive extraction then exclusive re-adding gives the price back within one minor unit per rate', () => {
    fc.assert(
      fc.property(taxRates, amount, (rates: TaxRate[], price) => {
        const extracted = taxLine(price, { code: 'T', inclusive: true, rates });
        const readded = taxLine(extracted.net, { code: 'T', inclusive: false, rates });
        const drift = readded.gross.minor - price.minor;
        expect(drift <= BigInt(rates.length) && drift >= -BigInt(rates.length)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('net + taxes = gross exactly, both ways, and the inclusive gross is the price', () => {
    fc.assert(
      fc.property(taxRates, amount, fc.boolean(), (rates: TaxRate[], price, inclusive) => {
        const line = taxLine(price, { code: 'T', inclusive, rates });
        expect(line.net.minor + line.taxes.reduce((sum, tax) => sum + tax.amount.minor, 0n)).toBe(line.gross.minor);
        expect(inclusive ? line.gross : line.net).toEqual(price);
      }),
    );
  });
});

describe('invoice totals', () => {
  it('are sums of the rounded lines, never re-rounded: three lines of 0.10 at 16% have 0.06 tax, not 0.05', () => {
    const vat: TaxClass = { code: 'KE-VAT', inclusive: false, rates: [{ code: 'VAT', percent: '16' }] };
    const lines = [kes('0.10'), kes('0.10'), kes('0.10')].map((price) => taxLine(price, vat));
    const totals = invoiceTotals(lines, 'KES');
    expect([formatMoney(totals.net), formatMoney(totals.tax), formatMoney(totals.gross)]).toEqual(['0.30', '0.06', '0.36']);
  });

  it('group taxes by code and rate, and add up (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(amount, taxRates, fc.boolean()), { maxLength: 8 }), (specs) => {
        const lines = specs.map(([price, rates, inclusive]) => taxLine(price, { code: 'T', inclusive, rates }));
        const totals = invoiceTotals(lines, 'KES');
        const allTaxes = lines.flatMap((line) => line.taxes.map((tax) => tax.amount));
        expect(totals.tax).toEqual(sumMoney(allTaxes, 'KES'));
        expect(totals.gross.minor).toBe(totals.net.minor + totals.tax.minor);
        expect(new Set(totals.taxes.map((tax) => `${tax.code} ${tax.percent}`)).size).toBe(totals.taxes.length);
      }),
    );
  });
});

describe('discounts (applied before tax)', () => {
  it('percentage is rounded once, fixed is capped at the price', () => {
    expect(formatMoney(discountFor(kes('1499.99'), { kind: 'percentage', percent: '10' }))).toBe('150.00'); // 149.999
    expect(formatMoney(discountFor(kes('150'), { kind: 'fixed', amount: '200' }))).toBe('150.00');
    expect(formatMoney(discountFor(kes('150'), { kind: 'percentage', percent: '100' }))).toBe('150.00');
    expect(() => discountFor(kes('150'), { kind: 'percentage', percent: '101' })).toThrow(/must not exceed 100%/);
    expect(() => discountFor(kes('150'), { kind: 'fixed', amount: '-5' })).toThrow(/must not be negative/);
  });

  it('a 10% discount then Kenyan tax: 1000.00 − 100.00 = 900.00, excise 135.00, VAT 165.60', () => {
    const price = kes('1000');
    const off = discountFor(price, { kind: 'percentage', percent: '10' });
    const net = money(price.minor - off.minor, 'KES');
    expect(shown(taxLine(net, kenyaData(false)))).toEqual({ net: '900.00', taxes: ['EXCISE 135.00', 'VAT 165.60'], gross: '1200.60' });
  });

  it('a fixed discount is shared across lines by their prices', () => {
    const share = (prices: string[], off: string) => distributeDiscount(prices.map(kes), { kind: 'fixed', amount: off }).map(formatMoney);
    expect(share(['300', '600', '100'], '100')).toEqual(['30.00', '60.00', '10.00']);
    expect(share(['1', '1', '1'], '1')).toEqual(['0.34', '0.33', '0.33']);
    expect(share(['50', '-20', '50'], '500')).toEqual(['50.00', '0.00', '50.00']);
    expect(distributeDiscount([], { kind: 'fixed', amount: '1' })).toEqual([]);
  });

  it('shares of a fixed discount sum to min(discount, chargeable total); no line goes below zero (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -(10n ** 6n), max: 10n ** 9n }), { minLength: 1, maxLength: 10 }), fc.bigInt({ min: 0n, max: 10n ** 9n }), (minors, offMinor) => {
        const prices = minors.map((minor) => money(minor, 'KES'));
        const off = money(offMinor, 'KES');
        const shares = distributeDiscount(prices, { kind: 'fixed', amount: formatMoney(off) });
        const chargeable = minors.reduce((sum, minor) => sum + (minor > 0n ? minor : 0n), 0n);
        expect(sumMoney(shares, 'KES').minor).toBe(offMinor < chargeable ? offMinor : chargeable);
        shares.forEach((part, index) => {
          expect(part.minor >= 0n).toBe(true);
          expect(part.minor <= ((minors[index] ?? 0n) > 0n ? (minors[index] ?? 0n) : 0n)).toBe(true);
        });
      }),
    );
  });
});
