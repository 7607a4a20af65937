/**
 * Daily usage of a subscription for the usage charts (staff: the subscriber drawer; subscribers:
 * the customer portal): bytes down and up and time online per local day from RADIUS accounting,
 * beside the day's usage records per unit (readings entered or imported, and the roll-up's GB and
 * minutes). Every day of the range is answered, zeros included, so a chart needs no gap logic.
 * Beside the days, the plan's fair-usage quota: the period it counts over and what is left.
 */
import { Temporal } from 'temporal-polyfill';
import { periodContaining } from '../../core/periods.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { versionInForce } from '../catalog/catalog.service.ts';
import { billingSchedule } from '../catalog/pricing.ts';
import { quotaStatus, type QuotaStatus } from '../aaa/quota-status.ts';
import * as repo from './usage-daily.repo.ts';
import type { DailyUsage, DailyUsageQuery, UsageQuota, UsageRange } from './usage-daily.schemas.ts';

export type Deps = Pick<AppContext, 'db' | 'clock'>;

const localDate = (instant: Date, timeZone: string) => Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone).toPlainDate();

/** The local days [from, to] of a range; the current billing period ends today at the latest. */
async function daysOf(deps: Deps, sub: repo.ChartSubscription, range: UsageRange): Promise<{ range: UsageRange; from: Temporal.PlainDate; to: Temporal.PlainDate }> {
  const now = deps.clock.now();
  const today = localDate(now, sub.timezone);
  if (range === 'current' && sub.activated_at && sub.status !== 'pending' && sub.status !== 'terminated') {
    const version = await versionInForce(deps.db, { id: sub.plan_id, current_version_id: sub.current_version_id }, now);
    const schedule = billingSchedule(version, sub.activated_at, sub.timezone);
    if (schedule) return { range, from: localDate(periodContaining(schedule, now).start, sub.timezone), to: today };
  }
  const span = range === 'last90' ? 90 : 30;
  return { range: range === 'current' ? 'last30' : range, from: today.subtract({ days: span - 1 }), to: today };
}

function mapQuota(q: QuotaStatus): UsageQuota {
  const left = (quota: bigint | number, used: bigint | number) => Math.max(0, Number(quota) - Number(used));
  return {
    periodStart: q.periodStart.toISOString(),
    periodEnd: q.periodEnd.toISOString(),
    data: q.dataQuotaBytes === null ? null : { quotaBytes: Number(q.dataQuotaBytes), usedBytes: Number(q.usedBytes), leftBytes: left(q.dataQuotaBytes, q.usedBytes) },
    time: q.timeQuotaSeconds === null ? null : { quotaSeconds: q.timeQuotaSeconds, usedSeconds: q.usedSeconds, leftSeconds: left(q.timeQuotaSeconds, q.usedSeconds) },
    state: q.state,
  };
}

async function dailyUsageOf(deps: Deps, sub: repo.ChartSubscription, query: DailyUsageQuery): Promise<DailyUsage> {
  const { range, from, to } = await daysOf(deps, sub, query.range);
  const [counters, units, quota] = await Promise.all([
    repo.dayCounters(deps.db, sub.id, from.toString(), to.toString()),
    repo.dayUnits(deps.db, sub.id, from.toString(), to.toString(), sub.timezone),
    quotaStatus(deps.db, sub.id, deps.clock.now()),
  ]);
  const byDay = new Map(counters.map((c) => [c.day, c]));
  const days: DailyUsage['days'] = [];
  for (let d = from; Temporal.PlainDate.compare(d, to) <= 0; d = d.add({ days: 1 })) {
    const date = d.toString();
    const c = byDay.get(date);
    const usage: Record<string, string> = {};
    for (const u of units) if (u.day === date) usage[u.unit] = u.quantity;
    days.push({ date, downloadBytes: Number(c?.download ?? 0), uploadBytes: Number(c?.upload ?? 0), sessionSeconds: Number(c?.seconds ?? 0), usage });
  }
  return { subscriptionId: sub.id, range, timezone: sub.timezone, from: from.toString(), to: to.toString(), days, quota: quota && mapQuota(quota) };
}

export async function dailyUsage(deps: Deps, actor: Actor, subscriptionId: string, query: DailyUsageQuery): Promise<DailyUsage> {
  requirePermission(actor, 'subscriptions.read');
  const sub = await repo.chartSubscriptionInScope(deps.db, actor.principal.scope, subscriptionId);
  if (!sub) throw new NotFoundError('Subscription');
  return dailyUsageOf(deps, sub, query);
}

/** The portal's chart: only a subscription of the signed-in subscriber. */
export async function portalDailyUsage(deps: Deps, subscriberId: string, subscriptionId: string, query: DailyUsageQuery): Promise<DailyUsage> {
  const sub = await repo.chartSubscriptionOf(deps.db, subscriberId, subscriptionId);
  if (!sub) throw new NotFoundError('Subscription');
  return dailyUsageOf(deps, sub, query);
}
