/**
 * Locale-aware formatting with Intl. Pure functions: the same input gives the same text, so they
 * are unit-tested. Money never passes through a float: amounts are integer minor units.
 */

export type DateInput = string | Date;

function toDate(value: DateInput): Date {
  return value instanceof Date ? value : new Date(value);
}

export function formatDate(value: DateInput, locale: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(toDate(value));
}

export function formatDateTime(value: DateInput, locale: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(toDate(value));
}

export function formatNumber(value: number | bigint, locale: string): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** How many digits the currency has after the decimal point (KES 2, JPY 0, BHD 3). */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Formats an amount of minor units (cents, paisa…) as money. The integer and fraction parts are
 * split with BigInt arithmetic and handed to Intl as a decimal string, which Intl formats exactly.
 */
export function formatMoney(minorUnits: string | bigint, currency: string, locale: string): string {
  const amount = typeof minorUnits === 'bigint' ? minorUnits : BigInt(minorUnits);
  const digits = currencyDigits(currency);
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const scale = 10n ** BigInt(digits);
  const whole = (abs / scale).toString();
  const fraction = digits > 0 ? `.${(abs % scale).toString().padStart(digits, '0')}` : '';
  const decimal = `${negative ? '-' : ''}${whole}${fraction}`;
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(decimal as `${number}`);
}

/** The currency's name in the interface language ("Kenyan Shilling", "shilingi ya Kenya"). */
export function currencyName(currency: string, locale: string): string {
  return new Intl.DisplayNames(locale, { type: 'currency' }).of(currency) ?? currency;
}
