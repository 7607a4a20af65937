import type { components } from '../../api/schema.d.ts';

// The generated types themselves (not the client), so these pure helpers also load outside a browser.
type Schemas = components['schemas'];

export type Subscription = Schemas['Subscription'];
export type SubscriptionStatus = Subscription['status'];
export type SubscriptionEvent = Schemas['SubscriptionEvent'];
export type PlanChangePreview = Schemas['PlanChangePreview'];
export type StatusReason = Schemas['SuspendSubscriptionInput']['reason'];
export type ScheduledChange = Schemas['CancelScheduledChangeInput']['change'];

export const statusColors: Record<SubscriptionStatus, string> = { pending: 'blue', active: 'teal', grace: 'yellow', suspended: 'orange', terminated: 'gray' };
/** Reasons staff may give; "expired" is the billing run's alone. */
export const suspendReasons: StatusReason[] = ['request', 'unpaid', 'vacation', 'fraud', 'moved', 'other'];
export const terminateReasons: StatusReason[] = ['request', 'unpaid', 'fraud', 'moved', 'other'];

export type SubscriptionAction = 'activate' | 'suspend' | 'resume' | 'terminate' | 'changePlan' | 'credentials' | 'history' | 'delete';

/** What the lifecycle allows from a status (the server refuses the rest with 409), filtered by permission. */
export function subscriptionActions(s: Pick<Subscription, 'status' | 'username' | 'billedThrough'>, can: (permission: string) => boolean): SubscriptionAction[] {
  const byStatus: Record<SubscriptionStatus, SubscriptionAction[]> = {
    pending: ['activate', 'terminate', 'delete'],
    active: ['changePlan', 'suspend', 'terminate'],
    grace: ['changePlan', 'suspend', 'terminate'],
    suspended: ['resume', 'terminate'],
    terminated: [],
  };
  const out = byStatus[s.status].filter((a) => (a === 'delete' ? can('subscriptions.delete') && !s.billedThrough : can('subscriptions.update')));
  if (s.username && can('subscriptions.update')) out.push('credentials');
  out.push('history');
  return out;
}

/** The changes waiting on a date (or the next period), each of which can be cancelled. */
export function scheduledChanges(s: Pick<Subscription, 'suspendAt' | 'resumeAt' | 'terminateAt' | 'pendingPlanId'>): { change: ScheduledChange; at: string | null }[] {
  const out: { change: ScheduledChange; at: string | null }[] = [];
  if (s.suspendAt) out.push({ change: 'suspension', at: s.suspendAt });
  if (s.resumeAt) out.push({ change: 'resumption', at: s.resumeAt });
  if (s.terminateAt) out.push({ change: 'termination', at: s.terminateAt });
  if (s.pendingPlanId) out.push({ change: 'plan_change', at: null });
  return out;
}

/** The offset of a time zone from UTC at an instant, in milliseconds (Nairobi: +3 h). */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a wall-clock time of a time zone ("2026-03-15" or "2026-03-15 14:30:00") stands for,
 * as ISO 8601 UTC. The offset is taken at the guess and again at the answer, so a time beside a
 * DST change comes out right.
 */
export function instantIn(wallTime: string, timeZone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(wallTime.trim());
  if (!m) throw new RangeError(`not a local date and time: ${wallTime}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  let instant = wall - zoneOffset(wall, timeZone);
  instant = wall - zoneOffset(instant, timeZone);
  return new Date(instant).toISOString();
}

/** The day after a calendar day: "2026-02-28" → "2026-03-01" (the end of an inclusive range, made exclusive). */
export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The calendar day an instant falls on in a time zone ("2026-03-14T22:00:00Z" in Nairobi → "2026-03-15"). */
export function dayIn(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** The month holding a calendar day, as an inclusive range of days: "2026-02-10" → ["2026-02-01", "2026-02-28"]. */
export function monthOf(day: string): [string, string] {
  const first = `${day.slice(0, 7)}-01`;
  const next = new Date(`${first}T00:00:00Z`);
  next.setUTCMonth(next.getUTCMonth() + 1);
  next.setUTCDate(0);
  return [first, next.toISOString().slice(0, 10)];
}
