import type { Kysely, Transaction } from 'kysely';
import type { DB, Organization } from '../../platform/db/schema.ts';
import { orgInScope, type Scope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** The organization a catalog change is made for, when the scope may change it. */
export function organizationInScope(db: Db, scope: Scope, id: string): Promise<Organization | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).where(orgInScope(scope)).executeTakeFirst();
}

export function organizationById(db: Db, id: string): Promise<Organization | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}
