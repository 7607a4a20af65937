/**
 * Pure helpers of the usage charts: a day's bars from the daily usage API, and byte and time
 * amounts in the reader's language. Byte counts here only draw and label a chart (no money), so a
 * JS number is exact enough: 2^53 bytes is 9 petabytes a day.
 */

export interface UsageDay {
  date: string;
  downloadBytes: number;
  uploadBytes: number;
  sessionSeconds: number;
  usage: Record<string, string>;
}

export interface ChartDay {
  date: string;
  download: number;
  upload: number;
  /** Data known only from usage records (GB readings entered or imported), drawn when accounting has none. */
  metered: number;
  seconds: number;
}

/** A day's bars: accounting counters when there are any, else the day's GB and minutes readings. */
export function chartDays(days: readonly UsageDay[]): ChartDay[] {
  return days.map((d) => {
    const counted = d.downloadBytes + d.uploadBytes > 0;
    const gb = Number(d.usage.GB ?? 0);
    const minutes = Number(d.usage.minutes ?? 0);
    return {
      date: d.date,
      download: d.downloadBytes,
      upload: d.uploadBytes,
      metered: counted ? 0 : Math.round(gb * 1e9),
      seconds: d.sessionSeconds > 0 ? d.sessionSeconds : Math.round(minutes * 60),
    };
  });
}

export function totalsOf(days: readonly ChartDay[]) {
  return days.reduce((t, d) => ({ download: t.download + d.download, upload: t.upload + d.upload, metered: t.metered + d.metered, seconds: t.seconds + d.seconds }), { download: 0, upload: 0, metered: 0, seconds: 0 });
}

const byteUnits = [
  { unit: 'terabyte', size: 1e12 },
  { unit: 'gigabyte', size: 1e9 },
  { unit: 'megabyte', size: 1e6 },
  { unit: 'kilobyte', size: 1e3 },
] as const;

/** 1_500_000_000 → "1.5 GB" (decimal units, as ISPs sell data), in the reader's language. */
export function formatBytes(bytes: number, locale: string): string {
  const step = byteUnits.find((u) => bytes >= u.size);
  if (!step) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte', unitDisplay: 'short' }).format(bytes);
  return new Intl.NumberFormat(locale, { style: 'unit', unit: step.unit, unitDisplay: 'short', maximumFractionDigits: bytes / step.size < 10 ? 2 : 1 }).format(bytes / step.size);
}

/** 5400 → "1.5 hr", 600 → "10 min", in the reader's language. */
export function formatDuration(seconds: number, locale: string): string {
  if (seconds < 3600) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: 0 }).format(seconds / 60);
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 }).format(seconds / 3600);
}

/** A day as "3 Mar" in the reader's language (the API's dates are already the organization's days). */
export function formatDay(date: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}

function localClock(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

/**
 * The span a quota counts over, in the organization's zone, its end being when the quota is whole
 * again (as the portal writes a period): days when it runs midnight to midnight ("15 Mar" until
 * "15 Apr"), with the times when it starts at a time of day (prepaid validity: "3 Mar, 14:30").
 */
export function quotaPeriodLabel(startIso: string, endIso: string, timeZone: string, locale: string): { from: string; to: string } {
  const start = new Date(startIso);
  const end = new Date(endIso);
  const wholeDays = localClock(start, timeZone) === '00:00' && localClock(end, timeZone) === '00:00';
  const day = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short' });
  if (wholeDays) return { from: day.format(start), to: day.format(end) };
  const moment = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  return { from: moment.format(start), to: moment.format(end) };
}

/** How much of a quota is used, 0 to 100, for a progress bar. */
export function usedPercent(used: number, quota: number): number {
  if (quota <= 0) return 100;
  return Math.min(100, Math.round((used / quota) * 100));
}
