import { minorDigits } from '../../../core/money.ts';
import { requirePermission, type Actor } from '../../../platform/auth/principal.ts';
import type { AppContext } from '../../../platform/context.ts';
import { everyPage, toCsv } from '../../../platform/http/list.ts';
import { writeXlsx, type XlsxCell } from '../../../platform/xlsx/xlsx.ts';
import { listSubscribers, exportColumns as subscriberColumns } from '../../subscribers/subscribers.service.ts';
import type { SubscriberListQuery } from '../../subscribers/subscribers.schemas.ts';
import type { InvoiceListQuery } from '../invoices.schemas.ts';
import { listInvoices } from '../invoices.service.ts';
import * as repo from './documents.repo.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;
export type InvoiceExportQuery = Omit<InvoiceListQuery, 'cursor' | 'limit'>;

type ListedInvoice = Awaited<ReturnType<typeof listInvoices>>['items'][number];

const moneyColumns = ['subtotal', 'discountTotal', 'taxTotal', 'total', 'amountPaid', 'amountCredited', 'balanceDue'] as const;
const dateColumns = ['issueDate', 'dueDate'] as const;
export const invoiceExportColumns = [
  'number',
  'kind',
  'status',
  ...dateColumns,
  'accountNumber',
  'customer',
  'currency',
  ...moneyColumns,
  'organizationId',
  'subscriberId',
  'creditsInvoiceId',
  'id',
  'createdAt',
] as const;
type InvoiceExportRow = Record<(typeof invoiceExportColumns)[number], string | null>;

/**
 * Every invoice the list would show for the filters, page by page, with the customer as billed
 * (or, for one not issued yet, the subscriber as they are now).
 */
async function invoiceRows(deps: Deps, actor: Actor, query: InvoiceExportQuery): Promise<InvoiceExportRow[]> {
  requirePermission(actor, 'invoices.export');
  const invoices: ListedInvoice[] = await everyPage(query, (q: InvoiceListQuery) => listInvoices(deps, actor, q));
  const unissued = invoices.filter((i) => typeof i.customer.name !== 'string').map((i) => i.subscriberId);
  const current = await repo.subscriberNames(deps.db, unissued);
  return invoices.map((i) => {
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    const now = current.get(i.subscriberId);
    return {
      ...i,
      accountNumber: text(i.customer.accountNumber) ?? now?.accountNumber ?? null,
      customer: text(i.customer.name) ?? now?.name ?? null,
    };
  });
}

export async function exportInvoicesCsv(deps: Deps, actor: Actor, query: InvoiceExportQuery): Promise<string> {
  return toCsv([...invoiceExportColumns], await invoiceRows(deps, actor, query));
}

/** Amounts are number cells holding the exact decimal the API shows, with the currency's decimals. */
export async function exportInvoicesXlsx(deps: Deps, actor: Actor, query: InvoiceExportQuery): Promise<Buffer> {
  const rows = await invoiceRows(deps, actor, query);
  const money = new Set<string>(moneyColumns);
  const dates = new Set<string>(dateColumns);
  return writeXlsx([
    {
      name: 'Invoices',
      header: invoiceExportColumns,
      widths: invoiceExportColumns.map((c) => (c.endsWith('Id') || c === 'id' ? 38 : c === 'customer' ? 28 : 16)),
      rows: rows.map((r) =>
        invoiceExportColumns.map((c): XlsxCell => {
          const v = r[c];
          if (v === null) return null;
          if (money.has(c)) return { number: v, digits: minorDigits(r.currency ?? '') };
          if (dates.has(c)) return { date: v };
          return v;
        }),
      ),
    },
  ]);
}

/** The subscriber CSV export's rows and columns, as a workbook (its query and permission too). */
export async function exportSubscribersXlsx(deps: Deps, actor: Actor, query: Omit<SubscriberListQuery, 'cursor' | 'limit'>): Promise<Buffer> {
  requirePermission(actor, 'subscribers.export');
  const subscribers = await everyPage(query, (q: SubscriberListQuery) => listSubscribers(deps, actor, q));
  return writeXlsx([
    {
      name: 'Subscribers',
      header: subscriberColumns,
      widths: subscriberColumns.map((c) => (c.endsWith('Id') || c === 'id' ? 38 : c === 'name' || c === 'companyName' || c === 'email' ? 28 : 16)),
      rows: subscribers.map((s) => {
        const row: Record<string, unknown> = { ...s, tags: s.tags.join(';') };
        return subscriberColumns.map((c): XlsxCell => {
          const v = row[c];
          if (v === null || v === undefined) return null;
          return c === 'suspendOn' ? { date: String(v) } : String(v);
        });
      }),
    },
  ]);
}
