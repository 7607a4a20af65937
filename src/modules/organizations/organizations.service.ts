import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../platform/errors.ts';
import { everyPage, page, toCsv } from '../../platform/http/list.ts';
import { canHoldChild, childPath, allowedChildKinds } from '../../core/organizations.ts';
import * as repo from './organizations.repo.ts';
import {
  mapOrganization,
  type CreateOrganizationInput,
  type OrganizationListQuery,
  type UpdateOrganizationInput,
} from './organizations.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

async function organizationPage(deps: Deps, actor: Actor, query: OrganizationListQuery) {
  const rows = await repo.list(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.organizationSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map(mapOrganization), nextCursor: p.nextCursor };
}

export async function listOrganizations(deps: Deps, actor: Actor, query: OrganizationListQuery) {
  requirePermission(actor, 'organizations.read');
  return organizationPage(deps, actor, query);
}

export async function exportOrganizations(deps: Deps, actor: Actor, query: Omit<OrganizationListQuery, 'cursor' | 'limit'>): Promise<string> {
  requirePermission(actor, 'organizations.export');
  const rows = await everyPage(query, (q: OrganizationListQuery) => organizationPage(deps, actor, q));
  const columns = ['id', 'parentId', 'kind', 'name', 'status', 'currency', 'timezone', 'locale', 'contactEmail', 'contactPhone', 'address', 'taxId', 'createdAt'];
  return toCsv(columns, rows);
}

export async function getOrganization(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'organizations.read');
  const org = await repo.findInScope(deps.db, actor.principal.scope, id);
  if (!org) throw new NotFoundError('Organization');
  return mapOrganization(org);
}

export async function createOrganization(deps: Deps, actor: Actor, input: CreateOrganizationInput) {
  requirePermission(actor, 'organizations.create');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const parent = await repo.findInScope(trx, scope, input.parentId ?? scope.orgId);
    if (!parent) throw new NotFoundError('Parent organization');
    if (!canHoldChild(parent.kind, input.kind)) {
      const allowed = allowedChildKinds[parent.kind];
      throw new BadRequestError(`A ${parent.kind} cannot hold a ${input.kind}`, [
        { field: 'kind', message: allowed.length ? `must be one of ${allowed.join(', ')}` : `a ${parent.kind} holds no organizations` },
      ]);
    }
    const id = randomUUID();
    const org = await repo.insert(trx, {
      id,
      parent_id: parent.id,
      kind: input.kind,
      name: input.name,
      path: childPath(parent.path, id),
      depth: parent.depth + 1,
      currency: input.currency ?? parent.currency,
      timezone: input.timezone ?? parent.timezone,
      locale: input.locale ?? parent.locale,
      contact_email: input.contactEmail ?? null,
      contact_phone: input.contactPhone ?? null,
      address: input.address ?? null,
      tax_id: input.taxId ?? null,
    });
    const after = mapOrganization(org);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'organization.create',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'organization',
      objectId: org.id,
      after,
    });
    return after;
  });
}

export async function updateOrganization(deps: Deps, actor: Actor, id: string, input: UpdateOrganizationInput) {
  requirePermission(actor, 'organizations.update');
  return deps.db.transaction().execute(async (trx) => {
    const current = await repo.findInScope(trx, actor.principal.scope, id);
    if (!current) throw new NotFoundError('Organization');
    if (input.status === 'disabled' && actor.principal.home.orgPath.startsWith(current.path))
      throw new ConflictError('You cannot disable your own organization or one above it');
    const org = await repo.update(
      trx,
      id,
      {
        name: input.name,
        currency: input.currency,
        timezone: input.timezone,
        locale: input.locale,
        status: input.status,
        contact_email: input.contactEmail,
        contact_phone: input.contactPhone,
        address: input.address,
        tax_id: input.taxId,
      },
      deps.clock.now(),
    );
    const before = mapOrganization(current);
    const after = mapOrganization(org);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'organization.update',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'organization',
      objectId: org.id,
      before,
      after,
    });
    return after;
  });
}

export async function deleteOrganization(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'organizations.delete');
  await deps.db.transaction().execute(async (trx) => {
    const current = await repo.findInScope(trx, actor.principal.scope, id);
    if (!current) throw new NotFoundError('Organization');
    if (current.parent_id === null || actor.principal.home.orgPath.startsWith(current.path))
      throw new ConflictError('You cannot delete the ISP itself, your own organization or one above it');
    const d = await repo.dependents(trx, id);
    if (d.children > 0 || d.users > 0)
      throw new ConflictError(
        `The organization still has ${d.children} organization(s) and ${d.users} user(s); move or delete them first, or disable it instead`,
      );
    await repo.remove(trx, id);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'organization.delete',
      organizationId: current.id,
      organizationPath: current.path,
      objectType: 'organization',
      objectId: current.id,
      before: mapOrganization(current),
    });
  });
}
