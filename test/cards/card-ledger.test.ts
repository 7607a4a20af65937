import { describe, expect, it } from 'vitest';
import { accountTemplate, assertBalanced, cardExpired, cardPartnerPaid, cardsSold, reversalLines, walletTopUp, type PostingLine } from '../../src/core/ledger.ts';
import { parseMoney } from '../../src/core/money.ts';

const kes = (text: string) => parseMoney(text, 'KES');
const partner = '0a1b2c3d-0000-4000-8000-000000000001';
const sub = '0a1b2c3d-0000-4000-8000-000000000002';
const net = (lines: PostingLine[], systemKey: string, ownerType?: string) =>
  lines.filter((l) => l.account.systemKey === systemKey && (ownerType === undefined || l.account.owner?.type === ownerType)).reduce((s, l) => s + l.amount.minor, 0n);

describe('recharge-card posting rules', () => {
  it('keeps unredeemed cards as a liability (2500)', () => {
    expect(accountTemplate('cards_outstanding')).toEqual({ code: '2500', name: 'Unredeemed cards', type: 'liability', creditLimit: null });
  });

  it('cards sold by a distributor with commission withheld: it owes face less commission, nothing is earned yet', () => {
    const lines = cardsSold({ distributorId: partner, faceValue: kes('10000'), commission: kes('750'), commissionSettlement: 'withheld' });
    assertBalanced(lines);
    expect(net(lines, 'accounts_receivable', 'card_partner')).toBe(925_000n);
    expect(net(lines, 'cards_outstanding')).toBe(-1_000_000n);
    expect(net(lines, 'commission_expense')).toBe(75_000n);
    expect(lines.some((l) => l.account.systemKey.startsWith('revenue'))).toBe(false);
  });

  it('with commission payable: it owes face value and the ISP owes the commission', () => {
    const lines = cardsSold({ distributorId: partner, faceValue: kes('10000'), commission: kes('750'), commissionSettlement: 'payable' });
    assertBalanced(lines);
    expect(net(lines, 'accounts_receivable', 'card_partner')).toBe(1_000_000n);
    expect(net(lines, 'commission_payable', 'card_partner')).toBe(-75_000n);
  });

  it('sold at the counter: cash in, owed as cards; no commission without a distributor', () => {
    const lines = cardsSold({ faceValue: kes('500'), commission: kes('0'), commissionSettlement: 'withheld', via: { kind: 'cash' } });
    expect(net(lines, 'cash_on_hand')).toBe(50_000n);
    expect(net(lines, 'cards_outstanding')).toBe(-50_000n);
    expect(() => cardsSold({ faceValue: kes('500'), commission: kes('1'), commissionSettlement: 'withheld' })).toThrow(RangeError);
    expect(() => cardsSold({ distributorId: partner, faceValue: kes('500'), commission: kes('501'), commissionSettlement: 'withheld' })).toThrow(RangeError);
  });

  it('a redemption moves the value from unredeemed cards to the wallet; sale, redemption, payment and void net out', () => {
    const sale = cardsSold({ distributorId: partner, faceValue: kes('2000'), commission: kes('100'), commissionSettlement: 'withheld' });
    const redeemed = walletTopUp({ subscriberId: sub, amount: kes('1000'), via: { kind: 'card' } });
    const paid = cardPartnerPaid({ distributorId: partner, amount: kes('1900'), via: { kind: 'bank' } });
    const voidedHalf = reversalLines(cardsSold({ distributorId: partner, faceValue: kes('1000'), commission: kes('50'), commissionSettlement: 'withheld' }));
    const all = [...sale, ...redeemed, ...paid, ...voidedHalf];
    for (const e of [sale, redeemed, paid, voidedHalf]) assertBalanced(e);
    expect(net(all, 'cards_outstanding')).toBe(0n);
    expect(net(all, 'subscriber_wallet')).toBe(-100_000n);
    // Paid 1,900 for cards now worth 950 net: the ISP owes the distributor 950.
    expect(net(all, 'accounts_receivable', 'card_partner')).toBe(-95_000n);
  });

  it('an expired sold card is earned as breakage', () => {
    const lines = cardExpired({ faceValue: kes('500') });
    expect(net(lines, 'cards_outstanding')).toBe(50_000n);
    expect(net(lines, 'revenue:card_breakage')).toBe(-50_000n);
  });
});
