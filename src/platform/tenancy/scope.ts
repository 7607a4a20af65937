import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * The organization subtree a request may see and change. Every query on a tenant-owned table goes
 * through `inScope` (rows with organization_id) or `orgInScope` (the organizations table itself);
 * rows outside answer as if they did not exist (404).
 */
export interface Scope {
  orgId: string;
  /** Materialized path of the scope's root organization: '/<root id>/<child id>/'. */
  orgPath: string;
}

const pathPattern = /^(\/[0-9a-f-]{36})+\/$/;

export function subtreePattern(scope: Scope): string {
  if (!pathPattern.test(scope.orgPath)) throw new Error(`invalid organization path: ${scope.orgPath}`);
  return `${scope.orgPath}%`;
}

/** `<column> in (ids of the scope's subtree)` for any table with an organization id column. */
export function inScope<TB extends keyof DB>(
  scope: Scope,
  column: string,
): (eb: ExpressionBuilder<DB, TB>) => Expression<SqlBool> {
  const pattern = subtreePattern(scope);
  return () =>
    sql<SqlBool>`${sql.ref(column)} in (select o.id from organizations o where o.path like ${pattern})`;
}

/** For the organizations table itself: the row's path lies under the scope. */
export function orgInScope(scope: Scope, pathColumn = 'organizations.path') {
  const pattern = subtreePattern(scope);
  return () => sql<SqlBool>`${sql.ref(pathColumn)} like ${pattern}`;
}

export function pathInScope(scope: Scope, path: string | null | undefined): boolean {
  return typeof path === 'string' && path.startsWith(scope.orgPath);
}
