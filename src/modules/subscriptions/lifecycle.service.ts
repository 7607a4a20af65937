/**
 * Staff's lifecycle actions: activate, suspend, resume and terminate now or at a date, cancel
 * what is scheduled, and read the history. A dated change is kept on the row (suspend_at,
 * resume_at, terminate_at) with its reason in the history; the lifecycle job applies it.
 */
import type { Transaction } from 'kysely';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { DB, Subscription } from '../../platform/db/schema.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { activate, billNow, performerOf, recordEvent, resume, transition } from './lifecycle.ts';
import type { ResumeInput, SuspendInput, TerminateInput, scheduledChanges } from './lifecycle.schemas.ts';
import * as repo from './subscriptions.repo.ts';
import { mapEvent } from './subscriptions.schemas.ts';
import { type Deps, detail } from './subscriptions.service.ts';

type Trx = Transaction<DB>;

/** How far in the past "at" may lie and still mean now (the caller's clock runs a little behind). */
const tolerance = 5 * 60_000;

/** The instant asked for: null for now (omitted or just past), a later Date, or a 422 when it lies in the past. */
function scheduledFor(text: string | undefined, now: Date, field = 'at'): Date | null {
  if (!text) return null;
  const at = new Date(text);
  if (at.getTime() < now.getTime() - tolerance) throw new UnprocessableError(`The date lies in the past`, [{ field, message: 'is in the past' }]);
  return at > now ? at : null;
}

function mustBe(sub: Subscription, allowed: readonly string[], doing: string): void {
  if (!allowed.includes(sub.status)) throw new ConflictError(`The subscription is ${sub.status} and cannot ${doing}`, [{ field: 'status', message: `is ${sub.status}` }]);
}

async function withLocked<T>(deps: Deps, actor: Actor, id: string, work: (trx: Trx, sub: Subscription) => Promise<T>) {
  requirePermission(actor, 'subscriptions.update');
  return deps.db.transaction().execute(async (trx) => {
    const sub = await repo.lockInScope(trx, actor.principal.scope, id);
    if (!sub) throw new NotFoundError('Subscription');
    await work(trx, sub);
    return detail(trx, actor, id);
  });
}

export function activateNow(deps: Deps, actor: Actor, id: string, note: string) {
  return withLocked(deps, actor, id, async (trx, sub) => {
    mustBe(sub, ['pending'], 'be activated');
    await billNow(trx, deps.clock, await activate(trx, deps.clock, performerOf(actor), [sub], note));
  });
}

export function suspend(deps: Deps, actor: Actor, id: string, input: SuspendInput) {
  return withLocked(deps, actor, id, async (trx, sub) => {
    const now = deps.clock.now();
    const at = scheduledFor(input.at, now);
    const resumeAt = input.resumeAt ? new Date(input.resumeAt) : null;
    if (resumeAt && resumeAt <= (at ?? now)) throw new UnprocessableError('The resumption must come after the suspension', [{ field: 'resumeAt', message: 'is not after the suspension' }]);
    const by = performerOf(actor);
    if (at) {
      mustBe(sub, ['active', 'grace'], 'be scheduled for suspension');
      await repo.update(trx, [sub.id], { suspend_at: at, resume_at: resumeAt, updated_at: now });
      await recordEvent(trx, deps.clock, by, sub, { kind: 'suspension_scheduled', reason: input.reason, details: { note: input.note, at: at.toISOString(), resumeAt: resumeAt?.toISOString() ?? null } });
      return;
    }
    await transition(trx, deps.clock, by, sub, { to: 'suspended', kind: 'suspended', reason: input.reason, note: input.note, set: { resume_at: resumeAt }, details: { resumeAt: resumeAt?.toISOString() ?? null } });
  });
}

export function resumeSubscription(deps: Deps, actor: Actor, id: string, input: ResumeInput) {
  return withLocked(deps, actor, id, async (trx, sub) => {
    const now = deps.clock.now();
    const at = scheduledFor(input.at, now);
    const by = performerOf(actor);
    if (at) {
      // An active subscription may have its coming suspension's end set in advance.
      if (sub.status !== 'suspended' && !(sub.suspend_at && ['active', 'grace'].includes(sub.status))) mustBe(sub, ['suspended'], 'be scheduled to resume');
      if (sub.suspend_at && at <= sub.suspend_at) throw new UnprocessableError('The resumption must come after the scheduled suspension', [{ field: 'at', message: 'is not after the suspension' }]);
      await repo.update(trx, [sub.id], { resume_at: at, updated_at: now });
      await recordEvent(trx, deps.clock, by, sub, { kind: 'resumption_scheduled', details: { note: input.note, at: at.toISOString() } });
      return;
    }
    mustBe(sub, ['suspended'], 'be resumed');
    await billNow(trx, deps.clock, await resume(trx, deps.clock, by, [sub], { kind: 'resumed', note: input.note }));
  });
}

export function terminate(deps: Deps, actor: Actor, id: string, input: TerminateInput) {
  return withLocked(deps, actor, id, async (trx, sub) => {
    const now = deps.clock.now();
    const at = scheduledFor(input.at, now);
    const by = performerOf(actor);
    if (at) {
      mustBe(sub, ['pending', 'active', 'grace', 'suspended'], 'be scheduled for termination');
      await repo.update(trx, [sub.id], { terminate_at: at, updated_at: now });
      await recordEvent(trx, deps.clock, by, sub, { kind: 'termination_scheduled', reason: input.reason, details: { note: input.note, at: at.toISOString() } });
      return;
    }
    await transition(trx, deps.clock, by, sub, { to: 'terminated', kind: 'terminated', reason: input.reason, note: input.note });
  });
}

export function cancelScheduled(deps: Deps, actor: Actor, id: string, change: (typeof scheduledChanges)[number]) {
  return withLocked(deps, actor, id, async (trx, sub) => {
    const scheduled = { suspension: sub.suspend_at, resumption: sub.resume_at, termination: sub.terminate_at, plan_change: sub.pending_plan_id }[change];
    if (scheduled === null) throw new ConflictError(`No ${change.replace('_', ' ')} is scheduled`, [{ field: 'change', message: 'is not scheduled' }]);
    const cleared = {
      // A resumption set with a suspension that will not happen has nothing left to end.
      suspension: { suspend_at: null, ...(sub.status === 'suspended' ? {} : { resume_at: null }) },
      resumption: { resume_at: null },
      termination: { terminate_at: null },
      plan_change: { pending_plan_id: null },
    }[change];
    await repo.update(trx, [sub.id], { ...cleared, updated_at: deps.clock.now() });
    const was = scheduled instanceof Date ? scheduled.toISOString() : scheduled;
    await recordEvent(trx, deps.clock, performerOf(actor), sub, { kind: 'schedule_cancelled', details: { change, was } });
  });
}

export async function history(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'subscriptions.read');
  if (!(await repo.findInScope(deps.db, actor.principal.scope, id))) throw new NotFoundError('Subscription');
  return (await repo.events(deps.db, id)).map(mapEvent);
}
