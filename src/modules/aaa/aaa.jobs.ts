/**
 * The AAA background work. Cron jobs on the durable queue: the usage roll-up with the fair-usage
 * check (every 5 minutes, idempotent) and the closing of stale sessions. The enforcement sender is
 * a short poll loop in the worker role instead (startEnforcementWorker): a suspension should cut
 * the session within seconds, not at the next minute of a cron schedule.
 */
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { ChangeSender } from '../../radius/contract.ts';
import { closeStaleSessions } from './accounting.repo.ts';
import { sendDueEnforcements } from './enforcement.ts';
import { applyFairUsage } from './fair-usage.ts';
import { rollUpUsage } from './usage-rollup.ts';

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Yesterday to tomorrow in UTC covers today and yesterday in every organization's time zone. */
export async function rollUpRecentUsage(ctx: Pick<AppContext, 'db' | 'clock'>): Promise<{ records: number; flips: number }> {
  const now = ctx.clock.now();
  const records = await rollUpUsage(ctx.db, day(new Date(now.getTime() - 86_400_000)), day(new Date(now.getTime() + 86_400_000)));
  const flips = await applyFairUsage(ctx.db, now);
  return { records, flips };
}

export function defineAaaJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'aaa.usage-rollup',
    payload: z.object({}).passthrough(),
    cron: '*/5 * * * *',
    expireInSeconds: 280,
    retryLimit: 0,
    handler: async () => {
      const r = await rollUpRecentUsage(ctx);
      if (r.records || r.flips) ctx.logger.info(r, 'RADIUS usage rolled up');
    },
  });
  jobs.define({
    name: 'aaa.stale-sessions',
    payload: z.object({}).passthrough(),
    cron: '*/5 * * * *',
    expireInSeconds: 280,
    retryLimit: 0,
    handler: async () => {
      const closed = await closeStaleSessions(ctx.db, ctx.clock.now());
      if (closed) ctx.logger.info({ closed }, 'stale RADIUS sessions closed');
    },
  });
}

/** Sends due CoA/Disconnect requests every `everyMs`; one pass at a time. Returns the stop function. */
export function startEnforcementWorker(ctx: AppContext, sender: ChangeSender, everyMs = 2000): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sendDueEnforcements(ctx, sender)
      .catch((err) => ctx.logger.warn({ err: (err as Error).message }, 'enforcement pass failed'))
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
