import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { reconcileIntents } from './reconcile.ts';

export function defineGatewayJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'gateways.reconcile',
    payload: z.object({}).passthrough(),
    cron: '* * * * *',
    expireInSeconds: 55,
    retryLimit: 0,
    handler: async () => {
      const report = await reconcileIntents(ctx);
      if (report.paid || report.failed || report.expired || report.errors) ctx.logger.info(report, 'payment attempts reconciled');
    },
  });
}
