/**
 * Simple queues for static-IP subscribers, as pure functions: the `/queue/simple` item each active
 * subscription should have on its router, and the changes that bring the router's queues there.
 *
 * A queue of ours carries the comment `uplink subscription <id>`: that mark, not the name, is how a
 * re-push finds it (idempotent) and how a queue whose subscription is no longer active or served
 * here is found stale. A subscription keeps exactly one: a second queue with its mark (copied on
 * the router, or left by a push whose reply was lost) is removed, since two queues on one target
 * leave the subscriber under whichever RouterOS matches first. Queues without the mark (an
 * operator's, or the dynamic ones PPP and hotspot sessions create) are never touched.
 *
 * RouterOS prints back what it was given in its own spelling (max-limit=5M/10M reads back as
 * 5000000/10000000, a target gains /32, a burst time 8 reads 8s), so values are compared as the
 * router means them, not as text: a push after a push changes nothing.
 */
import { mikrotikRateLimit, rateProfileOf } from '../../core/mikrotik-rate-limit.ts';
import type { RouterRow } from '../../integrations/mikrotik/client.ts';
import type { StaticSubscription } from './routers.repo.ts';

export const QUEUE_MENU = '/queue/simple';
const MARK = 'uplink subscription ';

export interface DesiredQueue {
  subscriptionId: string;
  username: string | null;
  name: string;
  props: Record<string, string>;
}

export interface QueueChange {
  action: 'create' | 'update' | 'unchanged' | 'remove';
  subscriptionId: string | null;
  username: string | null;
  name: string;
  /** The router-side .id (null for one to create). */
  id: string | null;
  target: string;
  /** Property → [on the router, wanted]; only those that differ (all of them for a new queue). */
  changes: Record<string, [string | null, string]>;
  /** For a queue removed as a second one of its subscription: the name of the queue kept. */
  keptQueue: string | null;
}

export const queueComment = (s: Pick<StaticSubscription, 'id' | 'username'>) => `${MARK}${s.id}${s.username ? ` ${s.username}` : ''}`;

/** The subscription id in a queue's comment, when the queue is ours. */
export function subscriptionOfQueue(row: RouterRow): string | null {
  const comment = row.comment ?? '';
  if (!comment.startsWith(MARK)) return null;
  const id = comment.slice(MARK.length).split(' ')[0] ?? '';
  return /^[0-9a-f-]{36}$/i.test(id) ? id.toLowerCase() : null;
}

/**
 * The queue each subscription should have: target its /32, limits from its plan's network profile
 * (the same rx/tx order as the Mikrotik-Rate-Limit attribute: the subscriber's upload first, which
 * is a simple queue's target-upload/target-download). A plan with no rate limit needs no queue.
 */
export function desiredQueues(subs: readonly StaticSubscription[]): { queues: DesiredQueue[]; skipped: { subscriptionId: string; reason: string }[] } {
  const queues: DesiredQueue[] = [];
  const skipped: { subscriptionId: string; reason: string }[] = [];
  for (const s of subs) {
    const limit = mikrotikRateLimit(rateProfileOf(s));
    if (limit === null) {
      skipped.push({ subscriptionId: s.id, reason: `the plan ${s.plan_code} has no rate limit` });
      continue;
    }
    const [max, burst = '0/0', threshold = '0/0', time = '0/0'] = limit.split(' ');
    queues.push({
      subscriptionId: s.id,
      username: s.username,
      name: `uplink-${s.username ?? s.id.slice(0, 8)}`,
      props: {
        target: `${s.static_ipv4}/32`,
        'max-limit': max!,
        'burst-limit': burst,
        'burst-threshold': threshold,
        'burst-time': time
          .split('/')
          .map((v) => `${v}s`)
          .join('/'),
        comment: queueComment(s),
      },
    });
  }
  return { queues, skipped };
}

const rateUnits: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9 };

/** How RouterOS reads one value of a queue property, so 5M equals 5000000 and 8 equals 8s or 00:00:08. */
function meaning(property: string, value: string): string {
  const v = value.trim();
  if (property === 'target')
    return v
      .split(',')
      .map((t) => (/^\d+\.\d+\.\d+\.\d+$/.test(t) ? `${t}/32` : t))
      .join(',');
  const each = (f: (part: string) => string | null) => {
    const parts = v.split('/').map(f);
    return parts.some((p) => p === null) ? v : parts.join('/');
  };
  if (property === 'max-limit' || property === 'burst-limit' || property === 'burst-threshold' || property === 'limit-at')
    return each((p) => {
      const m = /^(\d+(?:\.\d+)?)([kMG]?)$/.exec(p);
      return m ? String(Math.round(Number(m[1]) * rateUnits[m[2]!]!)) : null;
    });
  if (property === 'burst-time')
    return each((p) => {
      const plain = /^(\d+)s?$/.exec(p);
      if (plain) return plain[1]!;
      const clock = /^(\d+):(\d\d):(\d\d)$/.exec(p);
      return clock ? String(Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3])) : null;
    });
  return v;
}

export const sameValue = (property: string, onRouter: string | undefined, wanted: string) => meaning(property, onRouter ?? '') === meaning(property, wanted);

const removal = (row: RouterRow, subscriptionId: string, username: string | null, keptQueue: string | null): QueueChange => ({
  action: 'remove',
  subscriptionId,
  username,
  name: row.name ?? '',
  id: row['.id'] ?? null,
  target: row.target ?? '',
  changes: {},
  keptQueue,
});

/**
 * Compares the wanted queues with the router's (`print` of /queue/simple): ours are matched by the
 * subscription in their comment; ours that nothing wants any more are to remove, and so are all but
 * one of a subscription's; the rest is left. The one kept is the queue already named as wanted when
 * there is one (renaming another to that name would collide with it), else the first printed. A
 * name an operator's queue already holds is reported, not taken.
 */
export function queueChanges(desired: readonly DesiredQueue[], onRouter: readonly RouterRow[]): { changes: QueueChange[]; blocked: { subscriptionId: string; reason: string }[] } {
  const ours = new Map<string, RouterRow[]>();
  for (const row of onRouter) {
    const sub = subscriptionOfQueue(row);
    if (sub && row.dynamic !== 'true') ours.set(sub, [...(ours.get(sub) ?? []), row]);
  }
  const wanted = new Set(desired.map((d) => d.subscriptionId));
  const changes: QueueChange[] = [];
  const blocked: { subscriptionId: string; reason: string }[] = [];
  for (const d of desired) {
    const rows = ours.get(d.subscriptionId) ?? [];
    const row = rows.find((r) => r.name === d.name) ?? rows[0];
    const props = { name: d.name, ...d.props };
    if (!row) {
      const holder = onRouter.find((r) => r.name === d.name);
      if (holder) {
        blocked.push({ subscriptionId: d.subscriptionId, reason: `the router already has a queue named ${d.name} that Uplink did not create` });
        continue;
      }
      changes.push({ action: 'create', subscriptionId: d.subscriptionId, username: d.username, name: d.name, id: null, target: d.props.target!, changes: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, [null, v]])), keptQueue: null });
      continue;
    }
    const diff: Record<string, [string | null, string]> = {};
    for (const [k, v] of Object.entries(props)) if (!sameValue(k, row[k], v)) diff[k] = [row[k] ?? null, v];
    changes.push({ action: Object.keys(diff).length ? 'update' : 'unchanged', subscriptionId: d.subscriptionId, username: d.username, name: d.name, id: row['.id'] ?? null, target: d.props.target!, changes: diff, keptQueue: null });
    for (const extra of rows) if (extra !== row) changes.push(removal(extra, d.subscriptionId, d.username, d.name));
  }
  for (const [sub, rows] of ours) if (!wanted.has(sub)) for (const row of rows) changes.push(removal(row, sub, null, null));
  return { changes, blocked };
}
