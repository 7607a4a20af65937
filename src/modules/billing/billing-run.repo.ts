/**
 * The billing run's SQL: set-based, so a chunk of tens of thousands of subscriptions costs a dozen
 * statements. Rows travel as arrays through unnest; what is the same for many rows (a priced
 * line, an invoice's shape, a journal entry's lines) travels once as a template and is joined in.
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

/** The subscribers' receivables in the currency, opened (set-based ensureAccount) for those without one: subscriber → account. */
export async function openReceivables(
  trx: Transaction<DB>,
  organizationId: string,
  currency: string,
  subscriberIds: readonly string[],
  newId: () => string,
): Promise<Map<string, string>> {
  if (subscriberIds.length === 0) return new Map();
  const ids = [...subscriberIds];
  await sql`insert into ledger_accounts (id, organization_id, code, name, type, currency, system_key, owner_type, owner_id)
    select a, ${organizationId}::uuid, '1200', 'Accounts receivable', 'asset', ${currency}, 'accounts_receivable', 'subscriber', s
      from unnest(${ids}::uuid[], ${ids.map(newId)}::uuid[]) as x(s, a)
    on conflict do nothing`.execute(trx);
  const r = await sql<{ owner_id: string; id: string }>`
    select a.owner_id, a.id from ledger_accounts a
     where a.organization_id = ${organizationId} and a.system_key = 'accounts_receivable' and a.owner_type = 'subscriber'
       and a.currency = ${currency} and a.owner_id = any(${ids}::uuid[])`.execute(trx);
  return new Map(r.rows.map((row) => [row.owner_id, row.id]));
}

export interface LockedWallet {
  subscriber_id: string;
  account_id: string;
  /** Natural balance plus the credit limit: what a deduction may take. */
  available: bigint;
}

/** Locks the subscribers' wallet balances in account order (the ledger trigger's order) and answers what each may pay. */
export async function lockWallets(trx: Transaction<DB>, organizationId: string, currency: string, subscriberIds: readonly string[]): Promise<LockedWallet[]> {
  if (subscriberIds.length === 0) return [];
  const r = await sql<LockedWallet>`
    select a.owner_id as subscriber_id, a.id as account_id, (-b.balance + coalesce(a.credit_limit, 0))::bigint as available
      from ledger_accounts a join ledger_balances b on b.account_id = a.id
     where a.organization_id = ${organizationId} and a.system_key = 'subscriber_wallet' and a.owner_type = 'subscriber'
       and a.currency = ${currency} and a.owner_id = any(${[...subscriberIds]}::uuid[])
     order by a.id
     for update of b`.execute(trx);
  return r.rows;
}

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
const big = <T>(rows: readonly T[], f: (r: T) => bigint) => rows.map((r) => f(r).toString());
const iso = <T>(rows: readonly T[], f: (r: T) => Date | null) => rows.map((r) => f(r)?.toISOString() ?? null);

/** What many invoices (and their ledger entries) share: lines, totals, source. */
export interface InvoiceShape {
  idx: number;
  source: string;
  subtotal: bigint;
  discount_total: bigint;
  tax_total: bigint;
  total: bigint;
  taxes: string;
  period_start: Date | null;
  period_end: Date | null;
}

export interface NewRunInvoice {
  id: string;
  subscriber_id: string;
  shape: number;
  status: 'open' | 'paid' | 'in_review';
  number: string | null;
  amount_paid: bigint;
  journal_entry_id: string | null;
}

export interface InvoiceBatch {
  organizationId: string;
  currency: string;
  runId: string | null;
  now: Date;
  issueDate: string | null;
  dueDate: string | null;
  shapes: readonly InvoiceShape[];
  invoices: readonly NewRunInvoice[];
}

/**
 * Inserts the invoices; an issued one carries the subscriber as billed, the same snapshot the
 * invoice engine takes (invoices.repo customerSnapshot): name, company, account number, the
 * primary-first phone and e-mail, the first non-installation-first address.
 */
export async function insertInvoices(trx: Transaction<DB>, b: InvoiceBatch): Promise<void> {
  if (b.invoices.length === 0) return;
  const inv = b.invoices;
  const sh = b.shapes;
  await sql`
    insert into invoices (id, organization_id, subscriber_id, number, status, source, currency, issue_date, due_date, period_start, period_end,
                          subtotal, discount_total, tax_total, total, amount_paid, taxes, customer, billing_run_id, journal_entry_id, issued_at,
                          created_at, updated_at)
    select i.id, ${b.organizationId}::uuid, i.subscriber_id, i.number, i.status, t.source, ${b.currency}, d.issue_date, d.due_date, t.period_start, t.period_end,
           t.subtotal, t.discount_total, t.tax_total, t.total, i.amount_paid, t.taxes,
           case when i.number is null then '{}'::jsonb else jsonb_build_object(
             'name', s.name, 'companyName', s.company_name, 'accountNumber', s.account_number, 'phone', c.phone, 'email', c.email,
             'address', (select nullif(concat_ws(', ', nullif(a.line1, ''), nullif(a.line2, ''), nullif(a.city, ''), nullif(a.region, ''), nullif(a.country, '')), '')
                           from subscriber_addresses a where a.subscriber_id = s.id order by a.is_installation asc, a.created_at limit 1)) end,
           ${b.runId}::uuid, i.journal_entry_id, case when i.number is null then null else ${b.now}::timestamptz end, ${b.now}, ${b.now}
      from unnest(${col(inv, 'id')}::uuid[], ${col(inv, 'subscriber_id')}::uuid[], ${col(inv, 'shape')}::int[], ${col(inv, 'status')}::text[],
                  ${col(inv, 'number')}::text[], ${big(inv, (i) => i.amount_paid)}::bigint[], ${col(inv, 'journal_entry_id')}::uuid[])
             as i(id, subscriber_id, shape, status, number, amount_paid, journal_entry_id)
      join unnest(${col(sh, 'idx')}::int[], ${col(sh, 'source')}::text[], ${big(sh, (s) => s.subtotal)}::bigint[], ${big(sh, (s) => s.discount_total)}::bigint[],
                  ${big(sh, (s) => s.tax_total)}::bigint[], ${big(sh, (s) => s.total)}::bigint[], ${col(sh, 'taxes')}::jsonb[],
                  ${iso(sh, (s) => s.period_start)}::timestamptz[], ${iso(sh, (s) => s.period_end)}::timestamptz[])
             as t(idx, source, subtotal, discount_total, tax_total, total, taxes, period_start, period_end) on t.idx = i.shape
      join subscribers s on s.id = i.subscriber_id and s.id = any(${[...new Set(col(inv, 'subscriber_id'))]}::uuid[])
      cross join lateral (select (array_agg(c.value order by c.is_primary desc, c.created_at) filter (where c.kind = 'phone'))[1] as phone,
                                 (array_agg(c.value order by c.is_primary desc, c.created_at) filter (where c.kind = 'email'))[1] as email
                            from subscriber_contacts c where c.subscriber_id = s.id) c
      cross join lateral (select case when i.number is null then null else ${b.issueDate}::date end as issue_date,
                                 case when i.number is null then null else ${b.dueDate}::date end as due_date) d`.execute(trx);
}

/** A priced line as many subscriptions share it; the period and plan version are part of it. */
export interface LineTemplate {
  idx: number;
  kind: string;
  plan_version_id: string | null;
  service_type: string;
  description_key: string | null;
  details: string;
  quantity: string;
  unit_price: string;
  amount: bigint;
  discount: bigint;
  net: bigint;
  tax: bigint;
  gross: bigint;
  taxes: string;
  period_start: Date | null;
  period_end: Date | null;
}

export interface NewRunLine {
  invoice_id: string;
  line_no: number;
  subscription_id: string;
  template: number;
}

export async function insertLines(trx: Transaction<DB>, templates: readonly LineTemplate[], lines: readonly NewRunLine[]): Promise<void> {
  if (lines.length === 0) return;
  const t = templates;
  await sql`
    insert into invoice_lines (invoice_id, line_no, kind, subscription_id, plan_version_id, service_type, description_key, details, quantity,
                               unit_price, amount, discount, net, tax, gross, taxes, period_start, period_end)
    select l.invoice_id, l.line_no, t.kind, l.subscription_id, t.plan_version_id, t.service_type, t.description_key, t.details, t.quantity,
           t.unit_price, t.amount, t.discount, t.net, t.tax, t.gross, t.taxes, t.period_start, t.period_end
      from unnest(${col(lines, 'invoice_id')}::uuid[], ${col(lines, 'line_no')}::smallint[], ${col(lines, 'subscription_id')}::uuid[],
                  ${col(lines, 'template')}::int[]) as l(invoice_id, line_no, subscription_id, template)
      join unnest(${col(t, 'idx')}::int[], ${col(t, 'kind')}::text[], ${col(t, 'plan_version_id')}::uuid[], ${col(t, 'service_type')}::text[],
                  ${col(t, 'description_key')}::text[], ${col(t, 'details')}::jsonb[], ${col(t, 'quantity')}::numeric[], ${col(t, 'unit_price')}::numeric[],
                  ${big(t, (x) => x.amount)}::bigint[], ${big(t, (x) => x.discount)}::bigint[], ${big(t, (x) => x.net)}::bigint[],
                  ${big(t, (x) => x.tax)}::bigint[], ${big(t, (x) => x.gross)}::bigint[], ${col(t, 'taxes')}::jsonb[],
                  ${iso(t, (x) => x.period_start)}::timestamptz[], ${iso(t, (x) => x.period_end)}::timestamptz[])
           as t(idx, kind, plan_version_id, service_type, description_key, details, quantity, unit_price, amount, discount, net, tax, gross,
                taxes, period_start, period_end) on t.idx = l.template`.execute(trx);
}

/** A journal line of a template entry: an organization's account, or the entry's subscriber's receivable or wallet. */
export interface EntryLineTemplate {
  entry: number;
  line_no: number;
  account_id: string | null;
  subscriber_account: 'accounts_receivable' | 'subscriber_wallet' | null;
  amount: bigint;
}

export interface NewRunEntry {
  id: string;
  receivable_id: string;
  wallet_id: string | null;
  template: number;
  kind: string;
  memo: string;
  idempotency_key: string;
}

/**
 * Posts the entries and their lines in two statements. The ledger's triggers check them as they
 * would any entry (statement-level: balances, accounts, credit limits; at commit: each balances).
 */
export async function postEntries(trx: Transaction<DB>, organizationId: string, currency: string, now: Date, templates: readonly EntryLineTemplate[], entries: readonly NewRunEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const e = entries;
  await sql`
    insert into journal_entries (id, organization_id, kind, memo, occurred_at, posted_at, idempotency_key)
    select x.id, ${organizationId}::uuid, x.kind, x.memo, ${now}::timestamptz, ${now}::timestamptz, x.idempotency_key
      from unnest(${col(e, 'id')}::uuid[], ${col(e, 'kind')}::text[], ${col(e, 'memo')}::text[], ${col(e, 'idempotency_key')}::text[])
           as x(id, kind, memo, idempotency_key)`.execute(trx);
  const t = templates;
  await sql`
    insert into journal_lines (entry_id, line_no, account_id, currency, amount)
    select x.id, t.line_no, case t.subscriber_account when 'accounts_receivable' then x.receivable_id when 'subscriber_wallet' then x.wallet_id else t.account_id end,
           ${currency}, t.amount
      from unnest(${col(e, 'id')}::uuid[], ${col(e, 'receivable_id')}::uuid[], ${col(e, 'wallet_id')}::uuid[], ${col(e, 'template')}::int[])
           as x(id, receivable_id, wallet_id, template)
      join unnest(${col(t, 'entry')}::int[], ${col(t, 'line_no')}::smallint[], ${col(t, 'account_id')}::uuid[], ${col(t, 'subscriber_account')}::text[],
                  ${big(t, (x) => x.amount)}::bigint[]) as t(entry, line_no, account_id, subscriber_account, amount) on t.entry = x.template`.execute(trx);
}

export async function insertWalletAllocations(trx: Transaction<DB>, now: Date, rows: readonly { invoice_id: string; amount: bigint; journal_entry_id: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into invoice_allocations (invoice_id, source, amount, journal_entry_id, created_at)
    select i, 'wallet', a, e, ${now}::timestamptz
      from unnest(${col(rows, 'invoice_id')}::uuid[], ${big(rows, (r) => r.amount)}::bigint[], ${col(rows, 'journal_entry_id')}::uuid[]) as x(i, a, e)`.execute(trx);
}

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
