/**
 * Invoice numbers and invoice dates. A format holds `{seq}` or `{seq:N}` (zero-padded to N digits)
 * and may hold `{year}` (the issue date's year): `INV-{year}-{seq:6}` and 42 in 2026 →
 * `INV-2026-000042`. The counter never resets, so a number is unique whatever the format.
 */
import { Temporal } from 'temporal-polyfill';

const seqToken = /\{seq(?::(\d{1,2}))?\}/;
export const numberFormatPattern = /^[A-Za-z0-9/._-]{0,12}(\{year\}[A-Za-z0-9/._-]{0,6})?\{seq(:[1-9][0-9]?)?\}[A-Za-z0-9/._-]{0,12}$/;

/** `issueDate` is 'YYYY-MM-DD'. */
export function formatInvoiceNumber(format: string, n: bigint, issueDate: string): string {
  return format.replace('{year}', issueDate.slice(0, 4)).replace(seqToken, (_m, width: string | undefined) => n.toString().padStart(Number(width ?? 0), '0'));
}

/** The calendar date of an instant in a time zone, 'YYYY-MM-DD'. */
export function localDate(instant: Date, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

export function addDays(date: string, days: number): string {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}
