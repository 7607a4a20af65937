/**
 * Addresses handed to subscriptions. An IPv4 address pool's address becomes the subscription's
 * static IPv4 and an IPv6 prefix pool's prefix its delegated prefix, which is what RADIUS answers
 * (Framed-IP-Address, Delegated-IPv6-Prefix); the assignment row is what makes it unique (an
 * exclusion constraint: no two assignments overlap). Allocation locks the pool row first, so
 * concurrent allocations from one pool queue and never compute the same next free address.
 */
import { bitsOf, contains, formatAddress, parseAddress, parseCidr, type Cidr } from '../../core/ipam.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import * as subscriptions from '../subscriptions/subscriptions.repo.ts';
import { reservedIntervals, usableRange } from './ipam-usage.ts';
import * as repo from './ipam.repo.ts';
import type { AssignInput } from './ipam.schemas.ts';
import { mapAssignment } from './ipam.service.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;
type Trx = Transaction<DB>;

const isExclusionViolation = (err: unknown) => (err as { code?: string }).code === '23P01';

/** The subscription column an assignment from this pool fills, if any (IPv6 address pools have none yet). */
function columnOf(pool: repo.PoolRow): 'static_ipv4' | 'static_ipv6_prefix' | null {
  if (pool.family === 4) return 'static_ipv4';
  return pool.kind === 'prefix' ? 'static_ipv6_prefix' : null;
}

/** The subnet of the pool that holds a chosen address or prefix, checked against the pool's shape and reservations. */
async function chosenSlot(trx: Trx, pool: repo.PoolRow, subnets: repo.SubnetRow[], text: string): Promise<{ subnet: repo.SubnetRow; cidr: string }> {
  const wanted: Cidr | null = pool.kind === 'prefix' ? parseCidr(text) : (() => {
    const a = parseAddress(text);
    return a && { family: a.family, base: a.value, length: a.family === 4 ? 32 : 128 };
  })();
  const shape = pool.kind === 'prefix' ? `a /${pool.prefix_length} prefix` : `an IPv${pool.family} address`;
  if (!wanted || wanted.family !== pool.family || (pool.kind === 'prefix' && wanted.length !== pool.prefix_length))
    throw new UnprocessableError(`The pool ${pool.name} hands out ${shape}`, [{ field: 'address', message: `must be ${shape}` }]);
  const subnet = subnets.find((s) => contains(parseCidr(s.cidr)!, wanted));
  if (!subnet) throw new UnprocessableError(`${text} is not in a subnet of the pool ${pool.name}`, [{ field: 'address', message: 'is outside the pool' }]);
  const range = usableRange(pool, parseCidr(subnet.cidr)!);
  const last = wanted.base + (1n << BigInt((pool.family === 4 ? 32 : 128) - wanted.length)) - 1n;
  if (wanted.base < range.first || last > range.last) throw new UnprocessableError(`${text} is the subnet's network or broadcast address`, [{ field: 'address', message: 'cannot be given to a host' }]);
  const reservations = await repo.reservationsOf(trx, [subnet.id]);
  if (reservedIntervals({ gateway: subnet.gateway, reservations }).some((r) => r.first <= last && wanted.base <= r.last))
    throw new ConflictError(`${text} is reserved in the pool ${pool.name}`, [{ field: 'address', message: 'is reserved' }]);
  return { subnet, cidr: `${text.split('/')[0]}/${wanted.length}` };
}

/** The next free slot over the pool's subnets in order, each searched by the database; 409 when all are full. */
async function nextSlot(trx: Trx, pool: repo.PoolRow, subnets: repo.SubnetRow[]): Promise<{ subnet: repo.SubnetRow; cidr: string }> {
  for (const subnet of subnets) {
    const cidr = parseCidr(subnet.cidr)!;
    const range = usableRange(pool, cidr);
    if (range.first > range.last) continue;
    const slotLength = pool.kind === 'prefix' ? pool.prefix_length! : bitsOf(cidr.family);
    const found = await repo.firstFreeSlot(trx, {
      subnetId: subnet.id,
      cidr: subnet.cidr,
      family: cidr.family,
      first: formatAddress(cidr.family, range.first),
      last: formatAddress(cidr.family, range.last),
      slotLength,
    });
    if (found) return { subnet, cidr: found };
  }
  throw new ConflictError(`The pool ${pool.name} has no free ${pool.kind === 'prefix' ? 'prefix' : 'address'} left`);
}

export async function assignAddress(deps: Deps, actor: Actor, poolId: string, input: AssignInput) {
  requirePermission(actor, 'ipam.create');
  requirePermission(actor, 'subscriptions.update');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const pool = await repo.lockPool(trx, scope, poolId);
    if (!pool) throw new NotFoundError('IP pool');
    const sub = await subscriptions.lockInScope(trx, scope, input.subscriptionId);
    if (!sub) throw new NotFoundError('Subscription');
    const subOrg = await trx.selectFrom('organizations').select('path').where('id', '=', sub.organization_id).executeTakeFirstOrThrow();
    if (!subOrg.path.startsWith(pool.organization_path))
      throw new UnprocessableError(`The pool ${pool.name} is not one the subscription's organization may use`, [{ field: 'subscriptionId', message: 'belongs to an organization outside the pool’s' }]);
    if (sub.status === 'terminated') throw new ConflictError('The subscription is terminated');
    const column = columnOf(pool);
    if (column && sub[column]) throw new ConflictError(`The subscription already has ${sub[column]}: clear or release it first`, [{ field: 'subscriptionId', message: 'already has an address of this kind' }]);
    const subnets = await repo.subnetsOf(trx, [pool.id]);
    const slot = input.address ? await chosenSlot(trx, pool, subnets, input.address) : await nextSlot(trx, pool, subnets);
    const host = slot.cidr.replace(/\/(32|128)$/, '');
    if (column === 'static_ipv4' && (await subscriptions.staticIpTaken(trx, host, sub.id)))
      throw new ConflictError(`The address ${host} is already a static address of another subscription`, [{ field: 'address', message: 'is taken' }]);
    let id: string;
    try {
      id = await repo.insertAssignment(trx, { pool_id: pool.id, subnet_id: slot.subnet.id, organization_id: sub.organization_id, address: slot.cidr, subscription_id: sub.id, kind: input.address ? 'static' : 'allocated', note: input.note });
    } catch (err) {
      if (isExclusionViolation(err)) throw new ConflictError(`${host} is already assigned`, [{ field: 'address', message: 'is taken' }]);
      if ((err as { code?: string }).code === '23505') throw new ConflictError(`The subscription already has an address from the pool ${pool.name}`);
      throw err;
    }
    if (column) await subscriptions.update(trx, [sub.id], { [column]: column === 'static_ipv4' ? host : slot.cidr, updated_at: deps.clock.now() });
    const row = (await repo.findAssignment(trx, scope, id))!;
    await appendAudit(trx, deps.clock, actor.audit, { action: 'ip.assign', organizationId: pool.organization_id, organizationPath: pool.organization_path, objectType: 'ip_assignment', objectId: id, after: mapAssignment(row) });
    return mapAssignment(row);
  });
}

/** Frees an address; the subscription's static address or delegated prefix it filled is cleared too. */
export async function releaseAssignment(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'ipam.delete');
  const scope = actor.principal.scope;
  await deps.db.transaction().execute(async (trx) => {
    const found = await repo.findAssignment(trx, scope, id);
    if (!found) throw new NotFoundError('IP assignment');
    const pool = (await repo.lockPool(trx, scope, found.pool_id))!;
    await repo.deleteAssignment(trx, id);
    const column = columnOf(pool);
    if (found.subscription_id && column) {
      requirePermission(actor, 'subscriptions.update');
      const value = column === 'static_ipv4' ? found.address.replace(/\/32$/, '') : found.address;
      await trx.updateTable('subscriptions').set({ [column]: null, updated_at: deps.clock.now() }).where('id', '=', found.subscription_id).where(column, '=', value).execute();
    }
    await appendAudit(trx, deps.clock, actor.audit, { action: 'ip.release', organizationId: pool.organization_id, organizationPath: pool.organization_path, objectType: 'ip_assignment', objectId: id, before: mapAssignment(found) });
  });
}

/**
 * Called when a subscription is sold or edited with a static IPv4: inside a managed pool of its
 * organization (or one above), the address is recorded as the subscription's assignment, so the
 * pool counts it and never hands it to another; a reserved or taken address is refused (409). An
 * address outside every pool is the operator's own business and is left alone.
 */
export async function recordStaticIpv4(trx: Trx, sub: { id: string; organizationId: string; staticIpv4: string | null }): Promise<void> {
  let stale = trx
    .deleteFrom('ip_assignments')
    .where('subscription_id', '=', sub.id)
    .where('pool_id', 'in', trx.selectFrom('ip_pools').select('id').where('family', '=', 4));
  if (sub.staticIpv4) stale = stale.where('address', '<>', `${sub.staticIpv4}/32`);
  await stale.execute();
  if (!sub.staticIpv4) return;
  const managed = await repo.addressSubnet(trx, sub.staticIpv4);
  const org = await trx.selectFrom('organizations').select('path').where('id', '=', sub.organizationId).executeTakeFirstOrThrow();
  if (!managed || managed.kind !== 'address' || !org.path.startsWith(managed.organization_path)) return;
  const mine = await trx.selectFrom('ip_assignments').select('id').where('subscription_id', '=', sub.id).where('address', '=', `${sub.staticIpv4}/32`).executeTakeFirst();
  if (mine) return;
  const subnet = (await repo.subnetsOf(trx, [managed.pool_id])).find((s) => s.id === managed.subnet_id)!;
  const reservations = await repo.reservationsOf(trx, [subnet.id]);
  const value = parseAddress(sub.staticIpv4)!.value;
  const range = usableRange({ kind: 'address' }, parseCidr(subnet.cidr)!);
  if (value < range.first || value > range.last || reservedIntervals({ gateway: subnet.gateway, reservations }).some((r) => r.first <= value && value <= r.last))
    throw new ConflictError(`The address ${sub.staticIpv4} is reserved in the pool ${managed.pool_name}`, [{ field: 'staticIpv4', message: 'is reserved' }]);
  try {
    await repo.insertAssignment(trx, { pool_id: managed.pool_id, subnet_id: managed.subnet_id, organization_id: sub.organizationId, address: `${sub.staticIpv4}/32`, subscription_id: sub.id, kind: 'static' });
  } catch (err) {
    if (isExclusionViolation(err) || (err as { code?: string }).code === '23505')
      throw new ConflictError(`The address ${sub.staticIpv4} is already assigned in the pool ${managed.pool_name}`, [{ field: 'staticIpv4', message: 'is taken' }]);
    throw err;
  }
}
