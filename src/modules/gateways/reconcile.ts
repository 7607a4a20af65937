/**
 * Reconciliation of checkout attempts: a pending attempt older than a minute is asked about (STK
 * Query, query payment…) and settled as its callback would have settled it, so a lost callback is
 * credited exactly once either way. One that is still pending after `expireAfterMinutes` expires;
 * money that arrives later still credits it (paid wins over expired).
 */
import type { AppContext } from '../../platform/context.ts';
import { settleByQuery } from './callbacks.service.ts';
import * as repo from './gateways.repo.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets' | 'logger'>;

export interface ReconcileReport {
  checked: number;
  paid: number;
  failed: number;
  expired: number;
  errors: number;
}

export async function reconcileIntents(deps: Deps, opts: { olderThanSeconds?: number; expireAfterMinutes?: number; limit?: number } = {}): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const before = new Date(now.getTime() - (opts.olderThanSeconds ?? 60) * 1000);
  const expireBefore = new Date(now.getTime() - (opts.expireAfterMinutes ?? 30) * 60_000);
  const report: ReconcileReport = { checked: 0, paid: 0, failed: 0, expired: 0, errors: 0 };
  for (const intent of await repo.pendingIntents(deps.db, before, opts.limit ?? 200)) {
    report.checked++;
    try {
      await settleByQuery(deps, intent);
    } catch (err) {
      report.errors++;
      deps.logger.warn({ intentId: intent.id, err: (err as Error).message }, 'could not ask the gateway about an attempt');
    }
    const status = await repo.intentStatus(deps.db, intent.id);
    if (status === 'paid') report.paid++;
    else if (status === 'failed') report.failed++;
    else if (intent.created_at < expireBefore && (await repo.expireIntent(deps.db, intent.id, now))) report.expired++;
  }
  return report;
}
