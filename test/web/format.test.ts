import { describe, expect, it } from 'vitest';
import { currencyDigits, currencyName, formatDate, formatDateTime, formatMoney, formatNumber } from '../../web/src/lib/format.ts';

describe('formatMoney', () => {
  it('formats minor units with the currency’s own number of decimals', () => {
    expect(formatMoney('123456', 'KES', 'en')).toBe('KES\u00a01,234.56');
    expect(formatMoney(123456n, 'USD', 'en')).toBe('$1,234.56');
    expect(formatMoney('1500', 'JPY', 'en')).toBe('¥1,500');
    expect(formatMoney('1234', 'BHD', 'en')).toBe('BHD\u00a01.234');
  });

  it('is exact beyond the range of floating point numbers', () => {
    expect(formatMoney('900719925474099312', 'USD', 'en')).toBe('$9,007,199,254,740,993.12');
    expect(formatMoney('1', 'USD', 'en')).toBe('$0.01');
    expect(formatMoney('0', 'USD', 'en')).toBe('$0.00');
  });

  it('keeps the sign of negative amounts', () => {
    expect(formatMoney('-5', 'USD', 'en')).toBe('-$0.05');
    expect(formatMoney(-123456n, 'KES', 'en')).toBe('-KES\u00a01,234.56');
  });

  it('follows the locale’s separators and digits', () => {
    expect(formatMoney('123456', 'EUR', 'fr')).toBe('1\u202f234,56\u00a0€');
    expect(formatMoney('123456', 'BDT', 'bn')).toBe('১,২৩৪.৫৬৳');
    expect(formatMoney('123456', 'KES', 'sw')).toBe('Ksh\u00a01,234.56');
  });

  it('rejects amounts that are not whole minor units', () => {
    expect(() => formatMoney('12.5', 'USD', 'en')).toThrow();
  });
});

describe('currencyDigits', () => {
  it('reads the minor-unit digits from Intl', () => {
    expect(currencyDigits('KES')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
  });
});

describe('dates and numbers', () => {
  const instant = '2026-03-01T21:30:00Z';

  it('shows dates in the given time zone', () => {
    expect(formatDate(instant, 'en', 'Africa/Nairobi')).toBe('Mar 2, 2026');
    expect(formatDate(instant, 'en', 'UTC')).toBe('Mar 1, 2026');
    expect(formatDateTime(instant, 'en', 'Asia/Dhaka')).toBe('Mar 2, 2026, 3:30 AM');
  });

  it('uses the locale’s month names and digits', () => {
    expect(formatDate(instant, 'fr', 'UTC')).toBe('1 mars 2026');
    expect(formatDate(instant, 'ar', 'UTC')).toBe('01\u200f/03\u200f/2026');
    expect(formatNumber(1234567, 'bn')).toBe('১২,৩৪,৫৬৭');
    expect(formatNumber(1234567n, 'en')).toBe('1,234,567');
  });

  it('names currencies in the interface language', () => {
    expect(currencyName('KES', 'en')).toBe('Kenyan Shilling');
    expect(currencyName('BDT', 'fr')).toBe('taka bangladeshi');
  });
});
