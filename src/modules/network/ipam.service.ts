/**
 * IPAM: pools of an organization (optionally tied to one NAS), their subnets and reserved ranges,
 * and utilization. Subnets never overlap anywhere: the database's exclusion constraint decides, and
 * its refusal is answered as a 409 naming the overlapped subnet when the caller may see it.
 * Assigning addresses to subscriptions is in ipam-assign.service.ts.
 */
import type { Kysely, Transaction } from 'kysely';
import { contains, formatCidr, parseAddress, parseCidr } from '../../core/ipam.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { page } from '../../platform/http/list.ts';
import { orgInScope, pathInScope, type Scope } from '../../platform/tenancy/scope.ts';
import { formatUsage, sumUsage, usageOf } from './ipam-usage.ts';
import * as repo from './ipam.repo.ts';
import type { CreatePoolInput, CreateReservationInput, CreateSubnetInput, PoolListQuery, PoolOutput, UpdatePoolInput } from './ipam.schemas.ts';
import { findInScope as findNas } from './nas.repo.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;
type Db = Kysely<DB> | Transaction<DB>;

const isExclusionViolation = (err: unknown) => (err as { code?: string }).code === '23P01';

export function mapAssignment(a: repo.AssignmentRow) {
  return {
    id: a.id,
    poolId: a.pool_id,
    subnetId: a.subnet_id,
    address: a.address.replace(/\/(32|128)$/, ''),
    subscriptionId: a.subscription_id,
    username: a.username,
    kind: a.kind,
    note: a.note,
    createdAt: a.created_at.toISOString(),
  };
}

/** Pools with their subnets, reservations and utilization, as the API shows them. */
async function viewPools(db: Db, rows: readonly repo.PoolRow[]) {
  const subnets = await repo.subnetsOf(db, rows.map((r) => r.id));
  const ids = subnets.map((s) => s.id);
  const [reservations, taken] = await Promise.all([repo.reservationsOf(db, ids), repo.takenRangesIn(db, ids)]);
  return rows.map((pool) => {
    const own = subnets
      .filter((s) => s.pool_id === pool.id)
      .map((s) => {
        const res = reservations.filter((r) => r.subnet_id === s.id);
        const usage = usageOf(pool, { cidr: s.cidr, gateway: s.gateway, reservations: res, taken: taken.filter((t) => t.subnet_id === s.id) });
        return { subnet: { id: s.id, cidr: s.cidr, gateway: s.gateway, description: s.description, reservations: res.map((r) => ({ id: r.id, first: r.first, last: r.last, reason: r.reason })), utilization: formatUsage(usage) }, usage };
      });
    const output: PoolOutput = {
      id: pool.id,
      organizationId: pool.organization_id,
      organizationName: pool.organization_name,
      name: pool.name,
      family: pool.family,
      kind: pool.kind,
      prefixLength: pool.prefix_length,
      nasId: pool.nas_id,
      nasName: pool.nas_name,
      description: pool.description,
      subnetCount: own.length,
      utilization: formatUsage(sumUsage(own.map((o) => o.usage))),
      createdAt: pool.created_at.toISOString(),
    };
    return { pool: output, subnets: own.map((o) => o.subnet) };
  });
}

export async function listPools(deps: Deps, actor: Actor, query: PoolListQuery) {
  requirePermission(actor, 'ipam.read');
  const rows = await repo.listPools(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.poolSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: (await viewPools(deps.db, p.items)).map((v) => v.pool), nextCursor: p.nextCursor };
}

async function poolDetail(db: Db, row: repo.PoolRow) {
  const [view] = await viewPools(db, [row]);
  const assignments = await repo.assignmentsOfPool(db, row.id, 1000);
  return { ...view!.pool, subnets: view!.subnets, assignments: assignments.map(mapAssignment) };
}

export async function getPool(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'ipam.read');
  const row = await repo.findPool(deps.db, actor.principal.scope, id);
  if (!row) throw new NotFoundError('IP pool');
  return poolDetail(deps.db, row);
}

async function checkNas(db: Db, scope: Scope, organizationPath: string, nasId: string | null | undefined): Promise<void> {
  if (!nasId) return;
  const nas = await findNas(db, scope, nasId);
  if (!nas || !organizationPath.startsWith(nas.organization_path))
    throw new UnprocessableError('The NAS is not one of this organization or those above it', [{ field: 'nasId', message: 'is not a NAS this pool can belong to' }]);
}

export async function createPool(deps: Deps, actor: Actor, input: CreatePoolInput) {
  requirePermission(actor, 'ipam.create');
  const scope = actor.principal.scope;
  if (input.kind === 'prefix' && (input.family !== 6 || input.prefixLength === undefined))
    throw new BadRequestError('A prefix pool is IPv6 and names the delegated prefix length', [{ field: 'prefixLength', message: 'is required for an IPv6 prefix pool' }]);
  if (input.kind === 'address' && input.prefixLength !== undefined)
    throw new BadRequestError('Only a prefix pool has a delegated prefix length', [{ field: 'prefixLength', message: 'is only for prefix pools' }]);
  return deps.db.transaction().execute(async (trx) => {
    const org = await trx.selectFrom('organizations').selectAll().where('id', '=', input.organizationId ?? scope.orgId).where(orgInScope(scope)).executeTakeFirst();
    if (!org) throw new NotFoundError('Organization');
    await checkNas(trx, scope, org.path, input.nasId);
    if (await repo.poolNameTaken(trx, org.id, input.name)) throw new ConflictError(`There is already a pool named ${input.name}`, [{ field: 'name', message: 'is taken' }]);
    const id = crypto.randomUUID();
    const now = deps.clock.now();
    await repo.insertPool(trx, { id, organization_id: org.id, nas_id: input.nasId, name: input.name, family: input.family, kind: input.kind, prefix_length: input.prefixLength ?? null, description: input.description, created_at: now, updated_at: now });
    const after = await poolDetail(trx, (await repo.findPool(trx, scope, id))!);
    await appendAudit(trx, deps.clock, actor.audit, { action: 'ip_pool.create', organizationId: org.id, organizationPath: org.path, objectType: 'ip_pool', objectId: id, after });
    return after;
  });
}

export async function updatePool(deps: Deps, actor: Actor, id: string, input: UpdatePoolInput) {
  requirePermission(actor, 'ipam.update');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const current = await repo.lockPool(trx, scope, id);
    if (!current) throw new NotFoundError('IP pool');
    await checkNas(trx, scope, current.organization_path, input.nasId);
    if (input.name && (await repo.poolNameTaken(trx, current.organization_id, input.name, id)))
      throw new ConflictError(`There is already a pool named ${input.name}`, [{ field: 'name', message: 'is taken' }]);
    await repo.updatePool(trx, id, { name: input.name, nas_id: input.nasId, description: input.description, updated_at: deps.clock.now() });
    const after = await poolDetail(trx, (await repo.findPool(trx, scope, id))!);
    await appendAudit(trx, deps.clock, actor.audit, { action: 'ip_pool.update', organizationId: current.organization_id, organizationPath: current.organization_path, objectType: 'ip_pool', objectId: id, before: { name: current.name, nasId: current.nas_id, description: current.description }, after });
    return after;
  });
}

/** A pool with addresses in use stays: release them first. Its subnets and reservations go with it. */
export async function deletePool(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'ipam.delete');
  await deps.db.transaction().execute(async (trx) => {
    const current = await repo.lockPool(trx, actor.principal.scope, id);
    if (!current) throw new NotFoundError('IP pool');
    const used = await repo.countAssignments(trx, 'pool_id', id);
    if (used > 0) throw new ConflictError(`The pool ${current.name} has ${used} address(es) assigned: release them first`);
    await repo.deletePool(trx, id);
    await appendAudit(trx, deps.clock, actor.audit, { action: 'ip_pool.delete', organizationId: current.organization_id, organizationPath: current.organization_path, objectType: 'ip_pool', objectId: id, before: { name: current.name } });
  });
}

export async function createSubnet(deps: Deps, actor: Actor, poolId: string, input: CreateSubnetInput) {
  requirePermission(actor, 'ipam.create');
  const scope = actor.principal.scope;
  const cidr = parseCidr(input.cidr);
  if (!cidr) throw new BadRequestError('The subnet is not a network in cidr notation', [{ field: 'cidr', message: 'must be a network such as 100.64.0.0/22 or 2001:db8::/40, with no bits set past the length' }]);
  const gateway = input.gateway === null ? null : parseAddress(input.gateway);
  return deps.db.transaction().execute(async (trx) => {
    const pool = await repo.lockPool(trx, scope, poolId);
    if (!pool) throw new NotFoundError('IP pool');
    const errors = [];
    if (cidr.family !== pool.family) errors.push({ field: 'cidr', message: `must be an IPv${pool.family} network, as the pool is` });
    else if (pool.kind === 'prefix' && cidr.length > pool.prefix_length!) errors.push({ field: 'cidr', message: `must be at most a /${pool.prefix_length}, the prefix length the pool delegates` });
    if (input.gateway !== null && (!gateway || !contains(cidr, { family: gateway.family, base: gateway.value, length: gateway.family === 4 ? 32 : 128 })))
      errors.push({ field: 'gateway', message: 'must be an address inside the subnet' });
    if (errors.length) throw new BadRequestError('The subnet does not fit the pool', errors);
    const text = formatCidr(cidr);
    const overlap = await repo.overlapping(trx, text);
    if (overlap) throw overlapConflict(scope, text, overlap);
    let id: string;
    try {
      id = await repo.insertSubnet(trx, { pool_id: pool.id, organization_id: pool.organization_id, cidr: text, gateway: input.gateway && gateway ? input.gateway : null, description: input.description });
    } catch (err) {
      // Another subnet written since the check above: the constraint still refuses the overlap.
      if (isExclusionViolation(err)) throw new ConflictError(`The subnet ${text} overlaps another subnet`, [{ field: 'cidr', message: 'overlaps another subnet' }]);
      throw err;
    }
    const after = await poolDetail(trx, pool);
    await appendAudit(trx, deps.clock, actor.audit, { action: 'ip_subnet.create', organizationId: pool.organization_id, organizationPath: pool.organization_path, objectType: 'ip_subnet', objectId: id, after: { poolId: pool.id, cidr: text, gateway: input.gateway } });
    return after;
  });
}

function overlapConflict(scope: Scope, cidr: string, other: { cidr: string; pool_name: string; organization_path: string }): ConflictError {
  const which = pathInScope(scope, other.organization_path) ? `the subnet ${other.cidr} of the pool ${other.pool_name}` : "another organization's subnet";
  return new ConflictError(`The subnet ${cidr} overlaps ${which}`, [{ field: 'cidr', message: 'overlaps another subnet' }]);
}

export async function deleteSubnet(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'ipam.delete');
  await deps.db.transaction().execute(async (trx) => {
    const subnet = await repo.findSubnet(trx, actor.principal.scope, id);
    if (!subnet) throw new NotFoundError('Subnet');
    await repo.lockPool(trx, actor.principal.scope, subnet.pool_id);
    const used = await repo.countAssignments(trx, 'subnet_id', id);
    if (used > 0) throw new ConflictError(`The subnet ${subnet.cidr} has ${used} address(es) assigned: release them first`);
    await repo.deleteSubnet(trx, id);
    await appendAudit(trx, deps.clock, actor.audit, { action: 'ip_subnet.delete', organizationId: subnet.organization_id, organizationPath: subnet.organization_path, objectType: 'ip_subnet', objectId: id, before: { poolId: subnet.pool_id, cidr: subnet.cidr } });
  });
}

/** Keeps a range (infrastructure, a gateway pair) out of allocation; addresses already handed out stay. */
export async function createReservation(deps: Deps, actor: Actor, subnetId: string, input: CreateReservationInput) {
  requirePermission(actor, 'ipam.update');
  const first = parseAddress(input.first);
  const last = parseAddress(input.last ?? input.first);
  return deps.db.transaction().execute(async (trx) => {
    const subnet = await repo.findSubnet(trx, actor.principal.scope, subnetId);
    if (!subnet) throw new NotFoundError('Subnet');
    const cidr = parseCidr(subnet.cidr)!;
    const inside = (a: typeof first) => a !== null && a.family === cidr.family && contains(cidr, { family: a.family, base: a.value, length: a.family === 4 ? 32 : 128 });
    const errors = [];
    if (!inside(first)) errors.push({ field: 'first', message: `must be an address inside ${subnet.cidr}` });
    if (!inside(last)) errors.push({ field: 'last', message: `must be an address inside ${subnet.cidr}` });
    else if (first && last && last.value < first.value) errors.push({ field: 'last', message: 'must not come before first' });
    if (errors.length) throw new BadRequestError('The reserved range is not valid', errors);
    const id = await repo.insertReservation(trx, { subnet_id: subnetId, first_address: input.first, last_address: input.last ?? input.first, reason: input.reason });
    await appendAudit(trx, deps.clock, actor.audit, { action: 'ip_reservation.create', organizationId: subnet.organization_id, organizationPath: subnet.organization_path, objectType: 'ip_reservation', objectId: id, after: { subnetId, first: input.first, last: input.last ?? input.first, reason: input.reason } });
    return poolDetail(trx, (await repo.findPool(trx, actor.principal.scope, subnet.pool_id))!);
  });
}

export async function deleteReservation(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'ipam.update');
  await deps.db.transaction().execute(async (trx) => {
    const found = await repo.findReservation(trx, actor.principal.scope, id);
    if (!found) throw new NotFoundError('Reservation');
    await repo.deleteReservation(trx, id);
    await appendAudit(trx, deps.clock, actor.audit, { action: 'ip_reservation.delete', organizationId: found.organization_id, organizationPath: found.organization_path, objectType: 'ip_reservation', objectId: id });
  });
}

export { poolDetail };
