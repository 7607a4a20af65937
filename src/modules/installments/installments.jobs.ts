import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { refreshPlans } from './installments.service.ts';

export function defineInstallmentJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'installments.check',
    payload: z.object({}).passthrough(),
    // Hourly, like the overdue job, so a plan breaks soon after midnight wherever its organization is.
    cron: '17 * * * *',
    handler: async () => {
      const done = await refreshPlans(ctx);
      if (done.completed > 0 || done.broken > 0) ctx.logger.info(done, 'installment plans completed or broken');
    },
  });
}
