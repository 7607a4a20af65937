/**
 * Double-entry posting rules: each business event becomes the lines of one balanced journal entry.
 *
 * A line's amount is signed: a debit is positive, a credit negative, so an entry balances when its
 * amounts sum to zero in every currency. Accounts are named here by what they are for (a system key
 * such as `revenue:pppoe`, and an owner such as a subscriber); the ledger service turns a name into
 * an account row of the organization's books, creating it on first use.
 */
import { type Money, negateMoney, sumMoney } from './money.ts';

export const accountTypes = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type AccountType = (typeof accountTypes)[number];

/** Assets and expenses grow with debits; liabilities, equity and revenue with credits. */
export function normalSide(type: AccountType): 'debit' | 'credit' {
  return type === 'asset' || type === 'expense' ? 'debit' : 'credit';
}

/**
 * The balance as the account's owner reads it: a wallet (a liability) whose lines sum to -300 holds
 * 300, and cash whose lines sum to 300 holds 300.
 */
export function naturalBalance(type: AccountType, debitBalance: bigint): bigint {
  return normalSide(type) === 'debit' ? debitBalance : -debitBalance;
}

/** Who a sub-ledger account belongs to: a subscriber's receivable or wallet, a reseller's float. */
export interface AccountOwner {
  readonly type: string;
  readonly id: string;
}

/** An account named by its purpose; `owner` is absent for the organization's own accounts. */
export interface AccountKey {
  readonly systemKey: string;
  readonly owner?: AccountOwner | null;
}

export interface PostingLine {
  readonly account: AccountKey;
  /** Debit > 0, credit < 0. */
  readonly amount: Money;
}

export interface AccountTemplate {
  /** Chart code: sub-ledger accounts (every subscriber's wallet) share their control account's code. */
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
  /**
   * Balances the owner spends (a wallet, a reseller's float) start with a credit limit of zero: they
   * may not pass zero unless a limit is granted. Null: the account may take any balance.
   */
  readonly creditLimit: bigint | null;
}

const fixedAccounts: Readonly<Record<string, AccountTemplate>> = {
  cash_on_hand: { code: '1000', name: 'Cash on hand', type: 'asset', creditLimit: null },
  bank: { code: '1010', name: 'Bank', type: 'asset', creditLimit: null },
  accounts_receivable: { code: '1200', name: 'Accounts receivable', type: 'asset', creditLimit: null },
  due_from_organization: { code: '1300', name: 'Due from other organizations', type: 'asset', creditLimit: null },
  subscriber_wallet: { code: '2000', name: 'Subscriber wallet', type: 'liability', creditLimit: 0n },
  reseller_float: { code: '2200', name: 'Reseller float', type: 'liability', creditLimit: 0n },
  commission_payable: { code: '2300', name: 'Commission payable', type: 'liability', creditLimit: null },
  unapplied_payments: { code: '2400', name: 'Unapplied payments (suspense)', type: 'liability', creditLimit: null },
  cards_outstanding: { code: '2500', name: 'Unredeemed cards', type: 'liability', creditLimit: null },
  due_to_organization: { code: '2600', name: 'Due to other organizations', type: 'liability', creditLimit: null },
  opening_balance: { code: '3000', name: 'Opening balances', type: 'equity', creditLimit: null },
  commission_expense: { code: '5100', name: 'Commission expense', type: 'expense', creditLimit: null },
  bad_debt: { code: '5200', name: 'Bad debt', type: 'expense', creditLimit: null },
  gateway_fees: { code: '5300', name: 'Payment gateway fees', type: 'expense', creditLimit: null },
};

/** Families of accounts with one account per gateway, tax or service type: `revenue:pppoe`. */
const accountFamilies: Readonly<Record<string, AccountTemplate>> = {
  gateway_clearing: { code: '1100', name: 'Gateway clearing', type: 'asset', creditLimit: null },
  tax_payable: { code: '2100', name: 'Tax payable', type: 'liability', creditLimit: null },
  revenue: { code: '4000', name: 'Revenue', type: 'revenue', creditLimit: null },
};

/** Accounts an accountant adds (a bank account, bank charges) are `custom:<code>`. */
export const customPrefix = 'custom:';

/** The accounts every organization's books hold in each currency from the start. */
export const standardChart: readonly string[] = ['cash_on_hand', 'accounts_receivable', 'opening_balance', 'commission_expense', 'bad_debt'];

const systemKeyPattern = /^[a-z_]{1,40}(?::[A-Za-z0-9_.-]{1,60})?$/;

export class UnknownAccountError extends RangeError {
  constructor(systemKey: string) {
    super(`"${systemKey}" is not an account of the standard chart`);
    this.name = 'UnknownAccountError';
  }
}

/** Code, name and type of a standard account; custom accounts carry their own and answer undefined. */
export function accountTemplate(systemKey: string): AccountTemplate | undefined {
  if (systemKey.startsWith(customPrefix)) return undefined;
  if (!systemKeyPattern.test(systemKey)) throw new UnknownAccountError(systemKey);
  const [family = '', detail] = systemKey.split(':');
  if (detail === undefined) {
    const fixed = fixedAccounts[family];
    if (!fixed) throw new UnknownAccountError(systemKey);
    return fixed;
  }
  const base = accountFamilies[family];
  if (!base) throw new UnknownAccountError(systemKey);
  return { ...base, name: `${base.name}: ${detail}` };
}

export class UnbalancedEntryError extends RangeError {
  constructor(
    message: string,
    /** The sum of the lines in each currency that does not come to zero. */
    readonly imbalances: readonly Money[] = [],
  ) {
    super(message);
    this.name = 'UnbalancedEntryError';
  }
}

/** Refuses what the database would refuse at commit: fewer than two lines, a zero line, a currency that does not sum to zero. */
export function assertBalanced(lines: readonly { readonly amount: Money }[]): void {
  if (lines.length < 2) throw new UnbalancedEntryError('A journal entry needs at least two lines');
  if (lines.some((l) => l.amount.minor === 0n)) throw new UnbalancedEntryError('A journal line cannot be zero');
  const sums = new Map<string, bigint>();
  for (const { amount } of lines) sums.set(amount.currency, (sums.get(amount.currency) ?? 0n) + amount.minor);
  const imbalances = [...sums].filter(([, minor]) => minor !== 0n).map(([currency, minor]) => ({ currency, minor }));
  if (imbalances.length > 0)
    throw new UnbalancedEntryError(
      `Debits and credits differ by ${imbalances.map((m) => `${m.minor} minor units of ${m.currency}`).join(', ')}`,
      imbalances,
    );
}

/** The lines that undo an entry: the same accounts, every amount negated. */
export function reversalLines<L extends { readonly amount: Money }>(lines: readonly L[]): L[] {
  return lines.map((l) => ({ ...l, amount: negateMoney(l.amount) }));
}

// ---- accounts the rules below post to ----

/**
 * How money reached the ISP: the cash drawer, the bank account (transfers, cheques), or a payment
 * gateway's clearing account until the gateway settles.
 */
export type Settlement =
  | { readonly kind: 'cash' }
  | { readonly kind: 'bank' }
  | { readonly kind: 'gateway'; readonly gateway: string }
  /** A recharge card redeemed: the value sold earlier and owed as unredeemed cards becomes the subscriber's. */
  | { readonly kind: 'card' };

const subscriber = (id: string): AccountOwner => ({ type: 'subscriber', id });
const receivable = (subscriberId: string): AccountKey => ({ systemKey: 'accounts_receivable', owner: subscriber(subscriberId) });
const wallet = (subscriberId: string): AccountKey => ({ systemKey: 'subscriber_wallet', owner: subscriber(subscriberId) });
const own = (systemKey: string): AccountKey => ({ systemKey });
/** A gateway's clearing account; `bank:family-bank` is kept as `gateway_clearing:bank.family-bank` (a key has one colon). */
export const clearingKey = (gateway: string): string => `gateway_clearing:${gateway.replaceAll(':', '.')}`;
const settlementAccount = (via: Settlement): AccountKey =>
  own(via.kind === 'cash' ? 'cash_on_hand' : via.kind === 'bank' ? 'bank' : via.kind === 'card' ? 'cards_outstanding' : clearingKey(via.gateway));

const debit = (account: AccountKey, amount: Money): PostingLine => ({ account, amount });
const credit = (account: AccountKey, amount: Money): PostingLine => ({ account, amount: negateMoney(amount) });

function positive(amount: Money, what: string): Money {
  if (amount.minor <= 0n) throw new RangeError(`${what} must be more than zero`);
  return amount;
}

/** Adds the lines on the same account and currency together and drops lines that come to zero. */
function combine(lines: readonly PostingLine[]): PostingLine[] {
  const byAccount = new Map<string, PostingLine>();
  for (const line of lines) {
    const k = `${line.account.systemKey}|${line.account.owner?.type ?? ''}|${line.account.owner?.id ?? ''}|${line.amount.currency}`;
    const prior = byAccount.get(k);
    byAccount.set(k, prior ? { account: line.account, amount: { currency: line.amount.currency, minor: prior.amount.minor + line.amount.minor } } : line);
  }
  return [...byAccount.values()].filter((l) => l.amount.minor !== 0n);
}

function balanced(lines: readonly PostingLine[]): PostingLine[] {
  const combined = combine(lines);
  assertBalanced(combined);
  return combined;
}

// ---- business events ----

/** A charge of an invoice by service type, before tax (a discount is a negative charge). */
export interface Charge {
  readonly serviceType: string;
  readonly net: Money;
}

export interface TaxCharged {
  /** The tax's code on the invoice: 'VAT', 'EXCISE'. */
  readonly code: string;
  readonly amount: Money;
}

export interface InvoiceEvent {
  readonly subscriberId: string;
  readonly charges: readonly Charge[];
  readonly taxes: readonly TaxCharged[];
}

function invoiceTotal(e: InvoiceEvent): Money {
  const currency = e.charges[0]?.net.currency;
  if (!currency) throw new RangeError('An invoice needs at least one charge');
  return sumMoney([...e.charges.map((c) => c.net), ...e.taxes.map((t) => t.amount)], currency);
}

/** Invoice issued: the subscriber owes the gross total; revenue is earned per service type and tax is owed per tax. */
export function invoiceIssued(e: InvoiceEvent): PostingLine[] {
  return balanced([
    debit(receivable(e.subscriberId), positive(invoiceTotal(e), 'An invoice total')),
    ...e.charges.map((c) => credit(own(`revenue:${c.serviceType}`), c.net)),
    ...e.taxes.map((t) => credit(own(`tax_payable:${t.code}`), t.amount)),
  ]);
}

/** Payment received against what the subscriber owes, at the counter or through a gateway. */
export function paymentReceived(e: { subscriberId: string; amount: Money; via: Settlement }): PostingLine[] {
  const amount = positive(e.amount, 'A payment');
  return balanced([debit(settlementAccount(e.via), amount), credit(receivable(e.subscriberId), amount)]);
}

/** Wallet top-up: the ISP holds the money and owes it to the subscriber as prepaid balance. */
export function walletTopUp(e: { subscriberId: string; amount: Money; via: Settlement }): PostingLine[] {
  const amount = positive(e.amount, 'A top-up');
  return balanced([debit(settlementAccount(e.via), amount), credit(wallet(e.subscriberId), amount)]);
}

/** A gateway paid what it held for us over to the bank (a settlement on its statement). */
export function gatewaySettledToBank(e: { gateway: string; amount: Money }): PostingLine[] {
  const amount = positive(e.amount, 'A settlement');
  return balanced([debit(own('bank'), amount), credit(own(clearingKey(e.gateway)), amount)]);
}

/** A gateway's fee, taken from what it held for us (a fee on its statement). */
export function gatewayFeeCharged(e: { gateway: string; amount: Money }): PostingLine[] {
  const amount = positive(e.amount, 'A fee');
  return balanced([debit(own('gateway_fees'), amount), credit(own(clearingKey(e.gateway)), amount)]);
}

/**
 * A payment nobody could be matched to (a paybill reference that names no account): the ISP holds
 * the money in suspense until staff match it to a subscriber.
 */
export function unappliedPaymentReceived(e: { amount: Money; via: Settlement }): PostingLine[] {
  const amount = positive(e.amount, 'A payment');
  return balanced([debit(settlementAccount(e.via), amount), credit(own('unapplied_payments'), amount)]);
}

/** Staff match a payment in suspense to a subscriber: it becomes the subscriber's prepaid balance. */
export function unappliedPaymentMatched(e: { subscriberId: string; amount: Money }): PostingLine[] {
  const amount = positive(e.amount, 'A payment');
  return balanced([debit(own('unapplied_payments'), amount), credit(wallet(e.subscriberId), amount)]);
}

const organization = (id: string): AccountOwner => ({ type: 'organization', id });

/**
 * Money one organization collected for a subscriber of another (the ISP's paybill paying a
 * reseller's subscriber), in the collector's books: it holds the money (or its suspense held it)
 * and owes it on to the subscriber's organization.
 */
export function collectedForOrganization(e: { beneficiaryId: string; amount: Money; via: Settlement | 'unapplied' }): PostingLine[] {
  const amount = positive(e.amount, 'A payment');
  const from = e.via === 'unapplied' ? own('unapplied_payments') : settlementAccount(e.via);
  return balanced([debit(from, amount), credit({ systemKey: 'due_to_organization', owner: organization(e.beneficiaryId) }, amount)]);
}

/** The same payment in the subscriber's organization's books: the collector owes it, the subscriber holds it as prepaid balance. */
export function collectedByOrganization(e: { collectorId: string; subscriberId: string; amount: Money }): PostingLine[] {
  const amount = positive(e.amount, 'A payment');
  return balanced([debit({ systemKey: 'due_from_organization', owner: organization(e.collectorId) }, amount), credit(wallet(e.subscriberId), amount)]);
}

/** Wallet deduction paying an invoice: prepaid balance settles the receivable. */
export function walletPaysInvoice(e: { subscriberId: string; amount: Money }): PostingLine[] {
  const amount = positive(e.amount, 'A wallet deduction');
  return balanced([debit(wallet(e.subscriberId), amount), credit(receivable(e.subscriberId), amount)]);
}

/** Refund to wallet for service not delivered: the revenue and tax are given back as prepaid balance. */
export function refundToWallet(e: InvoiceEvent): PostingLine[] {
  return balanced([
    ...e.charges.map((c) => debit(own(`revenue:${c.serviceType}`), c.net)),
    ...e.taxes.map((t) => debit(own(`tax_payable:${t.code}`), t.amount)),
    credit(wallet(e.subscriberId), positive(invoiceTotal(e), 'A refund')),
  ]);
}

export interface CardSaleEvent {
  /** The recharge-card partner (an organization) buying the cards. */
  readonly distributorId: string;
  readonly serviceType: string;
  /** What the cards sell for to subscribers. */
  readonly faceValue: Money;
  readonly commission: Money;
  /**
   * `withheld`: the distributor pays face value less commission now; `payable`: it pays face value
   * and the ISP owes the commission until it is paid out.
   */
  readonly commissionSettlement: 'withheld' | 'payable';
  readonly via: Settlement;
}

/** Recharge cards sold to a distributor: revenue at face value, the distributor's commission an expense. */
export function cardSale(e: CardSaleEvent): PostingLine[] {
  const face = positive(e.faceValue, 'A face value');
  if (e.commission.minor < 0n || e.commission.minor > face.minor) throw new RangeError('A commission must lie between zero and the face value');
  const withheld = e.commissionSettlement === 'withheld';
  const paid = withheld ? { currency: face.currency, minor: face.minor - e.commission.minor } : face;
  return balanced([
    debit(settlementAccount(e.via), paid),
    debit(own('commission_expense'), e.commission),
    credit(own(`revenue:${e.serviceType}`), face),
    ...(withheld ? [] : [credit({ systemKey: 'commission_payable', owner: { type: 'card_partner', id: e.distributorId } }, e.commission)]),
  ]);
}

/** A reseller buys float: money in, and the ISP owes the reseller that much service. */
export function resellerFloatTopUp(e: { resellerId: string; amount: Money; via: Settlement }): PostingLine[] {
  const amount = positive(e.amount, 'A float top-up');
  return balanced([debit(settlementAccount(e.via), amount), credit({ systemKey: 'reseller_float', owner: { type: 'reseller', id: e.resellerId } }, amount)]);
}

/**
 * Credit note: the revenue and tax of an invoice given back, first off what the subscriber still
 * owes on that invoice, the rest (service already paid for) into the subscriber's wallet.
 */
export function creditNoteIssued(e: InvoiceEvent & { readonly againstReceivable: Money }): PostingLine[] {
  const total = positive(invoiceTotal(e), 'A credit note total');
  if (e.againstReceivable.minor < 0n || e.againstReceivable.minor > total.minor) throw new RangeError('The part of a credit note set against receivables must lie between zero and its total');
  return balanced([
    ...e.charges.map((c) => debit(own(`revenue:${c.serviceType}`), c.net)),
    ...e.taxes.map((t) => debit(own(`tax_payable:${t.code}`), t.amount)),
    credit(receivable(e.subscriberId), e.againstReceivable),
    credit(wallet(e.subscriberId), { currency: total.currency, minor: total.minor - e.againstReceivable.minor }),
  ]);
}

/** Bad-debt write-off: what the subscriber will not pay leaves receivables as an expense. */
export function badDebtWriteOff(e: { subscriberId: string; amount: Money }): PostingLine[] {
  const amount = positive(e.amount, 'A write-off');
  return balanced([debit(own('bad_debt'), amount), credit(receivable(e.subscriberId), amount)]);
}

// ---- recharge cards (deferred: the value is owed as unredeemed cards until a subscriber redeems it) ----

const cardPartnerReceivable = (distributorId: string): AccountKey => ({ systemKey: 'accounts_receivable', owner: { type: 'card_partner', id: distributorId } });
const cardPartnerCommission = (distributorId: string): AccountKey => ({ systemKey: 'commission_payable', owner: { type: 'card_partner', id: distributorId } });

export interface CardsSoldEvent {
  /** The card partner that sold them and owes their value; absent when the ISP sold them itself for `via`. */
  readonly distributorId?: string | null;
  readonly faceValue: Money;
  readonly commission: Money;
  /**
   * `withheld`: the distributor keeps its commission out of what it owes; `payable`: it owes face
   * value and the ISP owes the commission until it is paid out.
   */
  readonly commissionSettlement: 'withheld' | 'payable';
  /** Where the money went when no distributor owes it (the ISP's own counter). */
  readonly via?: Settlement;
}

/**
 * Cards sold: nothing is earned yet (the service is owed to whoever redeems them); the
 * distributor owes their value, and its commission is an expense now.
 */
export function cardsSold(e: CardsSoldEvent): PostingLine[] {
  const face = positive(e.faceValue, 'A face value');
  if (e.commission.minor < 0n || e.commission.minor > face.minor) throw new RangeError('A commission must lie between zero and the face value');
  if (!e.distributorId) {
    if (e.commission.minor !== 0n) throw new RangeError('Only a distributor earns a commission');
    return balanced([debit(settlementAccount(e.via ?? { kind: 'cash' }), face), credit(own('cards_outstanding'), face)]);
  }
  const withheld = e.commissionSettlement === 'withheld';
  return balanced([
    debit(cardPartnerReceivable(e.distributorId), face),
    credit(own('cards_outstanding'), face),
    debit(own('commission_expense'), e.commission),
    credit(withheld ? cardPartnerReceivable(e.distributorId) : cardPartnerCommission(e.distributorId), e.commission),
  ]);
}

/** A distributor pays what it owes for cards sold. */
export function cardPartnerPaid(e: { distributorId: string; amount: Money; via: Settlement }): PostingLine[] {
  const amount = positive(e.amount, 'A payment');
  return balanced([debit(settlementAccount(e.via), amount), credit(cardPartnerReceivable(e.distributorId), amount)]);
}

/** A sold card that expired unused: the value owed on it is earned (breakage). */
export function cardExpired(e: { faceValue: Money }): PostingLine[] {
  const face = positive(e.faceValue, 'A face value');
  return balanced([debit(own('cards_outstanding'), face), credit(own('revenue:card_breakage'), face)]);
}

/** Refund of a payment back to the payer: the subscriber's prepaid balance leaves through the drawer, bank or gateway. */
export function paymentRefunded(e: { subscriberId: string; amount: Money; via: Settlement }): PostingLine[] {
  const amount = positive(e.amount, 'A refund');
  return balanced([debit(wallet(e.subscriberId), amount), credit(settlementAccount(e.via), amount)]);
}

/**
 * Money of a payment taken back by the bank or gateway (a chargeback, or a refund the gateway made):
 * the settlement account gives it up; the subscriber owes again what it had paid on invoices that
 * are reopened (`reopened`) and what could be taken neither from invoices nor from the wallet
 * (`unbilled`), and loses `fromWallet` of prepaid balance. The three parts sum to the amount.
 */
export function paymentTakenBack(e: { subscriberId: string; via: Settlement; amount: Money; reopened: bigint; fromWallet: bigint; unbilled: bigint }): PostingLine[] {
  const amount = positive(e.amount, 'A chargeback');
  if (e.reopened < 0n || e.fromWallet < 0n || e.unbilled < 0n || e.reopened + e.fromWallet + e.unbilled !== amount.minor)
    throw new RangeError('The parts of a chargeback must be zero or more and sum to its amount');
  const part = (minor: bigint): Money => ({ minor, currency: amount.currency });
  return balanced([
    credit(settlementAccount(e.via), amount),
    debit(receivable(e.subscriberId), part(e.reopened + e.unbilled)),
    debit(wallet(e.subscriberId), part(e.fromWallet)),
  ]);
}
