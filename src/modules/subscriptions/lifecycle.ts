/**
 * How a subscription moves between statuses, for every caller: staff through the API, the
 * lifecycle job, the billing run and the invoice engine (payment unlocks service). Each move is
 * made on a locked row inside the caller's transaction and writes a subscription event, an audit
 * entry and, when the subscriber's overall status changes with it, the subscriber's status history.
 * Activation and resumption hand the subscription to the billing run at once, so what is due is
 * invoiced in the same transaction.
 */
import { sql, type Transaction, type Updateable } from 'kysely';
import { type StatusReason, canTransition, subscriberStatusFor } from '../../core/subscription-lifecycle.ts';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.ts';
import type { Actor } from '../../platform/auth/principal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB, Subscription, SubscriptionsTable, SubscriptionStatus } from '../../platform/db/schema.ts';
import { ConflictError } from '../../platform/errors.ts';
import { billSubscriptions } from '../billing/billing-run.service.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as subscriberRepo from '../subscribers/subscribers.repo.ts';
import { canChangeStatus } from '../subscribers/subscribers.rules.ts';
import { currentPeriod, firstBilling } from './billing-terms.ts';
import * as repo from './subscriptions.repo.ts';
import { onBillsSettled, onWalletFunded } from '../invoices/settlement.ts';

type Trx = Transaction<DB>;

/** Who makes a change: a signed-in user, or the system (a job, a payment) with a label for the audit log. */
export interface Performer {
  readonly audit: AuditActor;
  readonly userId: string | null;
}

// Function declarations, not constants: the billing and invoice modules import this one and it imports
// them, and a declaration is usable while that cycle is still loading.
export function performerOf(actor: Actor): Performer {
  return { audit: actor.audit, userId: actor.principal.userId };
}

export function systemPerformer(label: string): Performer {
  return { audit: { type: 'system', id: null, label, requestId: null, ip: null }, userId: null };
}

export interface Move {
  readonly to: SubscriptionStatus;
  /** The event's kind: activated, suspended, resumed, grace, unlocked, terminated… */
  readonly kind: string;
  readonly reason?: StatusReason | '';
  readonly note?: string;
  readonly details?: Record<string, unknown>;
  /** Further columns to set with the status (billing instants, grace_until). */
  readonly set?: Updateable<SubscriptionsTable>;
}

export async function recordEvent(trx: Trx, clock: Clock, by: Performer, sub: Pick<Subscription, 'id' | 'organization_id'>, event: { kind: string; from?: SubscriptionStatus | null; to?: SubscriptionStatus | null; reason?: string; details?: Record<string, unknown>; before?: unknown; after?: unknown }): Promise<void> {
  const at = clock.now();
  await repo.insertEvents(trx, [
    { subscription_id: sub.id, kind: event.kind, from_status: event.from ?? null, to_status: event.to ?? null, reason: event.reason ?? '', details: JSON.stringify(event.details ?? {}) as never, at, actor_id: by.userId },
  ]);
  const org = await orgRepo.findById(trx, sub.organization_id);
  await appendAudit(trx, clock, by.audit, {
    action: `subscription.${event.kind}`,
    organizationId: sub.organization_id,
    organizationPath: org?.path ?? null,
    objectType: 'subscription',
    objectId: sub.id,
    before: event.before,
    after: event.after ?? { status: event.to, reason: event.reason, ...event.details },
  });
}

/** Columns a status clears: what was scheduled for the status left, and grace outside grace. */
function cleared(to: SubscriptionStatus, now: Date): Updateable<SubscriptionsTable> {
  switch (to) {
    case 'active':
      return { grace_until: null, resume_at: null };
    case 'grace':
      return {};
    case 'suspended':
      return { grace_until: null, suspend_at: null };
    case 'terminated':
      return { grace_until: null, suspend_at: null, resume_at: null, terminate_at: null, pending_plan_id: null, terminated_at: now, next_bill_at: null };
    case 'pending':
      return {};
  }
}

/** Moves one locked subscription; an illegal move is a 409 naming the current status. */
export async function transition(trx: Trx, clock: Clock, by: Performer, sub: Subscription, move: Move): Promise<void> {
  if (!canTransition(sub.status, move.to))
    throw new ConflictError(`The subscription is ${sub.status} and cannot become ${move.to}`, [{ field: 'status', message: `is ${sub.status}` }]);
  const now = clock.now();
  const reason = move.to === 'active' ? '' : (move.reason ?? '');
  await repo.update(trx, [sub.id], { ...cleared(move.to, now), ...move.set, status: move.to, status_reason: reason, updated_at: now });
  await recordEvent(trx, clock, by, sub, {
    kind: move.kind,
    from: sub.status,
    to: move.to,
    reason,
    details: { ...(move.note ? { note: move.note } : {}), ...move.details },
    before: { status: sub.status, statusReason: sub.status_reason },
  });
  await syncSubscriber(trx, clock, by, sub, move.kind);
}

/**
 * Keeps the subscriber's status in step with its subscriptions (active while one is in service…),
 * with the subscribers module's rules: a change its rules do not allow (a lead cannot be suspended)
 * is left alone.
 */
async function syncSubscriber(trx: Trx, clock: Clock, by: Performer, sub: Pick<Subscription, 'subscriber_id' | 'organization_id'>, cause: string): Promise<void> {
  const want = subscriberStatusFor(await repo.statusesOfSubscriber(trx, sub.subscriber_id));
  if (!want) return;
  const org = (await orgRepo.findById(trx, sub.organization_id))!;
  const [subscriber] = await subscriberRepo.lockInScope(trx, { orgId: org.id, orgPath: org.path }, [sub.subscriber_id]);
  if (!subscriber || subscriber.status === want || !canChangeStatus(subscriber.status, want)) return;
  const now = clock.now();
  const reason = `Subscription ${cause.replaceAll('_', ' ')}`;
  await subscriberRepo.update(trx, [subscriber.id], { status: want, updated_at: now, ...(want !== 'active' ? { suspend_on: null, suspend_reason: null } : {}) });
  await subscriberRepo.insertStatusChanges(trx, [{ subscriber_id: subscriber.id, from_status: subscriber.status, to_status: want, reason, at: now, changed_by: by.userId }]);
  await appendAudit(trx, clock, by.audit, {
    action: 'subscriber.status',
    organizationId: org.id,
    organizationPath: org.path,
    objectType: 'subscriber',
    objectId: subscriber.id,
    before: { status: subscriber.status },
    after: { status: want, reason },
  });
}

/**
 * Activates pending subscriptions: the first period is the one holding the activation instant,
 * billed at its start (in advance) or end (in arrears). Answers the ids the caller must bill.
 */
export async function activate(trx: Trx, clock: Clock, by: Performer, subs: readonly Subscription[], note = ''): Promise<string[]> {
  const now = clock.now();
  for (const sub of subs) {
    const nextBillAt = await firstBilling(trx, sub, now);
    await transition(trx, clock, by, sub, {
      to: 'active',
      kind: 'activated',
      note,
      // Activated ahead of a scheduled start: it starts now.
      set: { activated_at: now, billed_through: null, next_bill_at: nextBillAt, ...(new Date(sub.starts_at) > now ? { starts_at: now } : {}) },
      details: { nextBillAt: nextBillAt.toISOString() },
    });
  }
  return subs.map((s) => s.id);
}

/**
 * Brings suspended subscriptions back. The periods spent suspended are not billed: when the
 * subscription is behind, billing picks up again with the period holding now.
 */
export async function resume(trx: Trx, clock: Clock, by: Performer, subs: readonly Subscription[], move: { kind: 'resumed' | 'unlocked'; note?: string }): Promise<string[]> {
  const now = clock.now();
  for (const sub of subs) {
    const current = await currentPeriod(trx, sub, now);
    const set: Updateable<SubscriptionsTable> = {};
    if (current && sub.next_bill_at && sub.next_bill_at < current.billAt) {
      set.next_bill_at = current.billAt;
      set.billed_through = current.period.start;
    }
    await transition(trx, clock, by, sub, { to: 'active', kind: move.kind, note: move.note, set, details: set.next_bill_at ? { skippedTo: current!.period.start.toISOString() } : undefined });
  }
  return subs.map((s) => s.id);
}

/**
 * The invoice engine calls this when an invoice is paid: once the subscriber owes nothing, its
 * subscriptions in grace, or suspended for non-payment, are back in service.
 */
export async function unlockAfterPayment(trx: Trx, clock: Clock, subscriberId: string): Promise<void> {
  if ((await repo.unpaidInvoiceCount(trx, subscriberId)) > 0) return;
  const by = systemPerformer('payment received');
  const held = await repo.heldForPayment(trx, subscriberId);
  const toBill: string[] = [];
  for (const candidate of held) {
    // Billing one of them can pay (and unlock) the others in a nested call: take each as it is now.
    const [sub] = await repo.lockByIds(trx, [candidate.id]);
    if (!sub) continue;
    if (sub.status === 'grace') await transition(trx, clock, by, sub, { to: 'active', kind: 'unlocked' });
    else if (sub.status === 'suspended' && sub.status_reason === 'unpaid') toBill.push(...(await resume(trx, clock, by, [sub], { kind: 'unlocked' })));
  }
  await billNow(trx, clock, toBill);
}

/**
 * Money reached the wallet after paying what was owed (a payment at the counter, a gateway, a card):
 * a prepaid plan that expired for want of balance is bought again when the wallet now covers it.
 * It starts afresh from now (a new first period, as at activation) and its renewal invoice is paid
 * from the wallet at once. Whether the wallet covers it is what billing it decides: the renewal is
 * tried under a savepoint and undone when its invoice stays unpaid, so nothing is left half-done.
 */
export async function renewAfterFunding(trx: Trx, clock: Clock, subscriberId: string, currency: string): Promise<void> {
  if ((await repo.unpaidInvoiceCount(trx, subscriberId)) > 0) return;
  const by = systemPerformer('payment received');
  for (const sub of await repo.expiredPrepaid(trx, subscriberId, currency)) {
    const now = clock.now();
    await sql`savepoint renew_after_funding`.execute(trx);
    await transition(trx, clock, by, sub, {
      to: 'active',
      kind: 'renewed',
      set: { activated_at: now, billed_through: null, next_bill_at: await firstBilling(trx, sub, now) },
      details: { expiredAt: sub.billed_through?.toISOString() ?? null },
    });
    await billNow(trx, clock, [sub.id]);
    if ((await repo.unpaidInvoiceCount(trx, subscriberId)) > 0) {
      // The wallet does not cover this plan: it stays expired as it was; a cheaper one may still fit.
      await sql`rollback to savepoint renew_after_funding`.execute(trx);
      await sql`release savepoint renew_after_funding`.execute(trx);
      continue;
    }
    await sql`release savepoint renew_after_funding`.execute(trx);
  }
}

/** Bills what is due now for subscriptions just activated or resumed. */
export async function billNow(trx: Trx, clock: Clock, subscriptionIds: readonly string[]): Promise<void> {
  if (subscriptionIds.length > 0) await billSubscriptions(trx, clock, { subscriptionIds: [...subscriptionIds], asOf: clock.now() });
}

// The invoice engine tells whoever listens when a subscriber's bills are settled; service comes back here.
onBillsSettled(unlockAfterPayment, repo.subscribersHeldForPayment);
// A funded wallet buys again a prepaid plan that expired unpaid.
onWalletFunded(renewAfterFunding, repo.subscribersWithExpiredPrepaid);
