/** The billing_runs rows: a run's parameters, progress and totals. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { BillingRun, DB } from '../../platform/db/schema.ts';
import { type SortSpec, keyset } from '../../platform/http/list.ts';
import { type Scope, inScope } from '../../platform/tenancy/scope.ts';
import type { BillingRunListQuery } from './billing-runs.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export function insertRun(db: Db, values: { organization_id: string; as_of: Date; dry_run: boolean; started_at: Date; started_by: string | null }): Promise<BillingRun> {
  return db.insertInto('billing_runs').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findRun(db: Db, id: string): Promise<BillingRun | undefined> {
  return db.selectFrom('billing_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockRun(trx: Transaction<DB>, id: string): Promise<BillingRun | undefined> {
  return trx.selectFrom('billing_runs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function findRunInScope(db: Db, scope: Scope, id: string): Promise<BillingRun | undefined> {
  return db.selectFrom('billing_runs').selectAll().where('id', '=', id).where(inScope(scope, 'billing_runs.organization_id')).executeTakeFirst();
}

export function updateRun(db: Db, id: string, values: Partial<Pick<BillingRun, 'status' | 'error' | 'finished_at' | 'subscriptions_billed' | 'invoices_created'>> & { totals?: string }): Promise<BillingRun> {
  return db.updateTable('billing_runs').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export const runSort: SortSpec = { fields: { started_at: 'billing_runs.started_at' }, default: '-started_at', id: 'billing_runs.id' };

export function listRuns(db: Db, scope: Scope, query: BillingRunListQuery): Promise<BillingRun[]> {
  let q = db.selectFrom('billing_runs').selectAll().where(inScope(scope, 'billing_runs.organization_id'));
  if (query.organizationId) q = q.where('organization_id', '=', query.organizationId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.dryRun !== undefined) q = q.where('dry_run', '=', query.dryRun);
  return keyset(q, runSort, query).execute();
}

/**
 * Refreshes the planner's statistics of the tables a run grows. A run may multiply them (the first
 * run after importing a million subscribers opens a million receivables); planned against their
 * old statistics, a lookup of a chunk's accounts would scan them all for every one. Autovacuum
 * does this in time on most servers, but may be off or behind.
 */
export async function refreshStatistics(db: Db): Promise<void> {
  await sql`analyze ledger_accounts, ledger_balances, journal_entries, journal_lines, invoices, invoice_lines, subscriptions`.execute(db);
}
