import type { Schemas } from '../../api/client.ts';

export type Payment = Schemas['Payment'];
export type PaymentDetail = Schemas['PaymentDetail'];
export type PaymentReport = Schemas['PaymentReport'];

/** What staff record by hand; gateways and cards bring their own channels. */
export const staffMethods = ['cash', 'bank_transfer', 'cheque', 'mobile_transfer'] as const;
export type StaffMethod = (typeof staffMethods)[number];
export const paymentStatuses = ['applied', 'unapplied', 'partially_refunded', 'refunded', 'reversed'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];
/** Channels the list filters by: the staff methods and the gateways. */
export const channels = [...staffMethods, 'mpesa', 'bkash', 'nagad', 'stripe', 'paypal', 'card'] as const;

export const statusColors: Record<PaymentStatus, string> = { applied: 'teal', unapplied: 'orange', partially_refunded: 'yellow', refunded: 'gray', reversed: 'red' };

/** Gateways go by their own names in every language. */
export const gatewayNames: Record<string, string> = { mpesa: 'M-PESA', bkash: 'bKash', nagad: 'Nagad', stripe: 'Stripe', paypal: 'PayPal' };
const translated = new Set<string>([...staffMethods, 'card']);

/** A channel's name: a staff method or a card translated, a gateway by its name, a bank adapter's `bank:<code>` with the bank code. */
export function channelLabel(channel: string, t: (key: string) => string): string {
  if (translated.has(channel)) return t(`payments.channel.${channel}`);
  if (gatewayNames[channel]) return gatewayNames[channel];
  return channel.startsWith('bank:') ? `${t('payments.channel.bank_transfer')} (${channel.slice(5)})` : channel;
}

/** The first day of this month and today, as YYYY-MM-DD in the browser's zone (the report's default range). */
export function thisMonth(now = new Date()): [string, string] {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return [day(new Date(now.getFullYear(), now.getMonth(), 1)), day(now)];
}
