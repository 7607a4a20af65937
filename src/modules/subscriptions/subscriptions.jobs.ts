/**
 * The lifecycle job: every minute it applies what has come due, in batches of locked rows (rows
 * another worker holds are skipped, so two workers share the work): scheduled activations,
 * terminations, suspensions and resumptions; postpaid subscriptions whose invoice is overdue go
 * into grace until the due date plus the grace days; grace that runs out while a bill is unpaid
 * becomes a suspension for non-payment. Each step changes what it selects, so a second run finds
 * nothing left to do.
 */
import type { Transaction } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import type { StatusReason } from '../../core/subscription-lifecycle.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, Subscription } from '../../platform/db/schema.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { billingSettingsOf } from '../billing/settings.ts';
import { termsAt } from './billing-terms.ts';
import { activate, billNow, resume, systemPerformer, transition } from './lifecycle.ts';
import * as repo from './subscriptions.repo.ts';

type Trx = Transaction<DB>;
type Deps = Pick<AppContext, 'db' | 'clock' | 'logger'>;

const BATCH = 200;
const by = systemPerformer('subscription lifecycle');

interface Step<T extends { id: string }> {
  readonly name: string;
  /** Due rows, locked; `only` narrows the pick to some ids (when a failed batch is redone one by one). */
  pick(trx: Trx, now: Date, limit: number, exclude: readonly string[], only?: readonly string[]): Promise<T[]>;
  apply(trx: Trx, deps: Deps, rows: T[]): Promise<void>;
}

const scheduled = (kind: repo.DueKind) => (trx: Trx, now: Date, limit: number, exclude: readonly string[], only?: readonly string[]) => repo.lockDue(trx, kind, now, limit, exclude, only);

async function applyScheduled(trx: Trx, deps: Deps, subs: Subscription[], to: 'suspended' | 'terminated', event: string): Promise<void> {
  const reasons = await repo.scheduledReasons(trx, subs.map((s) => s.id), event);
  for (const sub of subs) {
    const r = reasons.get(sub.id);
    await transition(trx, deps.clock, by, sub, { to, kind: to, reason: (r?.reason || 'request') as StatusReason, note: r?.note, details: { scheduled: true } });
  }
}

/** The end of the grace of an invoice due on `dueDate`: the local midnight `graceDays` days after the day it fell overdue. */
function graceEnd(dueDate: string, graceDays: number, timeZone: string): Date {
  return new Date(Temporal.PlainDate.from(dueDate).add({ days: 1 + graceDays }).toZonedDateTime({ timeZone }).epochMilliseconds);
}

const steps: Step<{ id: string }>[] = [
  {
    name: 'activated',
    pick: scheduled('activation'),
    apply: async (trx, deps, subs) => billNow(trx, deps.clock, await activate(trx, deps.clock, by, subs as Subscription[], 'scheduled start')),
  },
  { name: 'terminated', pick: scheduled('termination'), apply: (trx, deps, subs) => applyScheduled(trx, deps, subs as Subscription[], 'terminated', 'termination_scheduled') },
  { name: 'suspended', pick: scheduled('suspension'), apply: (trx, deps, subs) => applyScheduled(trx, deps, subs as Subscription[], 'suspended', 'suspension_scheduled') },
  {
    name: 'resumed',
    pick: scheduled('resumption'),
    apply: async (trx, deps, subs) => billNow(trx, deps.clock, await resume(trx, deps.clock, by, subs as Subscription[], { kind: 'resumed', note: 'scheduled resumption' })),
  },
  {
    name: 'grace',
    async pick(trx, now, limit, exclude, only) {
      const overdue = await repo.overdueActive(trx, now, limit, exclude, only);
      const since = new Map(overdue.map((o) => [o.id, o.due_date]));
      const locked = await repo.lockWithStatus(trx, [...since.keys()], ['active']);
      return locked.map((s) => ({ ...s, overdue_since: since.get(s.id)! }));
    },
    async apply(trx, deps, rows) {
      const now = deps.clock.now();
      for (const sub of rows as (Subscription & { overdue_since: string })[]) {
        const { version, timeZone } = await termsAt(trx, sub.plan_id, sub.organization_id, now);
        const graceDays = version.grace_days > 0 ? version.grace_days : (await billingSettingsOf(trx, sub.organization_id)).graceDays;
        const graceUntil = graceEnd(sub.overdue_since, graceDays, timeZone);
        await transition(trx, deps.clock, by, sub, { to: 'grace', kind: 'grace', reason: 'unpaid', set: { grace_until: graceUntil }, details: { overdueSince: sub.overdue_since, graceDays, graceUntil: graceUntil.toISOString() } });
      }
    },
  },
  {
    name: 'grace_expired',
    pick: scheduled('grace_expiry'),
    async apply(trx, deps, subs) {
      for (const sub of subs as Subscription[]) {
        if ((await repo.unheldUnpaidInvoiceCount(trx, sub.subscriber_id)) > 0) await transition(trx, deps.clock, by, sub, { to: 'suspended', kind: 'suspended', reason: 'unpaid', details: { graceEnded: sub.grace_until?.toISOString() } });
        else await transition(trx, deps.clock, by, sub, { to: 'active', kind: 'unlocked' });
      }
    },
  },
];

/**
 * Runs one step over everything due, a batch per transaction. A batch that fails is redone one row
 * per transaction, so one bad row (a plan the billing cannot price) holds back only itself; it is
 * left for the next run and logged.
 */
async function drain<T extends { id: string }>(deps: Deps, step: Step<T>, failed: Set<string>): Promise<number> {
  let total = 0;
  for (;;) {
    const now = deps.clock.now();
    let batch: string[] = [];
    try {
      const done = await deps.db.transaction().execute(async (trx) => {
        const rows = await step.pick(trx, now, BATCH, [...failed]);
        batch = rows.map((r) => r.id);
        if (rows.length > 0) await step.apply(trx, deps, rows);
        return rows.length;
      });
      total += done;
      if (done < BATCH) return total;
    } catch (err) {
      if (batch.length === 0) throw err;
      for (const id of batch) {
        try {
          total += await deps.db.transaction().execute(async (trx) => {
            const rows = await step.pick(trx, now, 1, [], [id]);
            if (rows.length > 0) await step.apply(trx, deps, rows);
            return rows.length;
          });
        } catch (rowErr) {
          failed.add(id);
          deps.logger.error({ err: rowErr, subscriptionId: id, step: step.name }, 'subscription lifecycle step failed');
        }
      }
    }
  }
}

/** Applies every due change; answers how many subscriptions each step moved. */
export async function applyLifecycle(deps: Deps): Promise<Record<string, number>> {
  const failed = new Set<string>();
  const counts: Record<string, number> = {};
  for (const step of steps) counts[step.name] = await drain(deps, step, failed);
  return counts;
}

export function defineSubscriptionJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'subscriptions.lifecycle',
    payload: z.object({}).passthrough(),
    cron: '* * * * *',
    handler: async () => {
      const counts = await applyLifecycle(ctx);
      if (Object.values(counts).some((n) => n > 0)) ctx.logger.info(counts, 'subscription lifecycle applied');
    },
  });
}
