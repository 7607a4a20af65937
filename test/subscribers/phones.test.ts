import { describe, expect, it } from 'vitest';
import { normalisePhone, phoneSearchForms, phoneSearchTerm } from '../../src/modules/subscribers/phones.ts';
import { formatAccountNumber } from '../../src/modules/subscribers/subscribers.rules.ts';

describe('phone numbers', () => {
  it.each([
    ['0712345678', 'KE', '+254712345678'],
    ['0712 345 678', 'KE', '+254712345678'],
    ['712345678', 'KE', '+254712345678'],
    ['0110 123456', 'KE', '+254110123456'],
    ['+254 712-345-678', undefined, '+254712345678'],
    ['254712345678', undefined, '+254712345678'],
    ['00254712345678', undefined, '+254712345678'],
    ['01712345678', 'BD', '+8801712345678'],
    ['017-1234-5678', 'BD', '+8801712345678'],
    ['8801712345678', 'KE', '+8801712345678'],
    ['+255 754 123 456', 'KE', '+255754123456'],
  ])('%s (in %s) is %s', (input, country, expected) => {
    expect(normalisePhone(input, country)).toBe(expected);
  });

  it.each([
    ['12345', 'KE'],
    ['0712345678', undefined],
    ['0812345678', 'KE'],
    ['01212345678', 'BD'],
    ['+25471234567', undefined],
    ['+2547123456789', undefined],
    ['phone 0712345678', 'KE'],
    ['+0712345678', 'KE'],
  ])('%s (in %s) is refused', (input, country) => {
    expect(normalisePhone(input, country)).toBeNull();
  });

  it('searches by the stored and the local form, and reads phone-like search text as digits', () => {
    expect(phoneSearchForms('+254712345678')).toEqual(['+254712345678', '0712345678']);
    expect(phoneSearchForms('+8801712345678')).toEqual(['+8801712345678', '01712345678']);
    expect(phoneSearchForms('+255754123456')).toEqual(['+255754123456']);
    expect(phoneSearchTerm('0712 345 678')).toBe('0712345678');
    expect(phoneSearchTerm('+254-712')).toBe('254712');
    expect(phoneSearchTerm('0712')).toBeNull();
    expect(phoneSearchTerm('KIL-000123')).toBeNull();
    expect(phoneSearchTerm('10.20.30.41')).toBeNull();
    expect(phoneSearchTerm('0712.345.678')).toBe('0712345678');
  });
});

describe('account numbers', () => {
  it('fill the format’s {seq} with the zero-padded number', () => {
    expect(formatAccountNumber('KIL-{seq:6}', 123n)).toBe('KIL-000123');
    expect(formatAccountNumber('{seq}', 7n)).toBe('7');
    expect(formatAccountNumber('NBO/{seq:4}/F', 12345n)).toBe('NBO/12345/F');
  });
});
