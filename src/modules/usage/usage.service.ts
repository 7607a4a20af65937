/**
 * Usage records of a subscription: consumption readings entered by staff or imported, until RADIUS
 * accounting feeds them. Usage belongs to its subscription: reading it needs subscriptions.read,
 * recording it subscriptions.update, and a subscription outside the caller's subtree answers 404.
 */
import { compare, parseDecimal } from '../../core/rational.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { UsageRecord } from '../../platform/db/schema.ts';
import { BadRequestError, ConflictError, NotFoundError, UnprocessableError, type FieldError } from '../../platform/errors.ts';
import { page } from '../../platform/http/list.ts';
import * as repo from './usage.repo.ts';
import { type CreateUsageInput, type UsageListQuery, mapUsageRecord } from './usage.schemas.ts';

export type Deps = Pick<AppContext, 'db' | 'clock'>;

async function subscriptionOf(db: Deps['db'], actor: Actor, id: string): Promise<repo.UsageSubscription> {
  const sub = await repo.subscriptionInScope(db, actor.principal.scope, id);
  if (!sub) throw new NotFoundError('Subscription');
  return sub;
}

function checkRange(from: Date | undefined, to: Date | undefined): void {
  if (from && to && from >= to) throw new BadRequestError('The period ends before it starts', [{ field: 'to', message: 'must be after from' }]);
}

/** Why a reading cannot belong to the subscription at that instant; none when it can. */
export function occurrenceErrors(sub: Pick<repo.UsageSubscription, 'starts_at'>, occurredAt: Date, now: Date, field = 'occurredAt'): FieldError[] {
  if (occurredAt > now) return [{ field, message: 'is in the future' }];
  if (occurredAt < sub.starts_at) return [{ field, message: `is before the subscription starts (${sub.starts_at.toISOString()})` }];
  return [];
}

/** A repeated reading is the same reading: same unit, same quantity, same instant. */
export function sameReading(row: Pick<UsageRecord, 'unit' | 'quantity' | 'occurred_at'>, input: { unit: string; quantity: string; occurredAt: Date }): boolean {
  return row.unit === input.unit && compare(parseDecimal(row.quantity), parseDecimal(input.quantity)) === 0 && row.occurred_at.getTime() === input.occurredAt.getTime();
}

function referenceConflict(reference: string): ConflictError {
  return new ConflictError(`Reference ${reference} already holds a different reading of this subscription`, [{ field: 'reference', message: 'is taken by another reading' }]);
}

export async function listUsage(deps: Deps, actor: Actor, subscriptionId: string, query: UsageListQuery) {
  requirePermission(actor, 'subscriptions.read');
  checkRange(query.from, query.to);
  await subscriptionOf(deps.db, actor, subscriptionId);
  const rows = await repo.list(deps.db, subscriptionId, query);
  const p = page(rows, repo.usageSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id.toString());
  return { items: p.items.map(mapUsageRecord), nextCursor: p.nextCursor };
}

export async function usageTotalsOf(deps: Deps, actor: Actor, subscriptionId: string, period: { from: Date; to: Date }) {
  requirePermission(actor, 'subscriptions.read');
  checkRange(period.from, period.to);
  await subscriptionOf(deps.db, actor, subscriptionId);
  const totals = await repo.usageTotals(deps.db, [subscriptionId], period.from, period.to);
  return { subscriptionId, from: period.from.toISOString(), to: period.to.toISOString(), totals: totals.get(subscriptionId) ?? {} };
}

/**
 * Records one reading. A reference already stored with the same reading answers that record
 * (created: false), so a client may send a reading again after a lost answer; the same reference
 * with another reading is a conflict, not a silent overwrite.
 */
export async function recordUsage(deps: Deps, actor: Actor, subscriptionId: string, input: CreateUsageInput) {
  requirePermission(actor, 'subscriptions.update');
  return deps.db.transaction().execute(async (trx) => {
    const sub = await subscriptionOf(trx, actor, subscriptionId);
    if (input.reference) {
      const existing = await repo.findByReference(trx, sub.id, input.reference);
      if (existing) {
        if (!sameReading(existing, input)) throw referenceConflict(input.reference);
        return { record: mapUsageRecord(existing), created: false };
      }
    }
    const errors = occurrenceErrors(sub, input.occurredAt, deps.clock.now());
    if (errors.length) throw new UnprocessableError('The reading cannot belong to this subscription', errors);
    const row = await repo.insertUnlessReferenced(trx, {
      subscription_id: sub.id,
      unit: input.unit,
      quantity: input.quantity,
      occurred_at: input.occurredAt,
      source: 'manual',
      reference: input.reference ?? null,
      created_at: deps.clock.now(),
      created_by: actor.principal.userId,
    });
    if (!row) {
      // Another request stored the same reference between our look and our insert.
      const raced = await repo.findByReference(trx, sub.id, input.reference!);
      if (!raced || !sameReading(raced, input)) throw referenceConflict(input.reference!);
      return { record: mapUsageRecord(raced), created: false };
    }
    const record = mapUsageRecord(row);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'usage.record',
      organizationId: sub.organization_id,
      organizationPath: sub.organization_path,
      objectType: 'subscription',
      objectId: sub.id,
      after: record,
    });
    return { record, created: true };
  });
}
