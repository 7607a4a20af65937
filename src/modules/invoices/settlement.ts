/**
 * What happens when a subscriber's bills are settled (paid, credited or voided). The invoices module
 * sits below the modules that sell service, so it does not call them: they register here once,
 * in the composition root (src/modules/index.ts), and the engine tells them inside the same
 * transaction; the subscriptions module unlocks service suspended for non-payment.
 *
 * A handler may also say, in one query, which of many subscribers it has anything to do for: a
 * batch of payments (gateway callbacks) then calls it only for those, not once per subscriber.
 */
import type { Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';

export type SettlementHandler = (trx: Transaction<DB>, clock: Clock, subscriberId: string) => Promise<void>;
/** Of these subscribers, those a handler may have work for (a superset is fine; a subset is a bug). */
export type Candidates = (trx: Transaction<DB>, subscriberIds: readonly string[]) => Promise<Set<string>>;

const handlers = new Map<SettlementHandler, Candidates | undefined>();

export function onBillsSettled(handler: SettlementHandler, candidates?: Candidates): void {
  handlers.set(handler, candidates);
}

export async function billsSettled(trx: Transaction<DB>, clock: Clock, subscriberId: string): Promise<void> {
  for (const handler of handlers.keys()) await handler(trx, clock, subscriberId);
}

/** billsSettled for many subscribers, each handler asked first which of them it has work for. */
export async function billsSettledForMany(trx: Transaction<DB>, clock: Clock, subscriberIds: readonly string[]): Promise<void> {
  if (subscriberIds.length === 0) return;
  for (const [handler, candidates] of handlers) {
    const some = candidates ? await candidates(trx, subscriberIds) : new Set(subscriberIds);
    for (const id of subscriberIds) if (some.has(id)) await handler(trx, clock, id);
  }
}

/**
 * Money reached a subscriber's wallet (a payment, a recharge card) after it paid what was owed: the
 * subscriptions module renews prepaid plans that expired for want of balance.
 */
export type WalletFundedHandler = (trx: Transaction<DB>, clock: Clock, subscriberId: string, currency: string) => Promise<void>;

const fundedHandlers = new Map<WalletFundedHandler, Candidates | undefined>();

export function onWalletFunded(handler: WalletFundedHandler, candidates?: Candidates): void {
  fundedHandlers.set(handler, candidates);
}

export async function walletFunded(trx: Transaction<DB>, clock: Clock, subscriberId: string, currency: string): Promise<void> {
  for (const handler of fundedHandlers.keys()) await handler(trx, clock, subscriberId, currency);
}

/** walletFunded for many wallets, each handler asked first which subscribers it has work for. */
export async function walletFundedForMany(trx: Transaction<DB>, clock: Clock, wallets: readonly { subscriberId: string; currency: string }[]): Promise<void> {
  if (wallets.length === 0) return;
  for (const [handler, candidates] of fundedHandlers) {
    const some = candidates ? await candidates(trx, [...new Set(wallets.map((w) => w.subscriberId))]) : undefined;
    for (const w of wallets) if (!some || some.has(w.subscriberId)) await handler(trx, clock, w.subscriberId, w.currency);
  }
}
