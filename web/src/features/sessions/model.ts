/**
 * Pure formatting for RADIUS sessions. Byte counters arrive as decimal text (64-bit, beyond a JS
 * number's exact range): they are scaled with BigInt and shown with one decimal in SI units, the
 * way ISPs sell data (1 GB = 10^9 bytes).
 */
const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

export function formatBytes(text: string, locale: string): string {
  const bytes = /^\d+$/.test(text) ? BigInt(text) : 0n;
  let unit = 0;
  let scale = 1n;
  while (unit < units.length - 1 && bytes >= scale * 1000n) {
    scale *= 1000n;
    unit++;
  }
  // Tenths, rounded half up, in integers.
  const tenths = (bytes * 10n + scale / 2n) / scale;
  const value = unit === 0 ? Number(bytes) : Number(tenths) / 10;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}

/**
 * 3725 → "1:02:05"; a day or more → "2d 03:00:00", with the reader's digits and their word for
 * day (fr "2j", sw "siku 2", bn "২ দিন"), from Intl so no language needs its own rule.
 */
export function formatDuration(seconds: number, locale = 'en'): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const digits = new Intl.NumberFormat(locale, { useGrouping: false });
  const two = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false });
  const clock = `${(days > 0 ? two : digits).format(Math.floor((s % 86_400) / 3600))}:${two.format(Math.floor((s % 3600) / 60))}:${two.format(s % 60)}`;
  if (days === 0) return clock;
  return `${new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'narrow' }).format(days)} ${clock}`;
}
