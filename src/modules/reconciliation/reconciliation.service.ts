/**
 * Statement sources (a paybill, a bank account: its mapping, the channels it covers, whether lost
 * callbacks are credited at once), their imports and lines, and the payments no line accounts for.
 * Reading needs payments.read, changing payments.update; another tenant's source answers 404.
 */
import type { Kysely, Transaction } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { z } from 'zod';
import { formatMoney } from '../../core/money.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, Organization } from '../../platform/db/schema.ts';
import type { Payment } from '../../platform/db/schema/payments.ts';
import type { StatementSource } from '../../platform/db/schema/reconciliation.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as repo from './reconciliation.repo.ts';
import type { lineQuery, sourceInput, sourceUpdate, unmatchedPaymentsQuery } from './reconciliation.schemas.ts';
import { presets, statementMappingSchema, type StatementMapping } from './statement-format.ts';

export type Deps = Pick<AppContext, 'db' | 'clock'>;
type Db = Kysely<DB> | Transaction<DB>;

export function listPresets(actor: Actor) {
  requirePermission(actor, 'payments.read');
  return { items: presets.map((p) => ({ ...p, channels: [...p.channels] })) };
}

export const mapSource = (s: StatementSource) => ({
  id: s.id,
  organizationId: s.organization_id,
  key: s.key,
  name: s.name,
  preset: s.preset,
  gateway: s.gateway,
  channels: s.channels,
  currency: s.currency,
  mapping: mappingOf(s),
  autoCredit: s.auto_credit,
  dateWindowDays: s.date_window_days,
  updatedAt: s.updated_at.toISOString(),
});

export function mappingOf(s: StatementSource): StatementMapping {
  return statementMappingSchema.parse(s.mapping);
}

export async function sourceInScope(db: Db, actor: Actor, id: string): Promise<{ source: StatementSource; org: Organization }> {
  const source = await repo.findSourceInScope(db, actor.principal.scope, id);
  if (!source) throw new NotFoundError('Statement source');
  return { source, org: (await orgRepo.findById(db, source.organization_id))! };
}

/** A local day's first instant in the organization's time zone. */
export function dayStart(day: string, timeZone: string): Date {
  return new Date(Temporal.PlainDate.from(day).toZonedDateTime(timeZone).epochMilliseconds);
}

export function nextDay(day: string): string {
  return Temporal.PlainDate.from(day).add({ days: 1 }).toString();
}

export function localDay(at: Date, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

export async function listSources(deps: Deps, actor: Actor) {
  requirePermission(actor, 'payments.read');
  return { items: (await repo.sourcesInScope(deps.db, actor.principal.scope)).map(mapSource) };
}

export async function getSource(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'payments.read');
  return mapSource((await sourceInScope(deps.db, actor, id)).source);
}

function checkGateway(gateway: string | null, channels: readonly string[]): void {
  if (gateway && !channels.includes(gateway))
    throw new UnprocessableError('The gateway must be one of the channels', [{ field: 'channels', message: `must include ${gateway}` }]);
}

export async function createSource(deps: Deps, actor: Actor, input: z.infer<typeof sourceInput>) {
  requirePermission(actor, 'payments.update');
  checkGateway(input.gateway, input.channels);
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const org = (await orgRepo.findById(trx, scope.orgId))!;
    const exists = (await repo.sourcesInScope(trx, scope)).some((s) => s.organization_id === org.id && s.key === input.key);
    if (exists) throw new ConflictError(`A statement source ${input.key} already exists`, [{ field: 'key', message: 'is taken' }]);
    const source = await repo.insertSource(trx, {
      organization_id: org.id,
      key: input.key,
      name: input.name,
      preset: input.preset,
      gateway: input.gateway,
      channels: [...new Set(input.channels)],
      currency: input.currency ?? org.currency,
      mapping: input.mapping,
      auto_credit: input.autoCredit,
      date_window_days: input.dateWindowDays,
    });
    await appendAudit(trx, deps.clock, actor.audit, { action: 'statement_source.create', organizationId: org.id, organizationPath: org.path, objectType: 'statement_source', objectId: source.id, after: mapSource(source) });
    return mapSource(source);
  });
}

export async function updateSource(deps: Deps, actor: Actor, id: string, input: z.infer<typeof sourceUpdate>) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const { source, org } = await sourceInScope(trx, actor, id);
    const channels = input.channels ? [...new Set(input.channels)] : source.channels;
    const gateway = input.gateway === undefined ? source.gateway : input.gateway;
    checkGateway(gateway, channels);
    const updated = await repo.updateSource(trx, source.id, {
      name: input.name ?? source.name,
      preset: input.preset ?? source.preset,
      gateway,
      channels,
      currency: input.currency ?? source.currency,
      mapping: input.mapping ?? source.mapping,
      auto_credit: input.autoCredit ?? source.auto_credit,
      date_window_days: input.dateWindowDays ?? source.date_window_days,
      updated_at: deps.clock.now(),
    });
    await appendAudit(trx, deps.clock, actor.audit, { action: 'statement_source.update', organizationId: org.id, organizationPath: org.path, objectType: 'statement_source', objectId: source.id, before: mapSource(source), after: mapSource(updated) });
    return mapSource(updated);
  });
}

export async function listImports(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'payments.read');
  const { source } = await sourceInScope(deps.db, actor, id);
  const rows = await repo.importsOf(deps.db, source.id, 100);
  return {
    items: rows.map((r) => ({
      id: r.id,
      filename: r.filename,
      periodFrom: r.period_from,
      periodTo: r.period_to,
      linesTotal: r.lines_total,
      linesNew: r.lines_new,
      rowsSkipped: r.rows_skipped,
      importedBy: r.imported_by,
      createdAt: r.created_at.toISOString(),
    })),
  };
}

export function mapLine(l: repo.LineWithPayment) {
  const money = (minor: bigint | null) => (minor === null ? null : formatMoney({ minor, currency: l.currency }));
  return {
    id: l.id,
    sourceId: l.source_id,
    line: l.line_no,
    kind: l.kind,
    status: l.status,
    note: l.note,
    postedAt: l.posted_at.toISOString(),
    amount: formatMoney({ minor: l.amount, currency: l.currency }),
    currency: l.currency,
    transactionId: l.transaction_id,
    reference: l.reference,
    description: l.description,
    payerName: l.payer_name,
    payerPhone: l.payer_phone,
    paymentId: l.payment_id,
    paymentAmount: money(l.payment_amount),
    paymentTransactionId: l.payment_transaction_id,
    paymentReceiptNo: l.payment_receipt_no === null ? null : String(l.payment_receipt_no),
    difference: l.payment_amount === null ? null : money(l.amount - BigInt(l.payment_amount)),
    matchMethod: l.match_method,
    ignoreReason: l.ignore_reason,
    matchedAt: l.matched_at?.toISOString() ?? null,
  };
}

export async function listLines(deps: Deps, actor: Actor, id: string, q: z.infer<typeof lineQuery>) {
  requirePermission(actor, 'payments.read');
  const { source, org } = await sourceInScope(deps.db, actor, id);
  const rows = await repo.linesOf(deps.db, source.id, {
    status: q.status,
    kind: q.kind,
    from: q.from ? dayStart(q.from, org.timezone) : undefined,
    to: q.to ? dayStart(nextDay(q.to), org.timezone) : undefined,
    limit: q.limit,
  });
  return { items: rows.map(mapLine) };
}

export const mapPayment = (p: Payment) => ({
  id: p.id,
  receiptNo: String(p.receipt_no),
  channel: p.channel,
  transactionId: p.transaction_id,
  amount: formatMoney({ minor: p.amount, currency: p.currency }),
  currency: p.currency,
  reference: p.reference,
  payerName: p.payer_name,
  payerPhone: p.payer_phone,
  status: p.status,
  receivedAt: p.received_at.toISOString(),
});

/**
 * Our payments of the source's channels that no statement line accounts for, from the first day
 * its statements cover (less the matching window) to the last (or the day asked): money we
 * recorded that the bank or the gateway does not show.
 */
export async function unmatchedPayments(deps: Deps, actor: Actor, id: string, q: z.infer<typeof unmatchedPaymentsQuery>) {
  requirePermission(actor, 'payments.read');
  const { source, org } = await sourceInScope(deps.db, actor, id);
  const period = await repo.coveredPeriod(deps.db, source.id);
  const to = q.to ?? period.to;
  if (!period.from || !to) return { periodFrom: period.from, periodTo: to, items: [] };
  // A payment recorded a little before the first statement day may still be on it (the matching window).
  const from = new Date(dayStart(period.from, org.timezone).getTime() - source.date_window_days * 86_400_000);
  const rows = await repo.unmatchedPayments(deps.db, source, { from, to: dayStart(nextDay(to), org.timezone), limit: 1000 });
  return { periodFrom: period.from, periodTo: to, items: rows.map(mapPayment) };
}
