import { z } from 'zod';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.ts';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import * as repo from './subscribers.repo.ts';

const system: AuditActor = { type: 'system', id: null, label: 'scheduled suspension', requestId: null, ip: null };
const BATCH = 500;

/** Suspends every active subscriber whose scheduled day has begun in its organization's time zone; answers how many. */
export async function applyScheduledSuspensions(deps: Pick<AppContext, 'db' | 'clock'>): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      const due = await repo.dueSuspensions(trx, now, BATCH);
      await repo.update(trx, due.map((s) => s.id), { status: 'suspended', suspend_on: null, suspend_reason: null, updated_at: now });
      await repo.insertStatusChanges(trx, due.map((s) => ({ subscriber_id: s.id, from_status: 'active', to_status: 'suspended', reason: s.suspend_reason ?? '', at: now, changed_by: null })));
      for (const s of due)
        await appendAudit(trx, deps.clock, system, {
          action: 'subscriber.status',
          organizationId: s.organization_id,
          organizationPath: s.path,
          objectType: 'subscriber',
          objectId: s.id,
          before: { status: 'active', suspendOn: s.suspend_on },
          after: { status: 'suspended', reason: s.suspend_reason },
        });
      return due.length;
    });
    total += done;
    if (done < BATCH) return total;
  }
}

export function defineSubscriberJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'subscribers.scheduled-suspensions',
    payload: z.object({}).passthrough(),
    // Every quarter hour, so a suspension takes effect soon after midnight wherever the organization is.
    cron: '*/15 * * * *',
    handler: async () => {
      const suspended = await applyScheduledSuspensions(ctx);
      if (suspended > 0) ctx.logger.info({ suspended }, 'scheduled suspensions applied');
    },
  });
}
