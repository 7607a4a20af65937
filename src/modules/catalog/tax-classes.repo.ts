import { sql, type Insertable, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { DB, TaxClassesTable, TaxClassRow } from '../../platform/db/schema.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';
import type { TaxClassListQuery } from './tax-classes.schemas.ts';
import { visibleFrom } from './visibility.ts';

type Db = Kysely<DB> | Transaction<DB>;

export type TaxClassWithPath = TaxClassRow & { organization_path: string };

export const taxClassSort: SortSpec = { fields: { name: 'tax_classes.name', code: 'tax_classes.code' }, default: 'name', id: 'tax_classes.id' };

/** Tax classes a scope may read and use: its subtree's and those of every organization above it. */
const readableBy = (scope: Scope) => visibleFrom(scope, 'tax_classes.organization_id');

function withPath(db: Db) {
  return db.selectFrom('tax_classes').innerJoin('organizations', 'organizations.id', 'tax_classes.organization_id').selectAll('tax_classes').select('organizations.path as organization_path');
}

export function list(db: Db, scope: Scope, query: TaxClassListQuery): Promise<TaxClassWithPath[]> {
  let q = withPath(db).where(readableBy(scope));
  if (query.organizationId) q = q.where('tax_classes.organization_id', '=', query.organizationId);
  if (query.q) {
    const pattern = likeContains(query.q);
    q = q.where((eb) => eb.or([eb('tax_classes.name', 'ilike', pattern), eb('tax_classes.code', 'ilike', pattern)]));
  }
  return keyset(q, taxClassSort, query).execute();
}

export function findReadable(db: Db, scope: Scope, id: string): Promise<TaxClassWithPath | undefined> {
  return withPath(db).where('tax_classes.id', '=', id).where(readableBy(scope)).executeTakeFirst();
}

export function findManaged(db: Db, scope: Scope, id: string): Promise<TaxClassWithPath | undefined> {
  return withPath(db).where('tax_classes.id', '=', id).where(inScope(scope, 'tax_classes.organization_id')).executeTakeFirst();
}

export function findById(db: Db, id: string): Promise<TaxClassRow | undefined> {
  return db.selectFrom('tax_classes').selectAll().where('id', '=', id).executeTakeFirst();
}

export function codeTaken(db: Db, organizationId: string, code: string): Promise<boolean> {
  return db
    .selectFrom('tax_classes')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('code', '=', code)
    .executeTakeFirst()
    .then((r) => r !== undefined);
}

export function insert(db: Db, values: Insertable<TaxClassesTable>): Promise<TaxClassRow> {
  return db.insertInto('tax_classes').values(values).returningAll().executeTakeFirstOrThrow();
}

export function update(db: Db, id: string, values: Partial<Insertable<TaxClassesTable>>, now: Date): Promise<TaxClassRow> {
  return db
    .updateTable('tax_classes')
    .set({ ...values, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function remove(db: Db, id: string): Promise<void> {
  await db.deleteFrom('tax_classes').where('id', '=', id).execute();
}

export async function versionsUsing(db: Db, id: string): Promise<number> {
  const r = await db.selectFrom('plan_versions').select((eb) => eb.fn.countAll<bigint>().as('n')).where('tax_class_id', '=', id).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A tax class a plan of this organization may charge: its own or one of an organization above it. */
export function findUsableBy(db: Db, org: { path: string }, id: string): Promise<TaxClassRow | undefined> {
  return db
    .selectFrom('tax_classes')
    .selectAll()
    .where('id', '=', id)
    .where(sql<SqlBool>`organization_id in (select o.id from organizations o where ${org.path} like o.path || '%')`)
    .executeTakeFirst();
}
