/**
 * Redeeming a recharge card, whatever the channel (the customer portal, staff at the counter, an
 * SMS keyword, a hotspot login): the card is claimed by a state-guarded update, then its value is
 * received as a payment (channel 'card', keyed on the serial) into the subscriber's wallet, which
 * pays what is owed and unlocks service; a plan card then activates its plan when the subscriber
 * has no live subscription of it.
 *
 * Guessing is limited: failures are counted in the database per subscriber, per address and per
 * card range (a batch, when the attempt names a card of it), and a bucket over its limit answers 429
 * until its lock ends, in every process.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { formatMoney } from '../../core/money.ts';
import { normalisePin } from '../../core/voucher-codes.ts';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Card, CardBatch } from '../../platform/db/schema/cards.ts';
import { ConflictError, TooManyRequestsError, UnprocessableError } from '../../platform/errors.ts';
import { mirrorSubscriptions } from '../freeradius/mirror.ts';
import { walletBalance } from '../ledger/wallets.service.ts';
import { receivePayment } from '../payments/receive.ts';
import { activate, billNow, systemPerformer } from '../subscriptions/lifecycle.ts';
import { generatePassword } from '../subscriptions/network.ts';
import * as subscriptionRepo from '../subscriptions/subscriptions.repo.ts';
import * as repo from './cards.repo.ts';
import type { Deps } from './cards.service.ts';
import { pinHash } from './pin-key.ts';

/** Failures allowed per window, and how long a bucket stays locked once over. */
export const redeemLimits = {
  subscriber: { failures: 5, windowSeconds: 15 * 60, lockSeconds: 15 * 60 },
  address: { failures: 10, windowSeconds: 15 * 60, lockSeconds: 15 * 60 },
  range: { failures: 30, windowSeconds: 60 * 60, lockSeconds: 60 * 60 },
} as const;

export type RedeemChannel = 'portal' | 'staff' | 'sms' | 'hotspot';

export interface RedeemRequest {
  /** The subscriber credited; absent for a hotspot voucher, whose subscriber `voucher` makes in the same transaction. */
  readonly subscriberId?: string;
  /** A hotspot voucher's first login: makes its subscriber, and the plan's login is the PIN. */
  readonly voucher?: { readonly createSubscriber: (trx: Transaction<DB>, card: Card) => Promise<string>; readonly username: string; readonly password: string };
  /** The subscriber's organization: a card is good only with the provider that printed it. */
  readonly organizationId: string;
  readonly organizationPath: string;
  readonly pin: string;
  readonly channel: RedeemChannel;
  /** The caller's address (the browser's IP, the SMS sender, the hotspot's calling station). */
  readonly address: string | null;
  readonly userId: string | null;
  readonly audit: AuditActor;
}

const buckets = (r: Pick<RedeemRequest, 'subscriberId' | 'address'>, batchId?: string) => [
  ...(r.subscriberId ? [{ bucket: `subscriber:${r.subscriberId}`, limit: redeemLimits.subscriber }] : []),
  ...(r.address ? [{ bucket: `address:${r.address}`, limit: redeemLimits.address }] : []),
  ...(batchId ? [{ bucket: `range:${batchId}`, limit: redeemLimits.range }] : []),
];

async function refuseIfLocked(deps: Deps, names: readonly string[]): Promise<void> {
  const now = deps.clock.now();
  const until = await repo.lockedUntil(deps.db, names, now);
  if (until) {
    const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
    throw new TooManyRequestsError(`Too many wrong card PINs: try again in ${Math.ceil(seconds / 60)} minutes`, seconds);
  }
}

async function countFailure(deps: Deps, r: RedeemRequest, batchId?: string): Promise<void> {
  for (const b of buckets(r, batchId)) await repo.countFailure(deps.db, b.bucket, deps.clock.now(), b.limit);
}

/** Why a card the PIN names cannot be redeemed, in the words the subscriber reads. */
function refusal(card: Card, now: Date): Error {
  const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '');
  if (card.state === 'redeemed') return new ConflictError(`This card was already used on ${day(card.redeemed_at)}`);
  if (card.state === 'void') return new UnprocessableError('This card is void: it was withdrawn by your provider');
  if (card.state === 'expired' || card.expires_at <= now) return new UnprocessableError(`This card expired on ${day(card.expires_at)}`);
  return new UnprocessableError('This card has not been sold yet: ask the shop that gave it to you');
}

export interface Redemption {
  readonly card: Card;
  readonly batch: CardBatch;
  readonly paymentId: string;
  readonly receiptNo: bigint;
  readonly invoicesPaid: bigint;
  readonly subscription: { id: string; status: string } | null;
  readonly planName: string | null;
  readonly walletBalance: bigint;
}

/**
 * Redeems the card a PIN names for a subscriber. Throws 429 while a bucket is locked, 422 for text
 * that is no PIN or a PIN of no card of the provider, 409 for a used card, 422 for a void, expired
 * or unsold one; every refusal but a malformed PIN counts as a failure.
 */
export async function redeemCard(deps: Deps, r: RedeemRequest, inTransaction?: (trx: Transaction<DB>, redemption: Redemption) => Promise<void>): Promise<Redemption> {
  await refuseIfLocked(deps, buckets(r).map((b) => b.bucket));
  const pin = normalisePin(r.pin);
  if (!pin) throw new UnprocessableError('This is not a card PIN: it has 12 letters and digits, as printed under the scratch panel', [{ field: 'pin', message: 'is not a PIN' }]);
  const found = await repo.findByPinHash(deps.db, await pinHash(deps.db, deps.secrets, pin));
  if (!found || found.organization_id !== r.organizationId) {
    await countFailure(deps, r);
    throw new UnprocessableError('No card has this PIN: check it and try again', [{ field: 'pin', message: 'names no card' }]);
  }
  await refuseIfLocked(deps, [`range:${found.batch_id}`]);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      const subscriberId = r.voucher ? await r.voucher.createSubscriber(trx, found) : r.subscriberId!;
      const card = await repo.claimSold(trx, found.id, subscriberId, now);
      if (!card) throw refusal((await repo.findByPinHash(trx, found.pin_hash))!, now);
      const redemption = await credit(trx, deps, { ...r, subscriberId }, card);
      await inTransaction?.(trx, redemption);
      return redemption;
    });
  } catch (err) {
    if (err instanceof ConflictError || err instanceof UnprocessableError) await countFailure(deps, r, found.batch_id);
    throw err;
  }
}

async function credit(trx: Transaction<DB>, deps: Deps, r: RedeemRequest & { subscriberId: string }, card: Card): Promise<Redemption> {
  const now = deps.clock.now();
  const batch = (await repo.findBatch(trx, card.batch_id))!;
  const amount = { minor: batch.face_value, currency: batch.currency };
  const received = await receivePayment(trx, deps.clock, {
    organizationId: card.organization_id,
    channel: 'card',
    transactionId: card.serial,
    amount,
    via: { kind: 'card' },
    receivedAt: now,
    subscriberId: r.subscriberId,
    reference: card.serial,
    memo: `Recharge card ${card.serial}`,
    recordedBy: r.userId,
    metadata: { cardId: card.id, batchId: batch.id, redeemedThrough: r.channel },
  });
  const subscription = batch.plan_id ? await startPlan(trx, deps, r.subscriberId, batch, card, r.voucher) : null;
  await repo.updateCards(trx, [card.id], { payment_id: received.payment.id, subscription_id: subscription?.id ?? null });
  await repo.insertEvents(trx, [{ card_id: card.id, organization_id: card.organization_id, from_state: 'sold', to_state: 'redeemed', at: now, user_id: r.userId, note: r.channel, details: { subscriberId: r.subscriberId, paymentId: received.payment.id, address: r.address } }]);
  await appendAudit(trx, deps.clock, r.audit, {
    action: 'cards.redeemed',
    organizationId: r.organizationId,
    organizationPath: r.organizationPath,
    objectType: 'card',
    objectId: card.id,
    after: { serial: card.serial, subscriberId: r.subscriberId, amount: formatMoney(amount), currency: amount.currency, channel: r.channel, paymentId: received.payment.id },
  });
  const plan = batch.plan_id ? await trx.selectFrom('plans').select('name').where('id', '=', batch.plan_id).executeTakeFirst() : undefined;
  const wallet = await walletBalance(trx, { organizationId: card.organization_id, subscriberId: r.subscriberId, currency: batch.currency });
  return {
    card,
    batch,
    paymentId: received.payment.id,
    receiptNo: received.payment.receipt_no,
    invoicesPaid: received.allocations.reduce((s, a) => s + a.amount, 0n),
    subscription,
    planName: plan?.name ?? null,
    walletBalance: wallet.balance.minor,
  };
}

/**
 * A plan card's plan: a live subscription of it is left to billing (the wallet now pays its next
 * renewal, and paying what was owed has already unlocked it); a pending one is activated; with
 * none, one is created and activated, and its first period is billed to the wallet at once.
 */
async function startPlan(trx: Transaction<DB>, deps: Deps, subscriberId: string, batch: CardBatch, card: Card, login?: { username: string; password: string }) {
  const planId = batch.plan_id!;
  const existing = await trx
    .selectFrom('subscriptions')
    .selectAll()
    .where('subscriber_id', '=', subscriberId)
    .where('plan_id', '=', planId)
    .where('status', '<>', 'terminated')
    .orderBy('created_at', 'desc')
    .forUpdate()
    .executeTakeFirst();
  const by = systemPerformer(`recharge card ${card.serial}`);
  const now = deps.clock.now();
  if (existing && existing.status !== 'pending') return { id: existing.id, status: existing.status };
  let sub = existing;
  if (!sub) {
    const plan = (await trx.selectFrom('plans').select(['service_type']).where('id', '=', planId).executeTakeFirstOrThrow());
    const account = (await trx.selectFrom('subscribers').select('account_number').where('id', '=', subscriberId).executeTakeFirstOrThrow()).account_number;
    const needsLogin = plan.service_type === 'pppoe' || plan.service_type === 'hotspot';
    const username = login?.username ?? (needsLogin ? await freeUsername(trx, account) : null);
    const password = login?.password ?? (username ? generatePassword() : null);
    const id = randomUUID();
    await subscriptionRepo.insert(trx, {
      id,
      organization_id: card.organization_id,
      subscriber_id: subscriberId,
      plan_id: planId,
      currency: batch.currency,
      status: 'pending',
      auto_renew: false,
      starts_at: now,
      username,
      password_enc: password === null ? null : deps.secrets.seal(password),
      discount_id: null,
      mac_address: null,
      static_ipv4: null,
      static_ipv6_prefix: null,
      installation_address_id: null,
      created_at: now,
      updated_at: now,
    });
    await mirrorSubscriptions(trx, deps.secrets, [id]);
    sub = (await subscriptionRepo.lockByIds(trx, [id]))[0]!;
  }
  await billNow(trx, deps.clock, await activate(trx, deps.clock, by, [sub], `Recharge card ${card.serial}`));
  const after = (await subscriptionRepo.lockByIds(trx, [sub.id]))[0]!;
  return { id: after.id, status: after.status };
}

async function freeUsername(trx: Transaction<DB>, accountNumber: string): Promise<string> {
  const base = accountNumber.replace(/[^A-Za-z0-9@._:+-]/g, '');
  const taken = await subscriptionRepo.usernamesLike(trx, base);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}
