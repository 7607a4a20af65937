import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface DayCounters {
  day: string;
  download: string;
  upload: string;
  seconds: string;
}

/**
 * Bytes and time per local day from the accounting day counters (radacct_days holds each session's
 * counters at the end of each day it was seen): a day's usage is the step from the session's day
 * before, so the sessions' earlier days are read too. Output octets are what the NAS sent to the
 * subscriber: the download.
 */
export async function dayCounters(db: Db, subscriptionId: string, from: string, to: string): Promise<DayCounters[]> {
  const { rows } = await sql<DayCounters>`
    select x.day::text as day, sum(x.down)::text as download, sum(x.up)::text as upload, sum(x.secs)::text as seconds
      from (select d.day,
                   greatest(d.output_octets - coalesce(lag(d.output_octets) over w, 0), 0) as down,
                   greatest(d.input_octets - coalesce(lag(d.input_octets) over w, 0), 0) as up,
                   greatest(d.session_seconds - coalesce(lag(d.session_seconds) over w, 0), 0) as secs
              from radacct_days d
             where d.radacctid in (select radacctid from radacct_days where subscription_id = ${subscriptionId} and day between ${from}::date and ${to}::date)
               and d.day <= ${to}::date
            window w as (partition by d.radacctid order by d.day)) x
     where x.day >= ${from}::date
     group by x.day`.execute(db);
  return rows;
}

/** Usage records per local day and unit, summed exactly. */
export async function dayUnits(db: Db, subscriptionId: string, from: string, to: string, timeZone: string): Promise<{ day: string; unit: string; quantity: string }[]> {
  const { rows } = await sql<{ day: string; unit: string; quantity: string }>`
    select (occurred_at at time zone ${timeZone})::date::text as day, unit, trim_scale(sum(quantity))::text as quantity
      from usage_records
     where subscription_id = ${subscriptionId}
       and occurred_at >= (${from}::date::timestamp at time zone ${timeZone})
       and occurred_at < ((${to}::date + 1)::timestamp at time zone ${timeZone})
     group by 1, 2
     order by 1, 2`.execute(db);
  return rows;
}

/** What a usage chart needs of a subscription: its time zone and what its billing period follows. */
export interface ChartSubscription {
  id: string;
  status: string;
  timezone: string;
  activated_at: Date | null;
  plan_id: string;
  current_version_id: string;
}

function chartSubscriptions(db: Db) {
  return db
    .selectFrom('subscriptions')
    .innerJoin('plans', 'plans.id', 'subscriptions.plan_id')
    .innerJoin('organizations', 'organizations.id', 'subscriptions.organization_id')
    .select(['subscriptions.id', 'subscriptions.status', 'organizations.timezone', 'subscriptions.activated_at', 'subscriptions.plan_id', 'plans.current_version_id']);
}

export function chartSubscriptionInScope(db: Db, scope: Scope, id: string): Promise<ChartSubscription | undefined> {
  return chartSubscriptions(db).where(inScope(scope, 'subscriptions.organization_id')).where('subscriptions.id', '=', id).executeTakeFirst();
}

/** The subscription only when it is the subscriber's own (the customer portal). */
export function chartSubscriptionOf(db: Db, subscriberId: string, id: string): Promise<ChartSubscription | undefined> {
  return chartSubscriptions(db).where('subscriptions.subscriber_id', '=', subscriberId).where('subscriptions.id', '=', id).executeTakeFirst();
}
