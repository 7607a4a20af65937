/**
 * The channels a subscriber redeems a card through: the customer portal (its own account), staff
 * at the counter (a subscriber of their scope), and an SMS keyword (the sender's phone names the
 * subscriber; the notifications module calls this with its own credentials).
 */
import { formatMoney } from '../../core/money.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { orgInScope } from '../../platform/tenancy/scope.ts';
import { subscriberByPhone } from '../payments/payments.repo.ts';
import type { Customer } from '../portal/portal.access.ts';
import * as subscriberRepo from '../subscribers/subscribers.repo.ts';
import type { Deps } from './cards.service.ts';
import { redeemCard, type Redemption } from './redeem.ts';

export function mapRedemption(r: Redemption) {
  const money = (minor: bigint) => formatMoney({ minor, currency: r.batch.currency });
  return {
    serial: r.card.serial,
    amount: money(r.batch.face_value),
    currency: r.batch.currency,
    receiptNo: r.receiptNo.toString(),
    paymentId: r.paymentId,
    redeemedAt: r.card.redeemed_at!.toISOString(),
    invoicesPaid: money(r.invoicesPaid),
    plan: r.subscription && r.batch.plan_id ? { id: r.batch.plan_id, name: r.planName ?? '', subscriptionId: r.subscription.id, status: r.subscription.status } : null,
    wallet: { balance: money(r.walletBalance) },
  };
}

export async function redeemInPortal(deps: Deps, customer: Customer, pin: string, address: string | null) {
  const r = await redeemCard(deps, {
    subscriberId: customer.subscriberId,
    organizationId: customer.organizationId,
    organizationPath: customer.organizationPath,
    pin,
    channel: 'portal',
    address,
    userId: customer.userId,
    audit: customer.audit,
  });
  return mapRedemption(r);
}

export async function redeemForSubscriber(deps: Deps, actor: Actor, subscriberId: string, pin: string, address: string | null) {
  requirePermission(actor, 'cards.update');
  const subscriber = await subscriberRepo.findInScope(deps.db, actor.principal.scope, subscriberId);
  if (!subscriber) throw new NotFoundError('Subscriber');
  const org = (await deps.db.selectFrom('organizations').select(['id', 'path']).where('id', '=', subscriber.organization_id).executeTakeFirst())!;
  const r = await redeemCard(deps, { subscriberId: subscriber.id, organizationId: org.id, organizationPath: org.path, pin, channel: 'staff', address, userId: actor.principal.userId, audit: actor.audit });
  return mapRedemption(r);
}

/** An SMS "<keyword> <PIN>" from a phone: the phone names the subscriber, and counts as the address for the rate limit. */
export async function redeemBySms(deps: Deps, actor: Actor, input: { organizationId: string; phone: string; pin: string }) {
  requirePermission(actor, 'cards.update');
  const org = await deps.db.selectFrom('organizations').select(['id', 'path']).where('id', '=', input.organizationId).where(orgInScope(actor.principal.scope)).executeTakeFirst();
  if (!org) throw new NotFoundError('Organization');
  const subscriberId = await subscriberByPhone(deps.db, org.id, input.phone);
  const subscriber = subscriberId ? await subscriberRepo.findInScope(deps.db, actor.principal.scope, subscriberId) : undefined;
  if (!subscriber) throw new UnprocessableError('No subscriber has this phone number', [{ field: 'phone', message: 'names no subscriber' }]);
  const owner = (await deps.db.selectFrom('organizations').select(['id', 'path']).where('id', '=', subscriber.organization_id).executeTakeFirst())!;
  const r = await redeemCard(deps, {
    subscriberId: subscriber.id,
    organizationId: owner.id,
    organizationPath: owner.path,
    pin: input.pin,
    channel: 'sms',
    address: `sms:${input.phone.replace(/\D/g, '')}`,
    userId: actor.principal.userId,
    audit: actor.audit,
  });
  return mapRedemption(r);
}
