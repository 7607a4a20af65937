/**
 * A subscription's billing schedule as the catalog defines it: the plan version in force, the
 * organization's time zone, and the periods counted from the activation instant (the anchor the
 * billing run uses too, so both see the same periods).
 */
import type { Kysely, Transaction } from 'kysely';
import { type BillingPeriod, periodContaining } from '../../core/periods.ts';
import type { DB, PlanVersionRow, Subscription } from '../../platform/db/schema.ts';
import { versionInForce } from '../catalog/catalog.service.ts';
import { billingSchedule, firstPeriod } from '../catalog/pricing.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as repo from './subscriptions.repo.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface PlanTerms {
  readonly plan: repo.PlanSummary;
  readonly version: PlanVersionRow;
  readonly timeZone: string;
}

/** The plan and its version in force at `at`, and the time zone of the organization selling it. */
export async function termsAt(db: Db, planId: string, organizationId: string, at: Date): Promise<PlanTerms> {
  const plan = (await repo.planSummary(db, planId))!;
  const [version, org] = await Promise.all([versionInForce(db, plan, at), orgRepo.findById(db, organizationId)]);
  return { plan, version, timeZone: org!.timezone };
}

/** When a period is billed: at its start when charged in advance, at its end when in arrears. */
function billingInstant(version: Pick<PlanVersionRow, 'charge_timing'>, period: BillingPeriod): Date {
  return version.charge_timing === 'in_advance' ? period.start : period.end;
}

/** The first billing instant of a subscription activated at `at`; a one-off charge is billed at once. */
export async function firstBilling(db: Db, sub: Pick<Subscription, 'plan_id' | 'organization_id'>, at: Date): Promise<Date> {
  const { version, timeZone } = await termsAt(db, sub.plan_id, sub.organization_id, at);
  const period = firstPeriod(version, at, timeZone);
  return period ? billingInstant(version, period) : at;
}

/** The period of the subscription's schedule that holds `at`, and when it is billed; null for a one-off charge. */
export async function currentPeriod(db: Db, sub: Pick<Subscription, 'plan_id' | 'organization_id' | 'activated_at'>, at: Date): Promise<{ period: BillingPeriod; billAt: Date; terms: PlanTerms } | null> {
  const t = await termsAt(db, sub.plan_id, sub.organization_id, at);
  const schedule = billingSchedule(t.version, sub.activated_at ?? at, t.timeZone);
  if (!schedule) return null;
  const period = periodContaining(schedule, at);
  return { period, billAt: billingInstant(t.version, period), terms: t };
}
