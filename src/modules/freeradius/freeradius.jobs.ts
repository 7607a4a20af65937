import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { mirrorNasSecrets } from './mirror.ts';

/** Keeps the NAS secrets FreeRADIUS reads in step with nas_devices while the mirror is on (a no-op when off). */
export function defineFreeradiusJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'freeradius.mirror-nas-secrets',
    payload: z.object({}).passthrough(),
    cron: '* * * * *',
    handler: async () => {
      await mirrorNasSecrets(ctx.db, ctx.secrets);
    },
  });
}
