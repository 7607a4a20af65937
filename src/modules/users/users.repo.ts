import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB, User, UsersTable, UserUpdate } from '../../platform/db/schema.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';
import type { UserListQuery } from './users.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export const userSort: SortSpec = {
  fields: { name: 'users.name', email: 'users.email', created_at: 'users.created_at' },
  default: 'name',
  id: 'users.id',
};

export function findInScope(db: Db, scope: Scope, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).where(inScope(scope, 'users.organization_id')).executeTakeFirst();
}

export function findByEmail(db: Db, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
}

export function findById(db: Db, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function list(db: Db, scope: Scope, query: UserListQuery): Promise<User[]> {
  let q = db.selectFrom('users').selectAll().where(inScope(scope, 'users.organization_id'));
  if (query.organizationId) q = q.where('organization_id', '=', query.organizationId);
  if (query.role) q = q.where('role_key', '=', query.role);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.q) {
    const like = likeContains(query.q);
    q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('email', 'ilike', like)]));
  }
  return keyset(q, userSort, query).execute();
}

export function insert(db: Db, values: Insertable<UsersTable>): Promise<User> {
  return db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
}

export function update(db: Db, id: string, values: UserUpdate): Promise<User> {
  return db.updateTable('users').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function remove(db: Db, id: string): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute();
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
