/**
 * Which usage a fair-usage quota counts, with no I/O. The quota runs over the subscription's
 * billing period (src/core/periods.ts): a prepaid validity period, a postpaid cycle, anniversary or
 * calendar. Accounting keeps each session's counters at the end of every local day it was seen
 * (radacct_days), and the roll-up turns them into one usage record per subscription and day. So a
 * period that starts at local midnight counts whole days; one that starts during a day (prepaid
 * validity, counted from the moment of purchase) counts the days after its first whole, and of its
 * first day only the part of each session after the start (the session's time on that day split at
 * the start instant, its bytes pro rata).
 */
import { Temporal } from 'temporal-polyfill';
import type { BillingPeriod } from './periods.ts';

export interface QuotaWindow {
  readonly period: BillingPeriod;
  /** The organization-local date the period starts on, YYYY-MM-DD. */
  readonly startDay: string;
  /** The period starts during its first day (after local midnight): that day counts in part. */
  readonly partialStart: boolean;
  /** The first day counted whole: startDay, or the day after it when the start is partial. */
  readonly firstWholeDay: string;
}

function zoned(instant: Date, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone);
}

/** The local date of an instant in the zone, YYYY-MM-DD. */
export function localDay(instant: Date, timeZone: string): string {
  return zoned(instant, timeZone).toPlainDate().toString();
}

/** The first instant of a local date in the zone (the start of the day where midnight is skipped). */
export function dayStart(day: string, timeZone: string): Date {
  return new Date(Temporal.PlainDate.from(day).toZonedDateTime({ timeZone }).epochMilliseconds);
}

export function quotaWindow(period: BillingPeriod): QuotaWindow {
  const start = zoned(period.start, period.timeZone);
  const date = start.toPlainDate();
  const partialStart = !start.equals(start.startOfDay());
  return { period, startDay: date.toString(), partialStart, firstWholeDay: (partialStart ? date.add({ days: 1 }) : date).toString() };
}

/** Later of two YYYY-MM-DD dates (ISO dates compare as text). */
export function laterDay(a: string, b: string): string {
  return a > b ? a : b;
}
