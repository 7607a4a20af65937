import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../platform/errors.ts';
import * as repo from './roles.repo.ts';
import { assertCanGrant } from './roles.policy.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

export const roleSchema = z
  .object({ key: z.string(), name: z.string(), description: z.string(), builtin: z.boolean(), permissions: z.array(z.string()) })
  .meta({ id: 'Role' });
export const permissionSchema = z.object({ key: z.string(), description: z.string() }).meta({ id: 'Permission' });

const roleFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(500),
  permissions: z.array(z.string().max(80)).max(500),
};
export const createRoleSchema = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be 2-40 lower-case letters, digits or _ starting with a letter'),
    ...roleFields,
    description: roleFields.description.default(''),
  })
  .meta({ id: 'CreateRole' });
// No defaults here: a field left out of an update stays as it is.
export const updateRoleSchema = z.object(roleFields).partial().meta({ id: 'UpdateRole' });

type RoleOut = z.infer<typeof roleSchema>;

function mapRole(r: { key: string; name: string; description: string; builtin: boolean; permissions: string[] }): RoleOut {
  return { key: r.key, name: r.name, description: r.description, builtin: r.builtin, permissions: r.permissions };
}

async function checkPermissionKeys(db: Deps['db'], keys: string[]): Promise<string[]> {
  const known = new Set((await repo.allPermissionKeys(db)).map((p) => p.key));
  const unknown = keys.filter((k) => !known.has(k));
  if (unknown.length) throw new BadRequestError(`Unknown permission(s): ${unknown.join(', ')}`, [{ field: 'permissions', message: 'contains unknown permissions' }]);
  return [...new Set(keys)].sort();
}

export async function listRoles(deps: Deps, actor: Actor): Promise<RoleOut[]> {
  requirePermission(actor, 'roles.read');
  return (await repo.listRolesWithPermissions(deps.db)).map(mapRole);
}

export async function getRole(deps: Deps, actor: Actor, key: string): Promise<RoleOut> {
  requirePermission(actor, 'roles.read');
  const role = (await repo.listRolesWithPermissions(deps.db)).find((r) => r.key === key);
  if (!role) throw new NotFoundError('Role');
  return mapRole(role);
}

export async function listPermissions(deps: Deps, actor: Actor) {
  requirePermission(actor, 'roles.read');
  return repo.allPermissionKeys(deps.db);
}

function rootActor(actor: Actor) {
  return { organizationId: actor.principal.home.orgId, organizationPath: actor.principal.home.orgPath };
}

export async function createRole(deps: Deps, actor: Actor, input: z.infer<typeof createRoleSchema>): Promise<RoleOut> {
  requirePermission(actor, 'roles.create');
  const permissions = await checkPermissionKeys(deps.db, input.permissions);
  assertCanGrant(actor, permissions, 'create this role');
  return deps.db.transaction().execute(async (trx) => {
    if (await repo.findRole(trx, input.key)) throw new ConflictError('A role with this key exists', [{ field: 'key', message: 'is taken' }]);
    await trx.insertInto('roles').values({ key: input.key, name: input.name, description: input.description, builtin: false }).execute();
    await repo.setPermissions(trx, input.key, permissions);
    const after = { key: input.key, name: input.name, description: input.description, builtin: false, permissions };
    await appendAudit(trx, deps.clock, actor.audit, { action: 'role.create', ...rootActor(actor), objectType: 'role', objectId: input.key, after });
    return after;
  });
}

export async function updateRole(deps: Deps, actor: Actor, key: string, input: z.infer<typeof updateRoleSchema>): Promise<RoleOut> {
  requirePermission(actor, 'roles.update');
  return deps.db.transaction().execute(async (trx) => {
    const before = (await repo.listRolesWithPermissions(trx)).find((r) => r.key === key);
    if (!before) throw new NotFoundError('Role');
    if (key === actor.principal.roleKey && input.permissions) throw new ConflictError('You cannot change the permissions of your own role');
    assertCanGrant(actor, before.permissions, 'change this role');
    let permissions = before.permissions;
    if (input.permissions) {
      permissions = await checkPermissionKeys(trx, input.permissions);
      assertCanGrant(actor, permissions, 'grant these permissions');
      await repo.setPermissions(trx, key, permissions);
    }
    if (input.name !== undefined || input.description !== undefined)
      await trx.updateTable('roles').set({ name: input.name, description: input.description }).where('key', '=', key).execute();
    const after = { ...mapRole(before), name: input.name ?? before.name, description: input.description ?? before.description, permissions };
    await appendAudit(trx, deps.clock, actor.audit, { action: 'role.update', ...rootActor(actor), objectType: 'role', objectId: key, before: mapRole(before), after });
    return after;
  });
}

export async function deleteRole(deps: Deps, actor: Actor, key: string): Promise<void> {
  requirePermission(actor, 'roles.delete');
  await deps.db.transaction().execute(async (trx) => {
    const role = (await repo.listRolesWithPermissions(trx)).find((r) => r.key === key);
    if (!role) throw new NotFoundError('Role');
    if (role.builtin) throw new ConflictError('Built-in roles cannot be deleted; change their permissions instead');
    assertCanGrant(actor, role.permissions, 'delete this role');
    const n = await repo.usersWithRole(trx, key);
    if (n > 0) throw new ConflictError(`${n} user(s) still have this role; give them another role first`);
    await trx.deleteFrom('roles').where('key', '=', key).execute();
    await appendAudit(trx, deps.clock, actor.audit, { action: 'role.delete', ...rootActor(actor), objectType: 'role', objectId: key, before: mapRole(role) });
  });
}
