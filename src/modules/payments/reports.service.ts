/**
 * What came in, and how: payments by method or gateway, by collector and by day for a day range in
 * an organization's subtree and one currency, with totals; the same as CSV. Also the payments
 * list's CSV/XLSX export and the receipt PDF.
 */
import { formatMoney, minorDigits } from '../../core/money.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { fileStoreFor } from '../../platform/files/store.ts';
import { everyPage, toCsv } from '../../platform/http/list.ts';
import { writeXlsx, type XlsxCell } from '../../platform/xlsx/xlsx.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import type { PaymentExportQuery, PaymentListQuery, ReportQuery } from './payments.schemas.ts';
import { receiptNumber } from './payments.schemas.ts';
import { listPayments } from './payments.service.ts';
import * as repo from './payments.repo.ts';
import { renderPaymentReceipt } from './receipt-pdf.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

export async function paymentReport(deps: Deps, actor: Actor, query: ReportQuery) {
  requirePermission(actor, 'payments.read');
  const org = await orgRepo.findInScope(deps.db, actor.principal.scope, query.organizationId ?? actor.principal.scope.orgId);
  if (!org) throw new NotFoundError('Organization');
  const currency = query.currency ?? org.currency;
  const base = { organizationId: org.id, currency, from: query.from, to: query.to, timezone: org.timezone };
  const [byChannel, byCollector, byDay] = await Promise.all([
    repo.reportRows(deps.db, { ...base, by: 'channel' }),
    repo.reportRows(deps.db, { ...base, by: 'collector' }),
    repo.reportRows(deps.db, { ...base, by: 'day' }),
  ]);
  const money = (minor: bigint) => formatMoney({ minor, currency });
  const figures = (r: { count: number; amount: bigint; refunded: bigint }) => ({ count: r.count, amount: money(r.amount), refunded: money(r.refunded) });
  const total = byChannel.reduce((s, r) => ({ count: s.count + r.count, amount: s.amount + r.amount, refunded: s.refunded + r.refunded }), { count: 0, amount: 0n, refunded: 0n });
  return {
    organizationId: org.id,
    currency,
    from: query.from,
    to: query.to,
    timezone: org.timezone,
    total: figures(total),
    byMethod: byChannel.map((r) => ({ channel: r.key ?? '', ...figures(r) })),
    byCollector: byCollector.map((r) => ({ collectorId: r.key, collectorName: r.label, ...figures(r) })),
    byDay: byDay.map((r) => ({ date: r.key ?? '', ...figures(r) })),
  };
}

/** One CSV with a section column: each grouping's rows, then the total. */
export async function paymentReportCsv(deps: Deps, actor: Actor, query: ReportQuery): Promise<string> {
  requirePermission(actor, 'payments.export');
  const r = await paymentReport(deps, actor, query);
  const rows = [
    ...r.byMethod.map((m) => ({ section: 'method', key: m.channel, name: '', ...m })),
    ...r.byCollector.map((c) => ({ section: 'collector', key: c.collectorId ?? '', name: c.collectorName ?? '', ...c })),
    ...r.byDay.map((d) => ({ section: 'day', key: d.date, name: '', ...d })),
    { section: 'total', key: '', name: '', ...r.total },
  ].map((row) => ({ ...row, currency: r.currency }));
  return toCsv(['section', 'key', 'name', 'count', 'amount', 'refunded', 'currency'], rows);
}

const exportColumns = [
  'receiptNumber',
  'receivedAt',
  'channel',
  'transactionId',
  'reference',
  'status',
  'accountNumber',
  'subscriberName',
  'payerName',
  'payerPhone',
  'currency',
  'amount',
  'amountRefunded',
  'collectorName',
  'memo',
  'subscriberId',
  'organizationId',
  'id',
] as const;

async function exportRows(deps: Deps, actor: Actor, query: PaymentExportQuery) {
  requirePermission(actor, 'payments.export');
  return everyPage(query, (q: PaymentListQuery) => listPayments(deps, actor, q));
}

export async function exportPaymentsCsv(deps: Deps, actor: Actor, query: PaymentExportQuery): Promise<string> {
  return toCsv([...exportColumns], await exportRows(deps, actor, query));
}

/** Amounts are number cells with the currency's decimals; the day received a date cell. */
export async function exportPaymentsXlsx(deps: Deps, actor: Actor, query: PaymentExportQuery): Promise<Buffer> {
  const rows = await exportRows(deps, actor, query);
  return writeXlsx([
    {
      name: 'Payments',
      header: exportColumns,
      widths: exportColumns.map((c) => (c.endsWith('Id') || c === 'id' ? 38 : c.endsWith('Name') ? 28 : 16)),
      rows: rows.map((p) =>
        exportColumns.map((c): XlsxCell => {
          const v = p[c];
          if (v === null || v === undefined) return null;
          if (c === 'amount' || c === 'amountRefunded') return { number: String(v), digits: minorDigits(p.currency) };
          return String(v);
        }),
      ),
    },
  ]);
}

export async function paymentReceiptPdf(deps: Pick<AppContext, 'db' | 'config'>, actor: Actor, id: string, locale?: string) {
  requirePermission(actor, 'payments.read');
  const payment = await repo.findInScope(deps.db, actor.principal.scope, id);
  if (!payment) throw new NotFoundError('Payment');
  return { filename: `${receiptNumber(payment.receipt_no)}.pdf`, data: await renderPaymentReceipt(deps.db, fileStoreFor(deps.config), payment, locale) };
}
