import { formatMoney, minorDigits } from '../../../core/money.ts';
import type { Locale } from './labels.ts';

const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;

function decimals(text: string): number {
  return decimalPattern.exec(text)?.[3]?.length ?? 0;
}

/** "16" → "0.16", "7.5" → "0.075": a percentage as a fraction, by moving the decimal point in the text. */
function percentToFraction(rate: string): string {
  const m = decimalPattern.exec(rate);
  if (!m) throw new RangeError(`Not a decimal rate: "${rate}"`);
  const [, sign = '', whole = '', fraction = ''] = m;
  const padded = whole.padStart(3, '0');
  return `${sign}${padded.slice(0, -2)}.${padded.slice(-2)}${fraction}`;
}

/**
 * Numbers, amounts and dates as a reader of the language expects them (grouping, decimal sign,
 * digits: Bengali digits in Bangla). Amounts go to Intl as exact decimal strings, which it formats
 * without converting to a float; the fraction digits are the currency's, so nothing is rounded.
 */
export class Formatter {
  private readonly numbers = new Map<string, Intl.NumberFormat>();

  constructor(
    readonly locale: Locale,
    readonly timeZone: string,
  ) {}

  private numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
    let f = this.numbers.get(key);
    if (!f) this.numbers.set(key, (f = new Intl.NumberFormat(this.locale, options)));
    return f;
  }

  /** An exact decimal string with all its digits: quantities, tier bounds. */
  decimal(text: string): string {
    const digits = decimals(text);
    return this.numberFormat(`d${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(text as Intl.StringNumericLiteral);
  }

  /**
   * Minor units, or a major-unit decimal string, without the currency (table cells): at least the
   * currency's digits, and every digit a unit price was set with (0.4375 per GB).
   */
  amount(value: bigint | string, currency: string): string {
    const text = typeof value === 'bigint' ? formatMoney({ minor: value, currency }) : value;
    const digits = Math.max(minorDigits(currency), decimals(text));
    return this.numberFormat(`a${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(text as Intl.StringNumericLiteral);
  }

  /** An amount with its currency code, placed as the language places it: "KES 1,500.00", "1 500,00 KES". */
  money(value: bigint | string, currency: string): string {
    const text = typeof value === 'bigint' ? formatMoney({ minor: value, currency }) : value;
    const digits = Math.max(minorDigits(currency), decimals(text));
    return this.numberFormat(`m${currency}${digits}`, {
      style: 'currency',
      currency,
      currencyDisplay: 'code',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(text as Intl.StringNumericLiteral);
  }

  /** A tax rate given in percent ("16") as the language writes a percentage: 16%, 16 %, ١٦٪. */
  percent(rate: string): string {
    const fraction = percentToFraction(rate);
    const digits = Math.max(0, decimals(fraction) - 2);
    return this.numberFormat(`p${digits}`, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(fraction as Intl.StringNumericLiteral);
  }

  /** A calendar date stored as 'YYYY-MM-DD' (issue and due dates). */
  date(isoDate: string): string {
    return new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`));
  }

  /** The local date of an instant in the organization's time zone. */
  dateOf(instant: Date): string {
    return new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeZone: this.timeZone }).format(instant);
  }

  /** A billing period [start, end): the end is exclusive, so the last day shown is the one before it. */
  period(start: Date, end: Date): string {
    return `${this.dateOf(start)} – ${this.dateOf(new Date(end.getTime() - 1))}`;
  }
}
