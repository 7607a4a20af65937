/**
 * The billing run's SQL, set-based, so a chunk of tens of thousands of subscriptions costs a dozen
 * statements: what is due, what the catalog and the books hold for it, and the subscriptions moved
 * on. The rows it adds (invoices, lines, entries) are written by billing-run.rows.ts.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Subscription, SubscriptionStatus } from '../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface DueSubscription {
  id: string;
  organization_id: string;
  subscriber_id: string;
  plan_id: string;
  pending_plan_id: string | null;
  currency: string;
  status: SubscriptionStatus;
  status_reason: string;
  quantity: number;
  discount_id: string | null;
  auto_renew: boolean;
  /** When the schedule is anchored: activation, else the scheduled start. */
  anchor: Date;
  /** The anchor's local date in the organization's zone, 'YYYY-MM-DD' (what an anniversary cycle needs of it). */
  anchor_date: string;
  billed_through: Date | null;
  next_bill_at: Date;
  grace_until: Date | null;
  timezone: string;
}

export interface DueFilter {
  asOf: Date;
  organizationId?: string;
  subscriptionIds?: readonly string[];
}

const due = (f: DueFilter) => sql`s.status in ('active', 'grace') and s.next_bill_at is not null and s.next_bill_at <= ${f.asOf}
  ${f.organizationId ? sql`and s.organization_id = ${f.organizationId}` : sql``}
  ${f.subscriptionIds ? sql`and s.id = any(${[...f.subscriptionIds]}::uuid[])` : sql``}`;

/** The subscribers (after, upTo] of one chunk: whole subscribers, so each gets one invoice. */
export interface SubscriberRange {
  after: string | null;
  upTo: string;
}

/**
 * Splits the due subscriptions into chunks of about `size` at subscriber boundaries, in one pass.
 * Each chunk then reads its range through the subscriber index, whatever the table's size.
 */
export async function subscriberRanges(db: Db, f: DueFilter, size: number): Promise<SubscriberRange[]> {
  const r = await sql<{ up_to: string }>`
    select max(subscriber_id::text)::uuid as up_to
      from (select s.subscriber_id, sum(count(*)) over (order by s.subscriber_id) as running
              from subscriptions s where ${due(f)} group by s.subscriber_id) d
     group by (running::bigint - 1) / ${size}::bigint
     order by 1`.execute(db);
  return r.rows.map((row, i) => ({ after: i === 0 ? null : r.rows[i - 1]!.up_to, upTo: row.up_to }));
}

/**
 * The due subscriptions of a range of subscribers, in subscriber order. Locked rows are skipped:
 * another worker is billing them, and they are no longer due once it commits.
 */
export async function dueSubscriptions(db: Db, f: DueFilter, range: SubscriberRange, lock: boolean): Promise<DueSubscription[]> {
  const r = await sql<DueSubscription>`
    select s.id, s.organization_id, s.subscriber_id, s.plan_id, s.pending_plan_id, s.currency, s.status, s.status_reason,
           s.quantity, s.discount_id, s.auto_renew, coalesce(s.activated_at, s.starts_at) as anchor,
           to_char(coalesce(s.activated_at, s.starts_at) at time zone o.timezone, 'YYYY-MM-DD') as anchor_date, s.billed_through,
           s.next_bill_at, s.grace_until, o.timezone
      from subscriptions s
      join organizations o on o.id = s.organization_id
     where ${due(f)} and s.subscriber_id <= ${range.upTo} ${range.after ? sql`and s.subscriber_id > ${range.after}` : sql``}
     order by s.subscriber_id, s.created_at, s.id
     ${lock ? sql`for update of s skip locked` : sql``}`.execute(db);
  return r.rows;
}

/** Organizations with something due: the hourly job starts a run for each. */
export async function organizationsWithDue(db: Db, asOf: Date): Promise<string[]> {
  const r = await sql<{ organization_id: string }>`
    select distinct organization_id from subscriptions
     where status in ('active', 'grace') and next_bill_at is not null and next_bill_at <= ${asOf}`.execute(db);
  return r.rows.map((row) => row.organization_id);
}

export interface PlanInfo {
  id: string;
  billing_model: 'prepaid' | 'postpaid' | 'usage';
  service_type: string;
  current_version_id: string;
}

export async function plansOf(db: Db, ids: readonly string[]): Promise<PlanInfo[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('plans').select(['id', 'billing_model', 'service_type', 'current_version_id']).where('id', 'in', [...ids]).execute();
}

export async function discountsOf(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('discounts').selectAll().where('id', 'in', [...ids]).execute();
}

export interface UsageWanted {
  subscriptionId: string;
  start: Date;
  end: Date;
}

/** Usage per subscription, period and unit, each subscription over its own period; exact sums. */
export async function usageOfPeriods(db: Db, wanted: readonly UsageWanted[]): Promise<{ subscription_id: string; period_start: Date; unit: string; quantity: string }[]> {
  if (wanted.length === 0) return [];
  const r = await sql<{ subscription_id: string; period_start: Date; unit: string; quantity: string }>`
    select p.subscription_id, p.period_start, u.unit, sum(u.quantity)::text as quantity
      from unnest(${wanted.map((w) => w.subscriptionId)}::uuid[], ${wanted.map((w) => w.start.toISOString())}::timestamptz[],
                  ${wanted.map((w) => w.end.toISOString())}::timestamptz[]) as p(subscription_id, period_start, period_end)
      join usage_records u on u.subscription_id = p.subscription_id and u.occurred_at >= p.period_start and u.occurred_at < p.period_end
     group by 1, 2, 3`.execute(db);
  return r.rows;
}

/** Periods among these that already hold a line (the unique index's rows): never billed twice. */
export async function billedPeriods(db: Db, wanted: readonly { subscriptionId: string; start: Date }[]): Promise<Set<string>> {
  if (wanted.length === 0) return new Set();
  const r = await sql<{ subscription_id: string; period_start: Date }>`
    select distinct l.subscription_id, l.period_start
      from unnest(${wanted.map((w) => w.subscriptionId)}::uuid[], ${wanted.map((w) => w.start.toISOString())}::timestamptz[]) as p(subscription_id, period_start)
      join invoice_lines l on l.subscription_id = p.subscription_id and l.kind in ('recurring', 'usage') and l.period_start = p.period_start
     where l.subscription_id = any(${[...new Set(wanted.map((w) => w.subscriptionId))]}::uuid[])`.execute(db);
  return new Set(r.rows.map((row) => periodKey(row.subscription_id, row.period_start)));
}

export const periodKey = (subscriptionId: string, start: Date) => `${subscriptionId}|${start.getTime()}`;

export async function organizationPath(db: Db, id: string): Promise<string> {
  return (await db.selectFrom('organizations').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path;
}

/**
 * Forgets the session's cached plans. The ledger's triggers and the foreign-key checks look rows up
 * one by one with plans the session made when the ledger was small (a sequential scan of a few
 * rows); kept while a chunk adds tens of thousands of accounts and entries, each lookup would scan
 * them all. Planned again, they see the tables' real size and use their indexes.
 */
export async function replan(trx: Transaction<DB>): Promise<void> {
  await sql`discard plans`.execute(trx);
}

/**
 * A chunk's statements are large but simple: compiling them to machine code (PostgreSQL's JIT, on
 * by default for costly plans) takes longer than running them.
 */
export async function withoutJit(trx: Transaction<DB>): Promise<void> {
  await sql`set local jit = off`.execute(trx);
}

/** The chunk's invoice lines are written before their invoices: their reference to the invoice is checked at commit. */
export async function deferLineChecks(trx: Transaction<DB>): Promise<void> {
  await sql`set constraints invoice_lines_invoice_id_fkey deferred`.execute(trx);
}

/**
 * The subscribers' receivables in the currency, opened (set-based ensureAccount) for those without one: subscriber → account.
 * Read first, then only the missing are opened: after the first month every subscriber has one, and an
 * insert that conflicts on every row still probes the unique index and queues its checks row by row.
 */
export async function openReceivables(
  trx: Transaction<DB>,
  organizationId: string,
  currency: string,
  subscriberIds: readonly string[],
  newId: () => string,
): Promise<Map<string, string>> {
  if (subscriberIds.length === 0) return new Map();
  const find = async (ids: readonly string[]) =>
    (
      await sql<{ owner_id: string; id: string }>`
        select a.owner_id, a.id from ledger_accounts a
         where a.organization_id = ${organizationId} and a.system_key = 'accounts_receivable' and a.owner_type = 'subscriber'
           and a.currency = ${currency} and a.owner_id = any(${[...ids]}::uuid[])`.execute(trx)
    ).rows;
  const found = new Map((await find(subscriberIds)).map((row) => [row.owner_id, row.id]));
  const missing = subscriberIds.filter((id) => !found.has(id));
  if (missing.length === 0) return found;
  await sql`insert into ledger_accounts (id, organization_id, code, name, type, currency, system_key, owner_type, owner_id)
    select a, ${organizationId}::uuid, '1200', 'Accounts receivable', 'asset', ${currency}, 'accounts_receivable', 'subscriber', s
      from unnest(${missing}::uuid[], ${missing.map(newId)}::uuid[]) as x(s, a)
    on conflict do nothing`.execute(trx);
  // Read back rather than returned: a concurrent transaction may have opened some of them first.
  for (const row of await find(missing)) found.set(row.owner_id, row.id);
  return found;
}

// Wallets are locked as the ledger locks them; billing and payments share the one query.
export { lockWallets, type LockedWallet } from '../ledger/ledger.repo.ts';

/** Takes `count` invoice numbers under the counter's row lock (held until commit: no gaps). Answers the first. */
export async function takeInvoiceNumbers(trx: Transaction<DB>, organizationId: string, count: number): Promise<{ format: string; first: bigint }> {
  const r = await sql<{ format: string; last: bigint }>`
    insert into invoice_sequences as q (organization_id, last_invoice) values (${organizationId}, ${count})
    on conflict (organization_id) do update set last_invoice = q.last_invoice + ${count}
    returning q.format, q.last_invoice as last`.execute(trx);
  const row = r.rows[0]!;
  return { format: row.format, first: row.last - BigInt(count) + 1n };
}

const col = <T, K extends keyof T>(rows: readonly T[], k: K) => rows.map((r) => r[k]);
const iso = <T>(rows: readonly T[], f: (r: T) => Date | null) => rows.map((r) => f(r)?.toISOString() ?? null);

export interface SubscriptionAdvance {
  id: string;
  plan_id: string;
  pending_plan_id: string | null;
  billed_through: Date | null;
  next_bill_at: Date | null;
  status: SubscriptionStatus;
  status_reason: string;
  grace_until: Date | null;
}

export async function advanceSubscriptions(trx: Transaction<DB>, now: Date, rows: readonly SubscriptionAdvance[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    update subscriptions s
       set plan_id = u.plan_id, pending_plan_id = u.pending_plan_id, billed_through = u.billed_through, next_bill_at = u.next_bill_at,
           status = u.status, status_reason = u.status_reason, grace_until = u.grace_until, updated_at = ${now}
      from unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'plan_id')}::uuid[], ${col(rows, 'pending_plan_id')}::uuid[],
                  ${iso(rows, (r) => r.billed_through)}::timestamptz[], ${iso(rows, (r) => r.next_bill_at)}::timestamptz[], ${col(rows, 'status')}::text[],
                  ${col(rows, 'status_reason')}::text[], ${iso(rows, (r) => r.grace_until)}::timestamptz[])
           as u(id, plan_id, pending_plan_id, billed_through, next_bill_at, status, status_reason, grace_until)
     where s.id = u.id and s.id = any(${col(rows, 'id')}::uuid[])`.execute(trx);
}

export function subscriptionRow(trx: Transaction<DB>, id: string): Promise<Subscription> {
  return trx.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export interface NewSubscriptionEvent {
  subscription_id: string;
  kind: string;
  from_status: string | null;
  to_status: string | null;
  reason: string;
  details: string;
  at: Date;
}

export async function insertEvents(trx: Transaction<DB>, rows: readonly NewSubscriptionEvent[]): Promise<void> {
  if (rows.length > 0) await trx.insertInto('subscription_events').values(rows.map((r) => ({ ...r, actor_id: null }))).execute();
}
