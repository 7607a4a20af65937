/**
 * The rows a chunk writes, set-based: invoices, their lines, journal entries and lines, wallet
 * payments. Rows travel as arrays through unnest; what many rows share (a priced line, an
 * invoice's shape, an entry's lines) travels once as a template and is joined in.
 */
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

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

