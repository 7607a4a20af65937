import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';

/** Deletes what has outlived its use: idempotency records (24 h), ended sessions and spent tokens (30 days). */
export async function housekeeping(deps: Pick<AppContext, 'db' | 'clock'>): Promise<{ idempotency: number; sessions: number; tokens: number }> {
  const now = deps.clock.now().getTime();
  const day = 86_400_000;
  const idem = await deps.db.deleteFrom('idempotency_keys').where('created_at', '<', new Date(now - day)).executeTakeFirst();
  const sessions = await deps.db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('ended_at', '<', new Date(now - 30 * day)), eb('expires_at', '<', new Date(now - 30 * day))]))
    .executeTakeFirst();
  const tokens = await deps.db.deleteFrom('user_tokens').where('expires_at', '<', new Date(now - 30 * day)).executeTakeFirst();
  return { idempotency: Number(idem.numDeletedRows), sessions: Number(sessions.numDeletedRows), tokens: Number(tokens.numDeletedRows) };
}

export function defineSystemJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'system.housekeeping',
    payload: z.object({}).passthrough(),
    cron: '17 * * * *',
    handler: async () => {
      const removed = await housekeeping(ctx);
      ctx.logger.info({ removed }, 'housekeeping done');
    },
  });
}
