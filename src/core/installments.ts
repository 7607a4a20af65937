/**
 * Installment plans for overdue balances: the schedule (amounts that sum exactly to what is owed,
 * in minor units, with the indivisible rest on the first or the last installment; calendar-correct
 * due dates) and how money paid so far covers the installments in order.
 */
import { Temporal } from 'temporal-polyfill';

export const frequencies = ['weekly', 'biweekly', 'monthly'] as const;
export type Frequency = (typeof frequencies)[number];

export interface ScheduleInput {
  /** What the plan covers, minor units. */
  readonly total: bigint;
  readonly count: number;
  /** 'YYYY-MM-DD'. */
  readonly firstDue: string;
  readonly frequency: Frequency;
  /** Where the minor units that do not divide evenly go. */
  readonly remainder: 'first' | 'last';
}

export interface ScheduledInstallment {
  readonly seq: number;
  readonly dueDate: string;
  readonly amount: bigint;
}

export const maxInstallments = 60;

/**
 * The n-th due date after the first: weeks are added as days; months from the first date each
 * time (not month by month), so a plan due on the 31st falls on Feb 28 (or 29), then Mar 31.
 */
export function nthDueDate(firstDue: string, frequency: Frequency, n: number): string {
  const first = Temporal.PlainDate.from(firstDue);
  if (frequency === 'monthly') return first.add({ months: n }).toString();
  return first.add({ days: n * (frequency === 'weekly' ? 7 : 14) }).toString();
}

export function installmentSchedule(input: ScheduleInput): ScheduledInstallment[] {
  const { total, count } = input;
  if (!Number.isInteger(count) || count < 1 || count > maxInstallments) throw new RangeError(`A plan has between 1 and ${maxInstallments} installments`);
  if (total <= 0n) throw new RangeError('A plan must cover more than zero');
  const n = BigInt(count);
  if (total < n) throw new RangeError('Each installment must be at least one minor unit');
  const base = total / n;
  const rest = total % n;
  const restAt = input.remainder === 'first' ? 0 : count - 1;
  return Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    dueDate: nthDueDate(input.firstDue, input.frequency, i),
    amount: i === restAt ? base + rest : base,
  }));
}

export interface InstallmentState {
  readonly amount: bigint;
  readonly dueDate: string;
}

export interface InstallmentProgress {
  readonly paid: bigint;
  readonly status: 'due' | 'paid' | 'overdue';
}

/**
 * What money paid towards the plan so far covers: the installments in order, each in full before
 * the next; one not fully paid after its due date (`today`, the organization's date) is overdue.
 */
export function coverInstallments(installments: readonly InstallmentState[], paidSoFar: bigint, today: string): InstallmentProgress[] {
  let left = paidSoFar > 0n ? paidSoFar : 0n;
  return installments.map((i) => {
    const paid = left >= i.amount ? i.amount : left;
    left -= paid;
    const status = paid === i.amount ? 'paid' : i.dueDate < today ? 'overdue' : 'due';
    return { paid, status };
  });
}

/** A plan is broken once an installment is still unpaid more than `graceDays` days after its due date. */
export function isBroken(installments: readonly InstallmentState[], progress: readonly InstallmentProgress[], today: string, graceDays: number): boolean {
  return installments.some((i, k) => progress[k]!.status === 'overdue' && Temporal.PlainDate.from(i.dueDate).add({ days: graceDays }).toString() < today);
}
