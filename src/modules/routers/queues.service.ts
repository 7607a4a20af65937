/**
 * Pushing simple queues to a NAS's router for its static-IP subscribers (queue-push.ts plans
 * them): preview with dryRun, then apply. Applying creates and updates the queues of active
 * subscriptions and removes the queues Uplink made for subscriptions that are suspended,
 * terminated or no longer served by this router, and any second queue of one subscription;
 * nothing without Uplink's mark is touched. Every command goes to the router's command log, and an
 * applied push to the audit log.
 */
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { auditPush, changeRows, wantedValues } from './push-changes.ts';
import { desiredQueues, QUEUE_MENU, queueChanges, type QueueChange } from './queue-push.ts';
import { withRouter, type Deps } from './router-session.ts';
import * as repo from './routers.repo.ts';
import { nasOf } from './routers.service.ts';

const managed = ['.id', 'name', 'target', 'max-limit', 'burst-limit', 'burst-threshold', 'burst-time', 'comment', 'dynamic'];

function staleReason(state: { status: string } | undefined): string {
  if (!state) return 'the subscription no longer exists';
  if (state.status === 'suspended' || state.status === 'terminated' || state.status === 'pending') return `the subscription is ${state.status}`;
  return 'the subscription is no longer a static-IP subscription served by this router';
}

export async function pushQueues(deps: Deps, actor: Actor, nasId: string, input: { dryRun: boolean }) {
  requirePermission(actor, 'nas.update');
  const nas = await nasOf(deps, actor, nasId);
  const { queues, skipped } = desiredQueues(await repo.staticSubscriptionsFor(deps.db, nas));
  const { changes, blocked } = await withRouter(deps, nas, actor.principal.userId, async (c) => {
    const planned = queueChanges(queues, await c.print(QUEUE_MENU, { proplist: managed }));
    if (input.dryRun) return planned;
    for (const ch of planned.changes) {
      if (ch.action === 'create') await c.add(QUEUE_MENU, wantedValues(ch.changes));
      else if (ch.action === 'update') await c.set(QUEUE_MENU, ch.id!, wantedValues(ch.changes));
      else if (ch.action === 'remove') await c.remove(QUEUE_MENU, ch.id!);
    }
    return planned;
  });
  const states = new Map((await repo.subscriptionStates(deps.db, changes.filter((c) => c.action === 'remove').map((c) => c.subscriptionId!))).map((s) => [s.id, s]));
  const summary = { create: 0, update: 0, unchanged: 0, remove: 0 };
  for (const ch of changes) summary[ch.action]++;
  const view = (ch: QueueChange) => {
    const state = ch.subscriptionId ? states.get(ch.subscriptionId) : undefined;
    return {
      action: ch.action,
      subscriptionId: ch.subscriptionId,
      username: ch.username ?? state?.username ?? null,
      name: ch.name,
      target: ch.target,
      reason: ch.action !== 'remove' ? null : ch.keptQueue ? `a second queue of this subscription: Uplink keeps ${ch.keptQueue}` : staleReason(state),
      changes: changeRows(ch.changes),
    };
  };
  const items = changes.map(view);
  const pending = summary.create + summary.update + summary.remove;
  const applied = !input.dryRun && pending > 0;
  if (applied) await auditPush(deps, actor, nas, 'router.push-queues', { summary, queues: items.filter((q) => q.action !== 'unchanged') });
  const counts = `${summary.create} queue(s) to create, ${summary.update} to update and ${summary.remove} stale to remove`;
  const message =
    pending === 0
      ? `Nothing to change: the router already has the ${summary.unchanged} subscriber queue(s)`
      : input.dryRun
        ? counts
        : `${summary.create} queue(s) created, ${summary.update} updated and ${summary.remove} stale removed`;
  return { dryRun: input.dryRun, applied, summary, message, queues: items, skipped: [...skipped, ...blocked] };
}
