/**
 * The overdue job: invoices past their due date become overdue, and a subscriber with a penalty
 * class is charged one late-payment penalty per overdue invoice, as a penalty invoice issued
 * through the invoice engine. Running it again changes nothing: an invoice is marked overdue once,
 * `invoices.penalized` records that its penalty was charged, and the unique index on
 * invoice_lines.penalty_for_invoice_id refuses a second penalty line even if the flag were lost.
 */
import { z } from 'zod';
import { lateFee } from '../../core/late-fees.ts';
import { type Money, type RoundingRule, formatMoney, money, zeroMoney } from '../../core/money.ts';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.ts';
import type { AppContext } from '../../platform/context.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { createInvoice, outstanding } from '../invoices/invoice-engine.ts';
import * as repo from './penalties.repo.ts';
import { ruleOf } from './penalties.service.ts';
import { billingSettingsOf } from './settings.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

const system: AuditActor = { type: 'system', id: null, label: 'overdue invoices', requestId: null, ip: null };
const BATCH = 500;

/**
 * The penalty for one overdue invoice. What is still owed on an ordinary invoice is overdue
 * charges; what is owed on a penalty invoice is overdue penalties, which count only when the class
 * penalises penalties. Each invoice is penalised on its own, so a penalty is never counted twice.
 */
export function penaltyFor(c: repo.PenaltyCandidate, rounding: RoundingRule): Money {
  const owed = money(outstanding(c), c.currency);
  const none = zeroMoney(c.currency);
  const isPenalty = c.source === 'penalty';
  return lateFee(ruleOf(c), { charges: isPenalty ? none : owed, penalties: isPenalty ? owed : none }, rounding);
}

/** Marks every open or partly paid invoice whose due date has passed; answers how many. */
export async function markOverdueInvoices(deps: Deps): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await deps.db.transaction().execute(async (trx) => {
      const marked = await repo.markOverdue(trx, deps.clock.now(), BATCH);
      for (const i of marked)
        await appendAudit(trx, deps.clock, system, {
          action: 'invoice.overdue',
          organizationId: i.organization_id,
          organizationPath: i.path,
          objectType: 'invoice',
          objectId: i.id,
          before: { status: i.before },
          after: { status: 'overdue', number: i.number, dueDate: i.due_date },
        });
      return marked.length;
    });
    total += done;
    if (done < BATCH) return total;
  }
}

/** Charges the penalty of one locked candidate; answers the penalty invoice's id (null when nothing was charged). */
async function penalise(trx: Parameters<typeof createInvoice>[0], deps: Deps, c: repo.PenaltyCandidate): Promise<string | null> {
  const now = deps.clock.now();
  let penaltyInvoiceId: string | null = null;
  let fee = zeroMoney(c.currency);
  // A penalty line written for this invoice another way (the flag is the fast path, the line the truth).
  if (!(await repo.penaltyLineFor(trx, c.id))) {
    const settings = await billingSettingsOf(trx, c.organization_id);
    fee = penaltyFor(c, settings.rounding(c.currency));
    if (fee.minor > 0n) {
      const amount = formatMoney(fee);
      const invoice = await createInvoice(trx, deps.clock, {
        organizationId: c.organization_id,
        subscriberId: c.subscriber_id,
        currency: c.currency,
        source: 'penalty',
        memo: `Late payment penalty on invoice ${c.number ?? c.id}`,
        mode: 'issue',
        lines: [
          {
            kind: 'penalty',
            serviceType: 'penalty',
            descriptionKey: 'invoiceLine.penalty',
            details: { invoice: c.number ?? c.id, dueDate: c.due_date, penaltyClass: c.class_name, ...(c.percent ? { percent: c.percent } : {}) },
            quantity: '1',
            unitPrice: amount,
            amount: fee.minor,
            net: fee.minor,
            taxes: [],
            gross: fee.minor,
            penaltyForInvoiceId: c.id,
          },
        ],
      });
      penaltyInvoiceId = invoice.id;
    }
  }
  await repo.markPenalized(trx, c.id, now);
  await appendAudit(trx, deps.clock, system, {
    action: 'invoice.penalty',
    organizationId: c.organization_id,
    organizationPath: c.organization_path,
    objectType: 'invoice',
    objectId: c.id,
    after: { penaltyInvoiceId, amount: formatMoney(fee), currency: c.currency, penaltyClassId: c.class_id },
  });
  return penaltyInvoiceId;
}

/**
 * Charges every penalty that is due, one invoice per transaction so one failure holds back only
 * its own invoice (retried on the next run); answers the penalty invoices created.
 */
export async function chargeLatePenalties(deps: Deps & Partial<Pick<AppContext, 'logger'>>): Promise<number> {
  let created = 0;
  let after: string | null = null;
  for (;;) {
    const ids = await repo.penaltyCandidateIds(deps.db, deps.clock.now(), after, BATCH);
    for (const id of ids) {
      try {
        const charged = await deps.db.transaction().execute(async (trx) => {
          const candidate = await repo.lockPenaltyCandidate(trx, deps.clock.now(), id);
          return candidate ? penalise(trx, deps, candidate) : null;
        });
        if (charged) created++;
      } catch (err) {
        deps.logger?.error({ err, invoiceId: id }, 'late-payment penalty failed');
      }
    }
    if (ids.length < BATCH) return created;
    after = ids[ids.length - 1]!;
  }
}

export async function runOverdue(deps: Deps & Partial<Pick<AppContext, 'logger'>>): Promise<{ overdue: number; penalties: number }> {
  const overdue = await markOverdueInvoices(deps);
  const penalties = await chargeLatePenalties(deps);
  return { overdue, penalties };
}

export function definePenaltyJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'billing.overdue',
    payload: z.object({}).passthrough(),
    // Hourly, so an invoice turns overdue soon after midnight wherever its organization is.
    cron: '7 * * * *',
    handler: async () => {
      const done = await runOverdue(ctx);
      if (done.overdue > 0 || done.penalties > 0) ctx.logger.info(done, 'overdue invoices marked and penalties charged');
    },
  });
}
