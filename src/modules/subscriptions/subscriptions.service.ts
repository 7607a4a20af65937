import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { everyPage, page, toCsv } from '../../platform/http/list.ts';
import { mirrorSubscriptions } from '../freeradius/mirror.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as subscriberRepo from '../subscribers/subscribers.repo.ts';
import { refreshSubscriberSearch } from '../subscribers/subscribers.service.ts';
import { activate, billNow, performerOf, recordEvent } from './lifecycle.ts';
import { generatePassword } from './network.ts';
import { planForSale, pricedVersion, takeDiscount } from './sale.ts';
import * as repo from './subscriptions.repo.ts';
import { type CreateSubscriptionInput, type SubscriptionListQuery, type SubscriptionRow, type UpdateSubscriptionInput, mapSubscription } from './subscriptions.schemas.ts';
import { recordStaticIpv4 } from '../network/ipam-assign.service.ts';

export type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets'>;
type Trx = Transaction<DB>;

/** Service types whose subscribers log in (PPPoE, hotspot): they get a username and password by default. */
const loginServices = new Set(['pppoe', 'hotspot']);
/** How far in the past a start may lie and still mean "now" (the caller's clock runs a little behind). */
const startTolerance = 5 * 60_000;

export async function detail(db: Deps['db'] | Trx, actor: Actor, id: string) {
  const row = await repo.findInScope(db, actor.principal.scope, id);
  if (!row) throw new NotFoundError('Subscription');
  return mapSubscription(row);
}

async function lockOrThrow(trx: Trx, actor: Actor, id: string): Promise<SubscriptionRow> {
  const row = await repo.lockInScope(trx, actor.principal.scope, id);
  if (!row) throw new NotFoundError('Subscription');
  return row;
}

async function subscriptionPage(deps: Deps, actor: Actor, query: SubscriptionListQuery) {
  const rows = await repo.list(deps.db, actor.principal.scope, query);
  return page(rows, repo.subscriptionSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
}

export async function listSubscriptions(deps: Deps, actor: Actor, query: SubscriptionListQuery) {
  requirePermission(actor, 'subscriptions.read');
  const p = await subscriptionPage(deps, actor, query);
  return { items: p.items.map(mapSubscription), nextCursor: p.nextCursor };
}

export async function listForSubscriber(deps: Deps, actor: Actor, subscriberId: string, query: Omit<SubscriptionListQuery, 'q' | 'subscriberId'>) {
  requirePermission(actor, 'subscriptions.read');
  if (!(await subscriberRepo.findInScope(deps.db, actor.principal.scope, subscriberId))) throw new NotFoundError('Subscriber');
  return listSubscriptions(deps, actor, { ...query, subscriberId });
}

const exportColumns = ['id', 'accountNumber', 'subscriberName', 'planCode', 'planName', 'serviceType', 'currency', 'status', 'statusReason', 'quantity', 'username', 'macAddress', 'staticIpv4', 'staticIpv6Prefix', 'startsAt', 'activatedAt', 'nextBillAt', 'terminatedAt', 'organizationId', 'createdAt'];

export async function exportSubscriptions(deps: Deps, actor: Actor, query: Omit<SubscriptionListQuery, 'cursor' | 'limit'>): Promise<string> {
  requirePermission(actor, 'subscriptions.export');
  const rows = await everyPage(query, (q: SubscriptionListQuery) => subscriptionPage(deps, actor, q));
  return toCsv(
    exportColumns,
    rows.map((r) => {
      const s = mapSubscription(r);
      return { ...s, accountNumber: s.subscriber.accountNumber, subscriberName: s.subscriber.name, planCode: s.plan.code, planName: s.plan.name, serviceType: s.plan.serviceType };
    }),
  );
}

export async function getSubscription(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'subscriptions.read');
  return detail(deps.db, actor, id);
}

/** The subscriber's account number, or the first of -2, -3… that no live subscription logs in with. */
async function freeUsername(trx: Trx, accountNumber: string): Promise<string> {
  const base = accountNumber.replace(/[^A-Za-z0-9@._:+-]/g, '');
  const taken = await repo.usernamesLike(trx, base);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/** Unique login and address, and an installation address of the subscriber's own. */
async function checkNetwork(trx: Trx, subscriberId: string, input: { username?: string | null; staticIpv4?: string | null; installationAddressId?: string | null }, exceptId?: string): Promise<void> {
  if (input.username && (await repo.usernameTaken(trx, input.username, exceptId)))
    throw new ConflictError(`The username ${input.username} is already used by another subscription`, [{ field: 'username', message: 'is taken' }]);
  if (input.staticIpv4 && (await repo.staticIpTaken(trx, input.staticIpv4, exceptId)))
    throw new ConflictError(`The address ${input.staticIpv4} is already assigned to another subscription`, [{ field: 'staticIpv4', message: 'is taken' }]);
  if (input.installationAddressId) {
    const own = (await subscriberRepo.addressesOf(trx, subscriberId)).some((a) => a.id === input.installationAddressId);
    if (!own) throw new BadRequestError('The installation address is not one of the subscriber’s addresses', [{ field: 'installationAddressId', message: 'is not an address of this subscriber' }]);
  }
}

export async function createSubscription(deps: Deps, actor: Actor, input: CreateSubscriptionInput) {
  requirePermission(actor, 'subscriptions.create');
  const scope = actor.principal.scope;
  const now = deps.clock.now();
  const requested = input.startsAt ? new Date(input.startsAt) : now;
  if (requested.getTime() < now.getTime() - startTolerance) throw new UnprocessableError('A subscription cannot start in the past', [{ field: 'startsAt', message: 'is in the past' }]);
  const startsAt = requested > now ? requested : now;
  if (input.password && !input.username) throw new BadRequestError('A password needs a username', [{ field: 'password', message: 'is given without a username' }]);
  const { created, password } = await deps.db.transaction().execute(async (trx) => {
    const [subscriber] = await subscriberRepo.lockInScope(trx, scope, [input.subscriberId]);
    if (!subscriber) throw new NotFoundError('Subscriber');
    if (subscriber.status === 'archived') throw new UnprocessableError('The subscriber is archived: restore it first', [{ field: 'subscriberId', message: 'is archived' }]);
    const org = (await orgRepo.findById(trx, subscriber.organization_id))!;
    const plan = await planForSale(trx, scope, org, input.planId);
    const currency = input.currency ?? org.currency;
    await pricedVersion(trx, plan, currency, startsAt);
    const id = randomUUID();
    const discount = await takeDiscount(trx, deps.clock, scope, org, { planId: plan.id, currency, reference: id }, input);
    const username = input.username ?? (loginServices.has(plan.service_type) ? await freeUsername(trx, subscriber.account_number) : null);
    const password = username ? (input.password ?? generatePassword()) : null;
    await checkNetwork(trx, subscriber.id, { ...input, username });
    await repo.insert(trx, {
      id,
      organization_id: org.id,
      subscriber_id: subscriber.id,
      plan_id: plan.id,
      currency,
      status: 'pending',
      quantity: input.quantity,
      discount_id: discount?.id ?? null,
      auto_renew: input.autoRenew,
      starts_at: startsAt,
      username,
      password_enc: password === null ? null : deps.secrets.seal(password),
      mac_address: input.macAddress ?? null,
      static_ipv4: input.staticIpv4 ?? null,
      static_ipv6_prefix: input.staticIpv6Prefix ?? null,
      simultaneous_use: input.simultaneousUse,
      installation_address_id: input.installationAddressId ?? null,
      created_at: now,
      updated_at: now,
    });
    await mirrorSubscriptions(trx, deps.secrets, [id]);
    await recordStaticIpv4(trx, { id, organizationId: org.id, staticIpv4: input.staticIpv4 ?? null });
    const by = performerOf(actor);
    const row = (await repo.lockByIds(trx, [id]))[0]!;
    await recordEvent(trx, deps.clock, by, row, { kind: 'created', to: 'pending', details: { startsAt: startsAt.toISOString() }, after: await detail(trx, actor, id) });
    await refreshSubscriberSearch(trx, subscriber.id);
    if (startsAt <= now) await billNow(trx, deps.clock, await activate(trx, deps.clock, by, [row]));
    return { created: await detail(trx, actor, id), password };
  });
  return { ...created, password };
}

export async function updateSubscription(deps: Deps, actor: Actor, id: string, input: UpdateSubscriptionInput) {
  requirePermission(actor, 'subscriptions.update');
  return deps.db.transaction().execute(async (trx) => {
    const current = await lockOrThrow(trx, actor, id);
    if (current.status === 'terminated') throw new ConflictError('The subscription is terminated and can no longer be changed');
    const before = mapSubscription(current);
    const username = input.username === undefined ? current.username : input.username;
    if (input.password && !username) throw new BadRequestError('A password needs a username', [{ field: 'password', message: 'is given without a username' }]);
    await checkNetwork(trx, current.subscriber_id, { ...input, username: input.username }, id);
    // A new login keeps the old password unless one is given; a login without one gets a fresh one.
    const password = username === null ? null : (input.password ?? (current.password_enc ? undefined : generatePassword()));
    await repo.update(trx, [id], {
      username,
      password_enc: password === null ? null : password === undefined ? undefined : deps.secrets.seal(password),
      mac_address: input.macAddress,
      static_ipv4: input.staticIpv4,
      static_ipv6_prefix: input.staticIpv6Prefix,
      simultaneous_use: input.simultaneousUse,
      installation_address_id: input.installationAddressId,
      auto_renew: input.autoRenew,
      updated_at: deps.clock.now(),
    });
    if (password !== undefined) await mirrorSubscriptions(trx, deps.secrets, [id]);
    if (input.staticIpv4 !== undefined) await recordStaticIpv4(trx, { id, organizationId: current.organization_id, staticIpv4: input.staticIpv4 });
    const after = await detail(trx, actor, id);
    await refreshSubscriberSearch(trx, current.subscriber_id);
    await recordEvent(trx, deps.clock, performerOf(actor), current, { kind: 'updated', details: { passwordChanged: password !== undefined && password !== null }, before, after });
    return after;
  });
}

/** Removes a subscription that never started and was never billed; anything else is terminated instead. */
export async function deleteSubscription(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'subscriptions.delete');
  await deps.db.transaction().execute(async (trx) => {
    const current = await lockOrThrow(trx, actor, id);
    if (current.status !== 'pending' || (await repo.hasInvoiceLines(trx, id)))
      throw new ConflictError(`The subscription is ${current.status}: only one that never started can be deleted; terminate it instead`);
    const before = mapSubscription(current);
    await repo.remove(trx, id);
    await refreshSubscriberSearch(trx, current.subscriber_id);
    const org = await orgRepo.findById(trx, current.organization_id);
    await appendAudit(trx, deps.clock, actor.audit, { action: 'subscription.delete', organizationId: current.organization_id, organizationPath: org?.path ?? null, objectType: 'subscription', objectId: id, before });
  });
}

/** The clear login, for staff who set up a router; every reading is in the history and the audit log. */
export async function revealCredentials(deps: Deps, actor: Actor, id: string, reason: string) {
  requirePermission(actor, 'subscriptions.update');
  return deps.db.transaction().execute(async (trx) => {
    const current = await lockOrThrow(trx, actor, id);
    if (!current.username || !current.password_enc) throw new ConflictError('The subscription has no login');
    await recordEvent(trx, deps.clock, performerOf(actor), current, { kind: 'credentials_revealed', reason, details: { username: current.username } });
    return { username: current.username, password: deps.secrets.open(current.password_enc) };
  });
}
