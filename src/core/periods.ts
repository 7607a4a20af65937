/**
 * Billing periods in the organization's IANA time zone, with calendar arithmetic.
 *
 * Temporal comes from `temporal-polyfill` (FullCalendar's implementation of the finished
 * proposal): Node 20 has no native Temporal; this polyfill is small, has no install scripts and no
 * engines restriction, and uses the runtime's own Intl time-zone data, so its answers match the
 * tzdata Node ships. The reference polyfill `@js-temporal/polyfill` is still 0.x, pulls in jsbi
 * and is several times slower, which matters when a billing run computes a million periods.
 *
 * A period is [start, end) as instants. Every start is computed from the anchor and the period's
 * index, never from the previous period, so an anchor on the 31st gives Jan 31, Feb 29, Mar 31
 * rather than drifting to the 29th; and the end of one period is by construction the start of the
 * next, so there is never a gap or an overlap. Month and day cycles start at local midnight (the
 * start of the day, for zones where midnight is skipped), which makes DST days 23 or 25 hours
 * long instead of moving the boundary by an hour.
 */
import { Temporal } from 'temporal-polyfill';

export type BillingCycle =
  /** Anniversary cycles: periods start on the anchor date's day, every 1, 3 or 12 months. */
  | { readonly kind: 'monthly' | 'quarterly' | 'yearly'; readonly anchorDate: string }
  /** Calendar cycles: the 1st of each month, of each calendar quarter, or 1 January. */
  | { readonly kind: 'calendar'; readonly every: 'month' | 'quarter' | 'year' }
  /** One calendar day, midnight to midnight (daily PPPoE billing). */
  | { readonly kind: 'daily' }
  /**
   * Prepaid validity counted from the moment of purchase: N elapsed hours, or N calendar days
   * ending at the same local time of day.
   */
  | { readonly kind: 'validity'; readonly unit: 'hours' | 'days'; readonly length: number; readonly startsAt: Date };

export interface BillingSchedule {
  readonly cycle: BillingCycle;
  /** The organization's IANA time zone, e.g. Africa/Nairobi. */
  readonly timeZone: string;
}

export interface BillingPeriod {
  /** First instant of the period (inclusive). */
  readonly start: Date;
  /** First instant of the next period (exclusive). */
  readonly end: Date;
  readonly timeZone: string;
}

/** The n-th period start of a cycle, and a cheap first guess of which n holds an instant. */
interface PeriodSequence {
  startOf(index: number): Temporal.ZonedDateTime;
  guess(at: Temporal.ZonedDateTime): number;
}

const monthsPerPeriod = { monthly: 1, quarterly: 3, yearly: 12, month: 1, quarter: 3, year: 12 } as const;
const epochDate = Temporal.PlainDate.from('1970-01-01');
const isoDatePattern = /^\d{4}-\d{2}-\d{2}$/;

function zoned(instant: Date, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone);
}

function toDate(moment: Temporal.ZonedDateTime): Date {
  return new Date(moment.epochMilliseconds);
}

function parseAnchorDate(text: string): Temporal.PlainDate {
  if (!isoDatePattern.test(text)) throw new RangeError(`Anchor date must be YYYY-MM-DD, got "${text}"`);
  return Temporal.PlainDate.from(text, { overflow: 'reject' });
}

/**
 * Period n starts in the n-th month step after the anchor's month, on the anchor's day or the
 * month's last day when the month is shorter (anchor 31 → Feb 28/29, then Mar 31 again).
 */
function monthSequence(anchor: Temporal.PlainDate, months: number, timeZone: string): PeriodSequence {
  const anchorMonth = anchor.toPlainYearMonth();
  return {
    startOf(index) {
      const month = anchorMonth.add({ months: index * months });
      const day = Math.min(anchor.day, month.daysInMonth);
      return month.toPlainDate({ day }).toZonedDateTime({ timeZone });
    },
    guess(at) {
      const monthsSinceAnchor = (at.year - anchor.year) * 12 + (at.month - anchor.month);
      return Math.floor(monthsSinceAnchor / months);
    },
  };
}

function dailySequence(timeZone: string): PeriodSequence {
  return {
    startOf: (index) => epochDate.add({ days: index }).toZonedDateTime({ timeZone }),
    guess: (at) => epochDate.until(at.toPlainDate()).days,
  };
}

function validitySequence(origin: Temporal.ZonedDateTime, unit: 'hours' | 'days', length: number): PeriodSequence {
  if (!Number.isSafeInteger(length) || length <= 0) {
    throw new RangeError(`Validity length must be a positive whole number of ${unit}, got ${length}`);
  }
  if (unit === 'hours') {
    const periodMs = length * 3_600_000;
    return {
      startOf: (index) => origin.add({ hours: index * length }),
      guess: (at) => Math.floor((at.epochMilliseconds - origin.epochMilliseconds) / periodMs),
    };
  }
  return {
    startOf: (index) => origin.add({ days: index * length }),
    guess: (at) => Math.floor(origin.toPlainDate().until(at.toPlainDate()).days / length),
  };
}

function sequenceFor({ cycle, timeZone }: BillingSchedule): PeriodSequence {
  switch (cycle.kind) {
    case 'monthly':
    case 'quarterly':
    case 'yearly':
      return monthSequence(parseAnchorDate(cycle.anchorDate), monthsPerPeriod[cycle.kind], timeZone);
    case 'calendar':
      return monthSequence(epochDate, monthsPerPeriod[cycle.every], timeZone);
    case 'daily':
      return dailySequence(timeZone);
    case 'validity':
      return validitySequence(zoned(cycle.startsAt, timeZone), cycle.unit, cycle.length);
  }
}

/** Index of the period holding `at`: the guess is within a step or two, so walk to the truth. */
function indexContaining(sequence: PeriodSequence, at: Temporal.ZonedDateTime): number {
  let index = sequence.guess(at);
  while (Temporal.ZonedDateTime.compare(sequence.startOf(index), at) > 0) index -= 1;
  while (Temporal.ZonedDateTime.compare(sequence.startOf(index + 1), at) <= 0) index += 1;
  return index;
}

/** The period containing `instant` and the `count - 1` periods after it, contiguous. */
export function periodsFrom(schedule: BillingSchedule, instant: Date, count: number): BillingPeriod[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`Period count must be a whole number, got ${count}`);
  const sequence = sequenceFor(schedule);
  const first = indexContaining(sequence, zoned(instant, schedule.timeZone));
  const starts = Array.from({ length: count + 1 }, (_, offset) => toDate(sequence.startOf(first + offset)));
  return starts.slice(0, count).map((start, offset) => ({
    start,
    end: starts[offset + 1] as Date,
    timeZone: schedule.timeZone,
  }));
}

/** The billing period that contains `instant`. */
export function periodContaining(schedule: BillingSchedule, instant: Date): BillingPeriod {
  return periodsFrom(schedule, instant, 1)[0] as BillingPeriod;
}

/**
 * Whole calendar days from one instant to another in the zone: a 23-hour DST day counts as one
 * day. Refuses spans that are not whole days, since day-based proration would be wrong for them.
 */
export function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
  const start = zoned(from, timeZone);
  const end = zoned(to, timeZone);
  const days = start.until(end, { largestUnit: 'days' }).days;
  if (!start.add({ days }).equals(end)) {
    throw new RangeError(`${from.toISOString()} to ${to.toISOString()} is not a whole number of days in ${timeZone}`);
  }
  return days;
}

/**
 * Whole calendar days that have passed from `from` to `to` in the zone; a day in progress does not
 * count. From local midnight, 15:00 on the same day is 0 days; the next midnight is 1 day even
 * when DST made that day 23 hours long.
 */
export function elapsedDays(from: Date, to: Date, timeZone: string): number {
  return zoned(from, timeZone).until(zoned(to, timeZone), { largestUnit: 'days' }).days;
}

/** Calendar days in a period: 28 to 31 for a month, 1 for a day whatever its length in hours. */
export function daysInPeriod(period: BillingPeriod): number {
  return calendarDaysBetween(period.start, period.end, period.timeZone);
}
