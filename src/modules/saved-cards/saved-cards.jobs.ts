import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { chargeDueInvoices } from './autopay.ts';

export function defineSavedCardJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'saved-cards.autopay',
    payload: z.object({}).passthrough(),
    // Once a day, in the morning for the ISPs of Africa and South Asia (06:00 UTC); an invoice is charged at most once a calendar day whatever runs.
    cron: '0 6 * * *',
    retryLimit: 0,
    handler: async () => {
      const report = await chargeDueInvoices(ctx);
      if (report.charged || report.errors) ctx.logger.info(report, 'invoices paid automatically by saved card');
    },
  });
}
