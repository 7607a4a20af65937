import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { executeRun, runJob, startScheduledRuns } from './billing-runs.service.ts';

export function defineBillingJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: runJob,
    payload: z.object({ runId: z.uuid() }),
    // A run of a million subscriptions takes minutes; a retry picks up what is still due.
    expireInSeconds: 2 * 60 * 60,
    retryLimit: 3,
    handler: async ({ runId }) => {
      const run = await executeRun(ctx, runId, { workers: ctx.database.engine === 'postgres' ? 2 : 1 });
      ctx.logger.info({ runId, invoices: run.invoices_created, subscriptions: run.subscriptions_billed }, 'billing run completed');
    },
  });
  jobs.define({
    name: 'billing.daily',
    payload: z.object({}).passthrough(),
    // Hourly rather than once a day: it bills only what is due, so each organization is billed soon
    // after its periods turn over in its own time zone.
    cron: '15 * * * *',
    handler: async () => {
      const started = await startScheduledRuns(ctx);
      if (started.length > 0) ctx.logger.info({ runs: started.length }, 'scheduled billing runs started');
    },
  });
}
