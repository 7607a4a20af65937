/** SQL of reconciliation: statement sources, imports and lines, and the payments they match. */
import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Payment } from '../../platform/db/schema/payments.ts';
import type {
  StatementImport,
  StatementImportsTable,
  StatementLine,
  StatementLineStatus,
  StatementLinesTable,
  StatementSource,
  StatementSourcesTable,
} from '../../platform/db/schema/reconciliation.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

export function sourcesInScope(db: Db, scope: Scope): Promise<StatementSource[]> {
  return db.selectFrom('statement_sources').selectAll().where(inScope(scope, 'statement_sources.organization_id')).orderBy('name').orderBy('id').execute();
}

export function findSourceInScope(db: Db, scope: Scope, id: string): Promise<StatementSource | undefined> {
  return db.selectFrom('statement_sources').selectAll().where('id', '=', id).where(inScope(scope, 'statement_sources.organization_id')).executeTakeFirst();
}

export function insertSource(db: Db, values: Insertable<StatementSourcesTable>): Promise<StatementSource> {
  return db.insertInto('statement_sources').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateSource(db: Db, id: string, values: Updateable<StatementSourcesTable>): Promise<StatementSource> {
  return db.updateTable('statement_sources').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** One import or matching run of a source at a time: its lines and payments are decided together. */
export async function lockSource(trx: Transaction<DB>, id: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`statement-source|${id}`}, 0))`.execute(trx);
}

/** Every source with receipt lines still open, for the hourly matching run. */
export function sourcesWithOpenLines(db: Db): Promise<StatementSource[]> {
  return db
    .selectFrom('statement_sources as s')
    .selectAll('s')
    .where(({ exists, selectFrom }) => exists(selectFrom('statement_lines as l').select('l.id').whereRef('l.source_id', '=', 's.id').where('l.status', '=', 'unmatched')))
    .orderBy('s.id')
    .execute();
}

export function insertImport(trx: Transaction<DB>, values: Insertable<StatementImportsTable>): Promise<StatementImport> {
  return trx.insertInto('statement_imports').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateImportCount(trx: Transaction<DB>, id: string, linesNew: number): Promise<unknown> {
  return trx.updateTable('statement_imports').set({ lines_new: linesNew }).where('id', '=', id).execute();
}

/** Inserts the lines not stored yet (the source's dedupe key); answers how many were new. */
/** The fee and settlement lines an import brought in (new ones only: a line imported before is not brought again). */
export function movementsOfImport(db: Db, importId: string) {
  return db
    .selectFrom('statement_lines')
    .select(['id', 'kind', 'amount', 'currency', 'posted_at', 'transaction_id', 'description'])
    .where('import_id', '=', importId)
    .where('kind', 'in', ['fee', 'settlement'])
    .orderBy('line_no')
    .execute();
}

export async function insertLines(trx: Transaction<DB>, rows: Insertable<StatementLinesTable>[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const r = await trx.insertInto('statement_lines').values(chunk).onConflict((oc) => oc.columns(['source_id', 'dedupe_key']).doNothing()).returning('id').execute();
    inserted += r.length;
  }
  return inserted;
}

export function importsOf(db: Db, sourceId: string, limit: number): Promise<StatementImport[]> {
  return db.selectFrom('statement_imports').selectAll().where('source_id', '=', sourceId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** What the source's statements cover: the first and last day of its imports. */
export function coveredPeriod(db: Db, sourceId: string): Promise<{ from: string | null; to: string | null }> {
  return db
    .selectFrom('statement_imports')
    .select((eb) => [eb.fn.min('period_from').as('from'), eb.fn.max('period_to').as('to')])
    .where('source_id', '=', sourceId)
    .executeTakeFirstOrThrow() as Promise<{ from: string | null; to: string | null }>;
}

export function openReceipts(trx: Transaction<DB>, sourceId: string): Promise<StatementLine[]> {
  return trx.selectFrom('statement_lines').selectAll().where('source_id', '=', sourceId).where('status', '=', 'unmatched').orderBy('posted_at').orderBy('id').execute();
}

const notMatched = sql<boolean>`not exists (select 1 from statement_lines l where l.payment_id = payments.id)`;

/** The source's payments (its organization and channels) that no statement line accounts for. */
export function unmatchedPayments(db: Db, source: StatementSource, range: { from?: Date; to?: Date; limit?: number }): Promise<Payment[]> {
  let q = db
    .selectFrom('payments')
    .selectAll()
    .where('organization_id', '=', source.organization_id)
    .where('channel', 'in', source.channels)
    .where('currency', '=', source.currency)
    .where(notMatched);
  if (range.from) q = q.where('received_at', '>=', range.from);
  if (range.to) q = q.where('received_at', '<', range.to);
  return q.orderBy('received_at').orderBy('id').limit(range.limit ?? 10_000).execute();
}

/** The source's unmatched payments with these transaction ids, whenever received. */
export function unmatchedPaymentsWithTransactionIds(db: Db, source: StatementSource, ids: readonly string[]): Promise<Payment[]> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('organization_id', '=', source.organization_id)
    .where('channel', 'in', source.channels)
    .where('currency', '=', source.currency)
    .where('transaction_id', 'in', [...ids])
    .where(notMatched)
    .execute();
}

/** Of these transaction ids, the ones the gateway's channel has a payment for (matched or not). */
export async function knownTransactionIds(db: Db, organizationId: string, channel: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('payments')
    .select('transaction_id')
    .where('organization_id', '=', organizationId)
    .where('channel', '=', channel)
    .where('transaction_id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.transaction_id));
}

export function findLineInScope(db: Db, scope: Scope, id: string): Promise<StatementLine | undefined> {
  return db.selectFrom('statement_lines').selectAll().where('id', '=', id).where(inScope(scope, 'statement_lines.organization_id')).executeTakeFirst();
}

export function lockLine(trx: Transaction<DB>, id: string): Promise<StatementLine | undefined> {
  return trx.selectFrom('statement_lines').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateLine(trx: Transaction<DB>, id: string, values: Updateable<StatementLinesTable>): Promise<StatementLine> {
  return trx.updateTable('statement_lines').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Matches lines to payments in one statement (an import matches thousands at once). */
export async function setMatches(trx: Transaction<DB>, matches: readonly { lineId: string; paymentId: string; method: 'transaction_id' | 'reference' }[], at: Date, by: string | null): Promise<void> {
  if (matches.length === 0) return;
  await sql`update statement_lines l
    set status = 'matched', payment_id = m.payment_id, match_method = m.method, note = null, matched_at = ${at}, matched_by = ${by}
    from unnest(${matches.map((m) => m.lineId)}::uuid[], ${matches.map((m) => m.paymentId)}::uuid[], ${matches.map((m) => m.method)}::text[]) as m(line_id, payment_id, method)
    where l.id = m.line_id`.execute(trx);
}

export function setNotes(trx: Transaction<DB>, ids: readonly string[], note: 'ambiguous' | 'lost_callback' | null): Promise<unknown> {
  if (ids.length === 0) return Promise.resolve();
  return trx.updateTable('statement_lines').set({ note }).where('id', 'in', [...ids]).execute();
}

export function paymentInScope(db: Db, scope: Scope, id: string): Promise<Payment | undefined> {
  return db.selectFrom('payments').selectAll().where('id', '=', id).where(inScope(scope, 'payments.organization_id')).executeTakeFirst();
}

export function lineOfPayment(db: Db, paymentId: string): Promise<StatementLine | undefined> {
  return db.selectFrom('statement_lines').selectAll().where('payment_id', '=', paymentId).executeTakeFirst();
}

export interface LineFilter {
  status?: StatementLineStatus;
  kind?: string;
  from?: Date;
  to?: Date;
  limit: number;
}

export type LineWithPayment = StatementLine & { payment_amount: bigint | null; payment_transaction_id: string | null; payment_receipt_no: bigint | null };

function linesWithPayments(db: Db) {
  return db
    .selectFrom('statement_lines as l')
    .leftJoin('payments as p', 'p.id', 'l.payment_id')
    .selectAll('l')
    .select(['p.amount as payment_amount', 'p.transaction_id as payment_transaction_id', 'p.receipt_no as payment_receipt_no']);
}

export function linesOfIds(db: Db, ids: readonly string[]): Promise<LineWithPayment[]> {
  return linesWithPayments(db).where('l.id', 'in', [...ids]).execute() as Promise<LineWithPayment[]>;
}

export function linesOf(db: Db, sourceId: string, f: LineFilter): Promise<LineWithPayment[]> {
  let q = linesWithPayments(db).where('l.source_id', '=', sourceId);
  if (f.status) q = q.where('l.status', '=', f.status);
  if (f.kind) q = q.where('l.kind', '=', f.kind as StatementLine['kind']);
  if (f.from) q = q.where('l.posted_at', '>=', f.from);
  if (f.to) q = q.where('l.posted_at', '<', f.to);
  return q.orderBy('l.posted_at', 'desc').orderBy('l.id', 'desc').limit(f.limit).execute() as Promise<LineWithPayment[]>;
}

export interface DailyLineRow {
  day: string;
  lines: number;
  matched: number;
  unmatched: number;
  ignored: number;
  receipts: bigint;
  matched_amount: bigint;
  matched_payments_amount: bigint;
  unmatched_amount: bigint;
  fees: bigint;
  settled: bigint;
}

/** Per local day of a source: its lines by status and their sums, and what matched payments hold. */
export async function dailyLines(db: Db, source: StatementSource, timeZone: string, from: Date, to: Date): Promise<DailyLineRow[]> {
  const r = await sql<DailyLineRow>`
    select to_char(l.posted_at at time zone ${timeZone}, 'YYYY-MM-DD') as day,
      count(*) filter (where l.kind = 'receipt')::int as lines,
      count(*) filter (where l.status = 'matched')::int as matched,
      count(*) filter (where l.status = 'unmatched')::int as unmatched,
      count(*) filter (where l.status = 'ignored')::int as ignored,
      coalesce(sum(l.amount) filter (where l.kind = 'receipt'), 0)::bigint as receipts,
      coalesce(sum(l.amount) filter (where l.status = 'matched'), 0)::bigint as matched_amount,
      coalesce(sum(p.amount) filter (where l.status = 'matched'), 0)::bigint as matched_payments_amount,
      coalesce(sum(l.amount) filter (where l.status = 'unmatched'), 0)::bigint as unmatched_amount,
      coalesce(sum(l.amount) filter (where l.kind = 'fee'), 0)::bigint as fees,
      coalesce(sum(l.amount) filter (where l.kind = 'settlement'), 0)::bigint as settled
    from statement_lines l left join payments p on p.id = l.payment_id
    where l.source_id = ${source.id} and l.posted_at >= ${from} and l.posted_at < ${to}
    group by 1 order by 1`.execute(db);
  return r.rows;
}

export interface DailyPaymentRow {
  day: string;
  count: number;
  amount: bigint;
  unmatched: number;
  unmatched_amount: bigint;
}

/** Per local day: the payments of these channels received, and those no statement line accounts for. */
export async function dailyPayments(db: Db, organizationId: string, channels: readonly string[], currency: string, timeZone: string, from: Date, to: Date): Promise<DailyPaymentRow[]> {
  const r = await sql<DailyPaymentRow>`
    select to_char(p.received_at at time zone ${timeZone}, 'YYYY-MM-DD') as day,
      count(*)::int as count,
      coalesce(sum(p.amount), 0)::bigint as amount,
      count(*) filter (where l.id is null)::int as unmatched,
      coalesce(sum(p.amount) filter (where l.id is null), 0)::bigint as unmatched_amount
    from payments p left join statement_lines l on l.payment_id = p.id
    where p.organization_id = ${organizationId} and p.channel = any(${[...channels]}::text[]) and p.currency = ${currency}
      and p.received_at >= ${from} and p.received_at < ${to}
    group by 1 order by 1`.execute(db);
  return r.rows;
}

/**
 * The balance of a gateway's clearing account at the end of each of these days (an asset: debits
 * positive), from the journal, by the entries' occurrence.
 */
export async function clearingBalances(db: Db, organizationId: string, gateway: string, currency: string, dayEnds: readonly { day: string; end: Date }[]): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  if (dayEnds.length === 0) return out;
  const r = await sql<{ day: string; balance: bigint }>`
    select d.day, coalesce((
      select sum(jl.amount) from journal_lines jl
        join journal_entries je on je.id = jl.entry_id
        join ledger_accounts a on a.id = jl.account_id
      where a.organization_id = ${organizationId} and a.system_key = ${`gateway_clearing:${gateway}`} and a.currency = ${currency}
        and je.occurred_at < d.end_at), 0)::bigint as balance
    from unnest(${dayEnds.map((d) => d.day)}::text[], ${dayEnds.map((d) => d.end.toISOString())}::timestamptz[]) as d(day, end_at)`.execute(db);
  for (const row of r.rows) out.set(row.day, BigInt(row.balance));
  return out;
}

/** Per local day: the fees and settlements on the statements of an organization's gateway. */
export async function gatewayStatementDaily(db: Db, organizationId: string, gateway: string, currency: string, timeZone: string, from: Date, to: Date) {
  const r = await sql<{ day: string; fees: bigint; settled: bigint }>`
    select to_char(l.posted_at at time zone ${timeZone}, 'YYYY-MM-DD') as day,
      coalesce(sum(l.amount) filter (where l.kind = 'fee'), 0)::bigint as fees,
      coalesce(sum(l.amount) filter (where l.kind = 'settlement'), 0)::bigint as settled
    from statement_lines l join statement_sources s on s.id = l.source_id
    where s.organization_id = ${organizationId} and s.gateway = ${gateway} and l.currency = ${currency}
      and l.posted_at >= ${from} and l.posted_at < ${to}
    group by 1 order by 1`.execute(db);
  return r.rows;
}
