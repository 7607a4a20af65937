import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export async function permissionsOf(db: Db, roleKey: string): Promise<string[]> {
  const rows = await db.selectFrom('role_permissions').select('permission_key').where('role_key', '=', roleKey).execute();
  return rows.map((r) => r.permission_key).sort();
}

export function findRole(db: Db, key: string) {
  return db.selectFrom('roles').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function listRolesWithPermissions(db: Db) {
  const [roles, grants] = await Promise.all([
    db.selectFrom('roles').selectAll().orderBy('builtin', 'desc').orderBy('created_at').orderBy('key').execute(),
    db.selectFrom('role_permissions').selectAll().execute(),
  ]);
  return roles.map((r) => ({
    ...r,
    permissions: grants.filter((g) => g.role_key === r.key).map((g) => g.permission_key).sort(),
  }));
}

export async function setPermissions(db: Db, roleKey: string, permissions: string[]): Promise<void> {
  await db.deleteFrom('role_permissions').where('role_key', '=', roleKey).execute();
  if (permissions.length)
    await db
      .insertInto('role_permissions')
      .values(permissions.map((p) => ({ role_key: roleKey, permission_key: p })))
      .execute();
}

export async function usersWithRole(db: Db, roleKey: string): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<bigint>().as('n'))
    .where('role_key', '=', roleKey)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function allPermissionKeys(db: Db) {
  return db.selectFrom('permissions').selectAll().orderBy('key').execute();
}
