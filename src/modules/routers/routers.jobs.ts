import { z } from 'zod';
import type { AuditActor } from '../../platform/audit/audit.ts';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { backupNas } from './backups.service.ts';
import * as repo from './routers.repo.ts';

const system: AuditActor = { type: 'system', id: null, label: 'scheduled router backup', requestId: null, ip: null };

/**
 * Backs up every active MikroTik NAS with a management API; one router that fails does not stop
 * the others. Answers how many backups were stored, left unchanged, and failed.
 */
export async function backupAllRouters(deps: Pick<AppContext, 'db' | 'clock' | 'secrets' | 'logger'>) {
  const tally = { stored: 0, unchanged: 0, failed: 0 };
  for (const nas of await repo.managedNas(deps.db)) {
    try {
      const stored = await backupNas(deps, nas, { audit: system, userId: null }, 'schedule', true);
      tally[stored ? 'stored' : 'unchanged']++;
    } catch (err) {
      tally.failed++;
      deps.logger.warn({ nasId: nas.id, err: err instanceof Error ? err.message : String(err) }, 'router backup failed');
    }
  }
  return tally;
}

export function defineRouterJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'routers.nightly-backup',
    payload: z.object({}).passthrough(),
    // Daily, at a quiet hour; each router is one short /export.
    cron: '30 2 * * *',
    handler: async () => {
      const tally = await backupAllRouters(ctx);
      ctx.logger.info(tally, 'router backups done');
    },
  });
}
