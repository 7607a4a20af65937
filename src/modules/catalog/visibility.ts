import { sql, type Expression, type SqlBool } from 'kysely';
import { subtreePattern, type Scope } from '../../platform/tenancy/scope.ts';

/**
 * What a scope may read of the catalog: the rows of its own subtree, as everywhere, and the rows of
 * the organizations above it that are handed down (an ISP's master packages, its tax classes).
 * Rows of a sibling are never visible, shared or not. Only the subtree is ever writable (inScope).
 *
 * `inheritedWhen` names the boolean column that marks a row as handed down; without it every row
 * of an organization above is readable.
 */
export function visibleFrom(scope: Scope, orgColumn: string, inheritedWhen?: string): () => Expression<SqlBool> {
  const pattern = subtreePattern(scope);
  const handedDown = inheritedWhen ? sql`${sql.ref(inheritedWhen)} and ` : sql``;
  return () =>
    sql<SqlBool>`(${sql.ref(orgColumn)} in (select o.id from organizations o where o.path like ${pattern})
      or (${handedDown}${sql.ref(orgColumn)} in (select o.id from organizations o where ${scope.orgPath} like o.path || '%')))`;
}

/** The scope of one organization, for checks made from its point of view (a bundle's items, a discount's plans). */
export function scopeOf(org: { id: string; path: string }): Scope {
  return { orgId: org.id, orgPath: org.path };
}
