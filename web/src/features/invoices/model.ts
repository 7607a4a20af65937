import type { TFunction } from 'i18next';
import type { components } from '../../api/schema.d.ts';

// The generated types themselves (not the client), so these pure helpers also load outside a browser.
type Schemas = components['schemas'];

export type Invoice = Schemas['Invoice'];
export type InvoiceDetail = Schemas['InvoiceDetail'];
export type InvoiceLine = Schemas['InvoiceLine'];
export type InvoiceStatus = Invoice['status'];
export type ManualLine = Schemas['CreateInvoice']['lines'][number];

export const invoiceStatuses: InvoiceStatus[] = ['draft', 'in_review', 'approved', 'open', 'partially_paid', 'overdue', 'paid', 'void'];
export const statusColors: Record<InvoiceStatus, string> = {
  draft: 'gray',
  in_review: 'violet',
  approved: 'indigo',
  open: 'blue',
  partially_paid: 'cyan',
  overdue: 'red',
  paid: 'teal',
  void: 'dark',
};

/** Service types a manual line is booked under (revenue by service type); billed lines may carry others. */
export const lineServiceTypes = ['pppoe', 'hotspot', 'static_ip', 'bulk_bandwidth', 'cable_tv', 'installation', 'equipment', 'other'] as const;

export type InvoiceAction = 'submit' | 'approve' | 'issue' | 'payFromWallet' | 'void' | 'creditNote' | 'delete';

const permissionOf: Record<InvoiceAction, string> = {
  submit: 'invoices.update',
  approve: 'invoices.update',
  issue: 'invoices.update',
  payFromWallet: 'invoices.update',
  void: 'invoices.update',
  creditNote: 'invoices.create',
  delete: 'invoices.delete',
};

const decimalPattern = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Whether a decimal string ("0.00", "-0", "12.5") is zero, without parsing it into a float. */
export function isZeroDecimal(value: string): boolean {
  const m = decimalPattern.exec(value.trim());
  return !!m && /^0+$/.test(m[2]!) && /^0*$/.test(m[3] ?? '');
}

/**
 * What a user may do with an invoice in its status, as the server's rules allow: a draft is issued
 * (or sent for review), a review approved, an issued unpaid invoice paid from the wallet or voided
 * while nothing is paid or credited on it, an issued invoice credited; an unissued manual one deleted.
 */
export function invoiceActions(invoice: Pick<Invoice, 'kind' | 'status' | 'source' | 'amountPaid' | 'amountCredited'>, can: (permission: string) => boolean): InvoiceAction[] {
  if (invoice.kind === 'credit_note') return [];
  const untouched = isZeroDecimal(invoice.amountPaid) && isZeroDecimal(invoice.amountCredited);
  const unpaid = invoice.status === 'open' || invoice.status === 'partially_paid' || invoice.status === 'overdue';
  const byStatus: Record<InvoiceStatus, InvoiceAction[]> = {
    draft: ['issue', 'submit', 'delete'],
    in_review: ['approve', 'delete'],
    approved: ['issue', 'delete'],
    open: [],
    partially_paid: [],
    overdue: [],
    paid: ['creditNote'],
    void: [],
  };
  const actions = unpaid ? ['payFromWallet', ...(untouched ? ['void' as const] : []), 'creditNote' as const] : byStatus[invoice.status];
  return (actions as InvoiceAction[]).filter((a) => (a !== 'delete' || invoice.source === 'manual') && can(permissionOf[a]));
}

/** The last instant inside a period that ends (exclusively) at `end`. */
export function lastInstant(end: string): Date {
  return new Date(Date.parse(end) - 1);
}

/**
 * A calendar date ("2026-03-01": an issue or due date, already a day of the organization's zone)
 * in the interface language. Read at UTC midnight and shown in UTC, so no zone moves it a day.
 */
export function calendarDate(date: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}

/** Keys with a variant for a tier that has no upper bound (details.to is empty). */
const openEnded = new Set(['usage_graduatedTier', 'usage_volumeTier']);

/**
 * The text of a line: what was typed for manual lines, otherwise the translation of its key
 * ("invoiceLine.usage.perUnit" → "invoices.lineKind.usage_perUnit") filled with its details.
 */
export function lineDescription(line: Pick<InvoiceLine, 'description' | 'descriptionKey' | 'details'>, t: TFunction): string {
  if (line.description.trim() || !line.descriptionKey) return line.description;
  const key = line.descriptionKey.replace(/^invoiceLine\./, '').replaceAll('.', '_');
  const variant = line.details.to === '' && openEnded.has(key) ? `${key}_open` : key;
  return t(`invoices.lineKind.${variant}`, { ...line.details, defaultValue: line.descriptionKey });
}

export interface LinePart {
  descriptionKey: string;
  details: Record<string, string>;
  amount: string;
}

/** The charges a combined line sums (details.parts, a JSON list), or none when the line is not one. */
export function lineParts(line: Pick<InvoiceLine, 'details'>): LinePart[] {
  try {
    const parsed: unknown = JSON.parse(line.details.parts ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((p): p is LinePart => typeof p?.descriptionKey === 'string' && typeof p?.amount === 'string')
      .map((p) => ({ descriptionKey: p.descriptionKey, details: p.details ?? {}, amount: p.amount }));
  } catch {
    return [];
  }
}

/** The billed name: the customer snapshot frozen at issue (company first), or null before issue. */
export function customerName(invoice: Pick<Invoice, 'customer'>): string | null {
  const c = invoice.customer as { name?: unknown; companyName?: unknown };
  const name = typeof c.companyName === 'string' && c.companyName ? c.companyName : c.name;
  return typeof name === 'string' && name ? name : null;
}

/** The line numbers of an invoice that its credit notes (not voided) have already given back. */
export function creditedLineNos(creditNotes: readonly Pick<InvoiceDetail, 'status' | 'lines'>[]): Set<number> {
  const out = new Set<number>();
  for (const note of creditNotes) {
    if (note.status === 'void') continue;
    for (const line of note.lines) {
      const n = Number(line.details.creditsLine);
      if (Number.isInteger(n) && n > 0) out.add(n);
    }
  }
  return out;
}

function parseDecimal(value: string): { units: bigint; scale: number } | null {
  const m = decimalPattern.exec(value.trim());
  if (!m) return null;
  const fraction = m[3] ?? '';
  const units = BigInt(m[2]! + fraction);
  return { units: m[1] ? -units : units, scale: fraction.length };
}

function toDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** quantity × unit price exactly ("2.5" × "1500.40" = "3751"), or null while either is not a decimal. */
export function multiplyDecimals(a: string, b: string): string | null {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) return null;
  return toDecimal(x.units * y.units, x.scale + y.scale);
}

/** The exact sum of decimal strings, or null when one is not a decimal. */
export function sumDecimals(values: readonly string[]): string | null {
  const parsed = values.map(parseDecimal);
  if (parsed.some((p) => !p)) return null;
  const scale = Math.max(0, ...parsed.map((p) => p!.scale));
  return toDecimal(
    parsed.reduce((sum, p) => sum + p!.units * 10n ** BigInt(scale - p!.scale), 0n),
    scale,
  );
}

export interface LineRow {
  description: string;
  serviceType: string;
  quantity: string;
  unitPrice: string;
  taxClassId: string | null;
}

export const emptyLine = (): LineRow => ({ description: '', serviceType: 'other', quantity: '1', unitPrice: '', taxClassId: null });

/** The lines as the API takes them, one for one (so a field error names the row it belongs to). */
export function manualLines(rows: readonly LineRow[]): ManualLine[] {
  return rows.map((r) => ({ description: r.description.trim(), serviceType: r.serviceType, quantity: r.quantity.trim() || '1', unitPrice: r.unitPrice.trim(), taxClassId: r.taxClassId }));
}
