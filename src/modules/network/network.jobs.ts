import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { checkNasHealth } from './health.ts';

export function defineNetworkJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'network.nas-health',
    payload: z.object({}).passthrough(),
    cron: '* * * * *',
    // A run that outlives its minute is pointless: the next one checks again.
    expireInSeconds: 55,
    retryLimit: 0,
    handler: async () => {
      const report = await checkNasHealth(ctx);
      if (report.wentDown.length || report.cameBack.length) ctx.logger.info(report, 'NAS health changed');
    },
  });
}
