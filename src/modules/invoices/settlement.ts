/**
 * What happens when a subscriber's bills are settled (paid, credited or voided). The invoices module
 * sits below the modules that sell service, so it does not call them: they register here once,
 * in the composition root (src/modules/index.ts), and the engine tells them inside the same
 * transaction; the subscriptions module unlocks service suspended for non-payment.
 */
import type { Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';

export type SettlementHandler = (trx: Transaction<DB>, clock: Clock, subscriberId: string) => Promise<void>;

const handlers = new Set<SettlementHandler>();

export function onBillsSettled(handler: SettlementHandler): void {
  handlers.add(handler);
}

export async function billsSettled(trx: Transaction<DB>, clock: Clock, subscriberId: string): Promise<void> {
  for (const handler of handlers) await handler(trx, clock, subscriberId);
}

/**
 * Money reached a subscriber's wallet (a payment, a recharge card) after it paid what was owed: the
 * subscriptions module renews prepaid plans that expired for want of balance.
 */
export type WalletFundedHandler = (trx: Transaction<DB>, clock: Clock, subscriberId: string, currency: string) => Promise<void>;

const fundedHandlers = new Set<WalletFundedHandler>();

export function onWalletFunded(handler: WalletFundedHandler): void {
  fundedHandlers.add(handler);
}

export async function walletFunded(trx: Transaction<DB>, clock: Clock, subscriberId: string, currency: string): Promise<void> {
  for (const handler of fundedHandlers) await handler(trx, clock, subscriberId, currency);
}
