/**
 * Billing runs as staff and the scheduler use them: start one (a job does the work), follow its
 * progress, list them. A run walks its organization's due subscriptions chunk by chunk, each chunk
 * in a transaction of its own that also records the run's progress, so a crash loses at most the
 * chunk in flight, and running the run again (the job's retry) bills what is still due.
 */
import { appendAudit, type AuditActor } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { BillingRun } from '../../platform/db/schema.ts';
import { NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { page } from '../../platform/http/list.ts';
import { orgInScope } from '../../platform/tenancy/scope.ts';
import { type BillingFaults, billChunk, defaultChunkSize, isPeriodBilledTwice } from './billing-run.service.ts';
import { merge } from './billing-run.summary.ts';
import * as repo from './billing-run.repo.ts';
import * as runs from './billing-runs.repo.ts';
import { type BillingRunListQuery, type StartBillingRunInput, mapRun, storedSummary, summaryOf } from './billing-runs.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

export const runJob = 'billing.run';

export async function startRun(deps: Deps & Pick<AppContext, 'jobs'>, actor: Actor, input: StartBillingRunInput) {
  requirePermission(actor, 'billing.create');
  const now = deps.clock.now();
  const asOf = input.asOf ? new Date(input.asOf) : now;
  if (asOf > now && !input.dryRun)
    throw new UnprocessableError('A billing run bills what is due by now; a dry run may look ahead', [{ field: 'asOf', message: 'must not be in the future unless dryRun is true' }]);
  return deps.db.transaction().execute(async (trx) => {
    const org = await trx
      .selectFrom('organizations')
      .select(['id', 'path'])
      .where('id', '=', input.organizationId ?? actor.principal.scope.orgId)
      .where(orgInScope(actor.principal.scope))
      .executeTakeFirst();
    if (!org) throw new NotFoundError('Organization');
    const run = await runs.insertRun(trx, { organization_id: org.id, as_of: asOf, dry_run: input.dryRun, started_at: now, started_by: actor.principal.userId });
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'billing.run.start',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'billing_run',
      objectId: run.id,
      after: { asOf, dryRun: input.dryRun },
    });
    await deps.jobs.send(runJob, { runId: run.id }, { trx });
    return mapRun(run);
  });
}

export async function getRun(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'billing.read');
  const run = await runs.findRunInScope(deps.db, actor.principal.scope, id);
  if (!run) throw new NotFoundError('Billing run');
  return mapRun(run);
}

export async function listRuns(deps: Deps, actor: Actor, query: BillingRunListQuery) {
  requirePermission(actor, 'billing.read');
  const rows = await runs.listRuns(deps.db, actor.principal.scope, query);
  const p = page(rows, runs.runSort, query, (r) => r.started_at, (r) => r.id);
  return { items: p.items.map(mapRun), nextCursor: p.nextCursor };
}

export interface ExecuteOptions {
  readonly chunkSize?: number;
  /**
   * Chunks billed at once, each on a connection of its own (chunks are disjoint ranges of
   * subscribers). On a server two keep both the database and this process busy; the embedded database
   * has one connection, and a dry run reads without locks, so they take one.
   */
  readonly workers?: number;
  readonly faults?: BillingFaults;
}

/**
 * Does the run's work: the due subscriptions, split once into chunks of whole subscribers, each
 * billed in a transaction of its own. Safe to repeat and to run beside another run of the same
 * organization: rows another worker holds are skipped, and what is billed is no longer due.
 */
export async function executeRun(deps: Deps, runId: string, opts: ExecuteOptions = {}): Promise<BillingRun> {
  const run = await runs.findRun(deps.db, runId);
  if (!run) throw new NotFoundError('Billing run');
  if (run.status === 'completed') return run;
  if (run.status === 'failed') await runs.updateRun(deps.db, runId, { status: 'running', error: null, finished_at: null });
  const bill = { asOf: run.as_of, organizationId: run.organization_id, runId: run.dry_run ? null : runId, dryRun: run.dry_run, chunkSize: opts.chunkSize, faults: opts.faults };
  const ranges = await repo.subscriberRanges(deps.db, bill, opts.chunkSize ?? defaultChunkSize);
  let taken = 0;
  let done = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (!failure && taken < ranges.length) {
      const chunk = ++taken;
      const attempt = (prefilter: boolean) =>
        deps.db.transaction().execute(async (trx) => {
          const r = await billChunk(trx, deps.clock, { ...bill, prefilter }, ranges[chunk - 1]!, chunk);
          if (r.picked === 0) return;
          const current = (await runs.lockRun(trx, runId))!;
          const total = merge(summaryOf(current.totals), r.summary);
          await runs.updateRun(trx, runId, { subscriptions_billed: total.subscriptions, invoices_created: total.invoices, totals: storedSummary(total) });
        });
      // A period already billed (the unique index refused its line): redo the chunk, leaving such periods out.
      await attempt(false).catch((err: unknown) => (isPeriodBilledTwice(err) ? attempt(true) : Promise.reject(err)));
      // After the first chunk the planner learns what the rows it wrote look like (the tables may have been empty). Later
      // chunks need no more: each replans (discard plans) with the tables' real size in pages, and autovacuum keeps the rest.
      done++;
      if (!run.dry_run && ranges.length > 2 && done === 1) await runs.refreshStatistics(deps.db);
    }
  };
  const workers = run.dry_run ? 1 : Math.max(1, opts.workers ?? 1);
  // A failing worker stops the others after their chunk in flight; the run is then failed and a retry bills what is left.
  await Promise.all(Array.from({ length: workers }, () => worker().catch((error: unknown) => void (failure ??= { error }))));
  if (failure) {
    const error = (failure as { error: unknown }).error;
    await runs.updateRun(deps.db, runId, { status: 'failed', error: String((error as Error)?.message ?? error).slice(0, 2000), finished_at: deps.clock.now() });
    throw error;
  }
  return runs.updateRun(deps.db, runId, { status: 'completed', finished_at: deps.clock.now() });
}

const scheduler: AuditActor = { type: 'system', id: null, label: 'scheduled billing', requestId: null, ip: null };

/** The hourly schedule: a run for every organization with something due, each a job of its own. */
export async function startScheduledRuns(deps: Deps & Pick<AppContext, 'jobs'>): Promise<BillingRun[]> {
  const now = deps.clock.now();
  const started: BillingRun[] = [];
  for (const organizationId of await repo.organizationsWithDue(deps.db, now)) {
    started.push(
      await deps.db.transaction().execute(async (trx) => {
        const run = await runs.insertRun(trx, { organization_id: organizationId, as_of: now, dry_run: false, started_at: now, started_by: null });
        await appendAudit(trx, deps.clock, scheduler, {
          action: 'billing.run.start',
          organizationId,
          organizationPath: await repo.organizationPath(trx, organizationId),
          objectType: 'billing_run',
          objectId: run.id,
          after: { asOf: now, dryRun: false },
        });
        await deps.jobs.send(runJob, { runId: run.id }, { trx });
        return run;
      }),
    );
  }
  return started;
}
