/**
 * Subscriber wallets: prepaid balance the ISP owes the subscriber (a liability account per
 * subscriber and currency). Each operation is one journal entry posted through the ledger engine
 * inside the caller's transaction; the subscriber and payment modules wrap them in their use cases
 * (permission checks, audit). A deduction locks the wallet's balance row (SELECT … FOR UPDATE, in
 * postEntry) before it checks the balance, so concurrent deductions queue and never overspend; the
 * database refuses an overspend on its own as well.
 */
import type { Kysely, Transaction } from 'kysely';
import { type AccountKey, type Charge, type Settlement, type TaxCharged, naturalBalance, refundToWallet as refundLines, walletPaysInvoice, walletTopUp } from '../../core/ledger.ts';
import type { Money } from '../../core/money.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB, LedgerAccount } from '../../platform/db/schema.ts';
import { UnprocessableError } from '../../platform/errors.ts';
import * as repo from './ledger.repo.ts';
import { ensureAccount, postEvent, type PostedEntry } from './ledger.service.ts';

export interface WalletRef {
  readonly organizationId: string;
  readonly subscriberId: string;
  readonly currency: string;
}

/** What every wallet movement carries besides its amount. */
export interface WalletMovement {
  /** Unique per organization: the gateway transaction id, the invoice being paid, the refund's id. */
  readonly idempotencyKey: string;
  readonly memo?: string;
  readonly occurredAt?: Date;
  readonly createdBy?: string | null;
}

const walletKey = (ref: WalletRef): AccountKey => ({ systemKey: 'subscriber_wallet', owner: { type: 'subscriber', id: ref.subscriberId } });

/** The subscriber's wallet account in this currency, opened (empty, credit limit zero) on first use. */
export function walletAccount(trx: Transaction<DB>, ref: WalletRef): Promise<LedgerAccount> {
  return ensureAccount(trx, { organizationId: ref.organizationId, account: walletKey(ref), currency: ref.currency });
}

function requireCurrency(ref: WalletRef, amount: Money): void {
  if (amount.currency !== ref.currency) throw new UnprocessableError(`The wallet is kept in ${ref.currency}, not ${amount.currency}`);
}

/** Money in: cash at the counter or a gateway payment becomes prepaid balance. */
export async function topUpWallet(trx: Transaction<DB>, clock: Clock, ref: WalletRef, input: WalletMovement & { amount: Money; via: Settlement }): Promise<Omit<PostedEntry, 'lines'>> {
  requireCurrency(ref, input.amount);
  return postEvent(trx, clock, {
    ...input,
    organizationId: ref.organizationId,
    kind: 'wallet_top_up',
    lines: walletTopUp({ subscriberId: ref.subscriberId, amount: input.amount, via: input.via }),
  });
}

/**
 * Deduction: the wallet pays what the subscriber owes (an invoice, an auto-renewal). Refused with a
 * CreditLimitError, before anything is written, when the wallet would pass its credit limit.
 */
export async function payFromWallet(trx: Transaction<DB>, clock: Clock, ref: WalletRef, input: WalletMovement & { amount: Money }): Promise<Omit<PostedEntry, 'lines'>> {
  requireCurrency(ref, input.amount);
  return postEvent(trx, clock, {
    ...input,
    organizationId: ref.organizationId,
    kind: 'wallet_deduction',
    lines: walletPaysInvoice({ subscriberId: ref.subscriberId, amount: input.amount }),
  });
}

/** Refund to wallet: revenue and tax of service not delivered go back to the subscriber as prepaid balance. */
export async function refundToWallet(
  trx: Transaction<DB>,
  clock: Clock,
  ref: WalletRef,
  input: WalletMovement & { charges: readonly Charge[]; taxes: readonly TaxCharged[] },
): Promise<Omit<PostedEntry, 'lines'>> {
  for (const c of input.charges) requireCurrency(ref, c.net);
  return postEvent(trx, clock, {
    ...input,
    organizationId: ref.organizationId,
    kind: 'wallet_refund',
    lines: refundLines({ subscriberId: ref.subscriberId, charges: input.charges, taxes: input.taxes }),
  });
}

/** How far below zero the wallet may go (postpaid trust); zero means prepaid only. */
export async function setCreditLimit(trx: Transaction<DB>, ref: WalletRef, limit: Money): Promise<LedgerAccount> {
  requireCurrency(ref, limit);
  if (limit.minor < 0n) throw new UnprocessableError('A credit limit cannot be negative');
  const account = await walletAccount(trx, ref);
  return repo.updateCreditLimit(trx, account.id, limit.minor);
}

export interface WalletBalance {
  readonly accountId: string | null;
  /** What the wallet holds; negative when the subscriber uses credit. */
  readonly balance: Money;
  readonly creditLimit: Money;
  /** What a deduction may take now: balance plus credit limit. */
  readonly available: Money;
}

/** The wallet's balance as of the last commit; a wallet never opened holds zero. */
export async function walletBalance(db: Kysely<DB> | Transaction<DB>, ref: WalletRef): Promise<WalletBalance> {
  const key = walletKey(ref);
  const found = await repo.findAccountByKey(db, {
    organizationId: ref.organizationId,
    systemKey: key.systemKey,
    currency: ref.currency,
    ownerType: key.owner!.type,
    ownerId: key.owner!.id,
  });
  const account = found ? await repo.findAccount(db, found.id) : undefined;
  const held = account ? naturalBalance(account.type, account.balance) : 0n;
  const limit = account?.credit_limit ?? 0n;
  return {
    accountId: account?.id ?? null,
    balance: { minor: held, currency: ref.currency },
    creditLimit: { minor: limit, currency: ref.currency },
    available: { minor: held + limit, currency: ref.currency },
  };
}
