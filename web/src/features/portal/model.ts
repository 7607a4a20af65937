import type { components } from '../../api/schema.d.ts';

// The generated types themselves (not the client), so these pure helpers also load outside a browser.
type Schemas = components['schemas'];

export type Profile = Schemas['PortalProfile'];
export type Subscription = Schemas['PortalSubscription'];
export type Invoice = Schemas['PortalInvoice'];
export type InvoiceDetail = Schemas['PortalInvoiceDetail'];
export type InvoiceStatus = Invoice['status'];
export type StatementItem = Schemas['WalletStatement']['items'][number];

export const unpaidStatuses: readonly InvoiceStatus[] = ['open', 'partially_paid', 'overdue'];

export const invoiceStatusColors: Record<InvoiceStatus, string> = {
  open: 'blue',
  partially_paid: 'cyan',
  overdue: 'red',
  paid: 'teal',
  void: 'gray',
};

export const serviceStatusColors: Record<Subscription['status'], string> = {
  pending: 'gray',
  active: 'teal',
  grace: 'yellow',
  suspended: 'red',
  terminated: 'dark',
};

/** Whether an invoice still asks for money (a credit note never does). */
export function isUnpaid(invoice: Pick<Invoice, 'kind' | 'status'>): boolean {
  return invoice.kind === 'invoice' && unpaidStatuses.includes(invoice.status);
}

/** Whether a decimal string ("0.00", "12.5", "-3") is above zero, read digit by digit, never as a float. */
export function isPositiveDecimal(value: string): boolean {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  return !!m && /[1-9]/.test(m[1]! + (m[2] ?? ''));
}

/** An exact decimal quantity ("4.5", "1234.125") in the interface language, with every decimal it has. */
export function formatQuantity(quantity: string, locale: string): string {
  const decimals = quantity.split('.')[1]?.length ?? 0;
  return new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(quantity as `${number}`);
}

/**
 * When the subscriber's service next needs money: a prepaid plan runs until it is paid through, a
 * postpaid one is next invoiced; the earliest of the subscriptions still in service.
 */
export function nextRenewal(subscriptions: readonly Pick<Subscription, 'status' | 'nextBillAt'>[]): string | null {
  const dates = subscriptions
    .filter((s) => s.status === 'active' || s.status === 'grace')
    .map((s) => s.nextBillAt)
    .filter((d): d is string => d !== null)
    .sort();
  return dates[0] ?? null;
}
