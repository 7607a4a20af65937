import type { Schemas } from '../../api/client.ts';

export type PaymentStanding = Schemas['PaymentStanding'];
export type Dispute = Schemas['Dispute'];
export type DisputeDetail = Schemas['DisputeDetail'];
export type PlanDetail = Schemas['InstallmentPlanDetail'];

export const disputeColors: Record<Dispute['status'], string> = { open: 'orange', under_review: 'violet', resolved: 'teal', rejected: 'gray' };
export const planColors: Record<PlanDetail['status'], string> = { active: 'blue', completed: 'teal', broken: 'red', cancelled: 'gray' };
export const installmentColors: Record<PlanDetail['installments'][number]['status'], string> = { due: 'blue', paid: 'teal', overdue: 'red' };

/** What staff may do with an invoice here: dispute it, write it off, or agree a plan for it. */
export function invoiceCaseActions(invoice: { kind: string; status: string }, can: (permission: string) => boolean): ('dispute' | 'writeOff' | 'plan')[] {
  if (invoice.kind !== 'invoice') return [];
  const unpaid = ['open', 'partially_paid', 'overdue'].includes(invoice.status);
  const issued = unpaid || invoice.status === 'paid';
  return [
    ...(issued && can('payments.create') ? (['dispute'] as const) : []),
    ...(unpaid && can('payments.update') ? (['plan', 'writeOff'] as const) : []),
  ];
}
