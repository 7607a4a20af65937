import { sql, type Kysely } from 'kysely';

/*
 * Fair usage counts over the subscription's billing period instead of the calendar month.
 *
 * The quota state names its period (start, end, and what it was computed from: plan version,
 * anchor, time zone), so the roll-up recomputes a period only when it has turned or its inputs
 * changed, and a login can tell a state left over from the previous period. It also keeps the
 * seconds of the period's days before the roll-up's day (settled), so that a login adds only the
 * days since, read from the sessions' day counters by subscription: hence the index, whose
 * columns never change when accounting updates a day's counters (those stay HOT updates).
 * Caches are told when any of it changes, as before.
 */
const statements = [
  `alter table aaa_quota_state
     add column period_end timestamptz,
     add column period_key text,
     add column settled_seconds bigint not null default 0,
     add column settled_day date`,
  `create index radacct_days_subscription_idx on radacct_days (subscription_id, day)`,
  `drop trigger aaa_quota_changed on aaa_quota_state`,
  `create trigger aaa_quota_changed after update on aaa_quota_state for each row
     when (old.throttled is distinct from new.throttled or old.exhausted is distinct from new.exhausted
           or old.used_seconds is distinct from new.used_seconds or old.period_start is distinct from new.period_start
           or old.period_end is distinct from new.period_end or old.period_key is distinct from new.period_key
           or old.settled_seconds is distinct from new.settled_seconds or old.settled_day is distinct from new.settled_day)
     execute function aaa_quota_changed()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
