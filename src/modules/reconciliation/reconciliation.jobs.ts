import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import * as repo from './reconciliation.repo.ts';
import { autoMatch, type MatchSummary } from './statement-matching.service.ts';

/**
 * Matches again the open lines of every statement source: a callback that arrived after its
 * statement was imported is matched by its transaction id, and a lost callback of a source that
 * credits automatically is credited, without waiting for staff.
 */
export async function rematchOpenLines(ctx: Pick<AppContext, 'db' | 'clock'>): Promise<{ sources: number; summary: MatchSummary }> {
  const summary: MatchSummary = { byTransactionId: 0, byReference: 0, credited: 0, lostCallbacks: 0, ambiguous: 0, unmatched: 0 };
  const sources = await repo.sourcesWithOpenLines(ctx.db);
  for (const source of sources) {
    const s = await ctx.db.transaction().execute(async (trx) => {
      await repo.lockSource(trx, source.id);
      return autoMatch(trx, ctx.clock, source, null);
    });
    for (const k of Object.keys(summary) as (keyof MatchSummary)[]) summary[k] += s[k];
  }
  return { sources: sources.length, summary };
}

export function defineReconciliationJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'reconciliation.rematch',
    payload: z.object({}).passthrough(),
    cron: '17 * * * *',
    expireInSeconds: 3000,
    retryLimit: 0,
    handler: async () => {
      const { sources, summary } = await rematchOpenLines(ctx);
      if (summary.byTransactionId + summary.byReference + summary.credited > 0) ctx.logger.info({ sources, ...summary }, 'statement lines matched');
    },
  });
}
