/**
 * Phone numbers are stored in E.164 (+254712345678) whatever way staff type them. A number in a
 * country's local form (0712 345 678) is read in the organization's country, known from its
 * currency; elsewhere a number needs its country code. Search also matches the local form, so
 * both forms go into a subscriber's search text.
 */
interface Country {
  callingCode: string;
  /** The national significant number, without the trunk 0. */
  national: RegExp;
}

const countries: Record<string, Country> = {
  KE: { callingCode: '254', national: /^[17]\d{8}$/ },
  BD: { callingCode: '880', national: /^1[3-9]\d{8}$/ },
};

const countryOfCurrency: Record<string, string> = { KES: 'KE', BDT: 'BD' };

/** The country whose local phone numbers an organization's staff type, or undefined. */
export function phoneCountryOf(currency: string): string | undefined {
  return countryOfCurrency[currency];
}

/** E.164 for what was typed, or null when it cannot be a phone number. */
export function normalisePhone(input: string, country?: string): string | null {
  let s = input.trim().replace(/[\s().-]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (s.startsWith('+')) return /^\+[1-9]\d{7,14}$/.test(s) ? checkKnown(s) : null;
  if (!/^\d+$/.test(s)) return null;
  for (const c of Object.values(countries)) {
    if (s.startsWith(c.callingCode) && c.national.test(s.slice(c.callingCode.length))) return `+${s}`;
  }
  const local = country ? countries[country] : undefined;
  if (!local) return null;
  const national = s.startsWith('0') ? s.slice(1) : s;
  return local.national.test(national) ? `+${local.callingCode}${national}` : null;
}

/** A number with a known country code must also have that country's shape. */
function checkKnown(e164: string): string | null {
  const digits = e164.slice(1);
  for (const c of Object.values(countries)) {
    if (digits.startsWith(c.callingCode)) return c.national.test(digits.slice(c.callingCode.length)) ? e164 : null;
  }
  return e164;
}

/** The forms a person may search a stored number by: E.164 and, for known countries, the local 0… form. */
export function phoneSearchForms(e164: string): string[] {
  const digits = e164.slice(1);
  for (const c of Object.values(countries)) {
    if (digits.startsWith(c.callingCode)) return [e164, `0${digits.slice(c.callingCode.length)}`];
  }
  return [e164];
}

/** Search text that looks like a phone number (digits and separators, six digits or more) as bare digits. */
export function phoneSearchTerm(query: string): string | null {
  if (!/^\+?[\d\s().-]+$/.test(query.trim())) return null;
  // Groups of at most three digits between dots are an IPv4 address (or part of one), not a phone.
  if (/^\d{1,3}(\.\d{1,3}){2,3}\.?$/.test(query.trim())) return null;
  const digits = query.replace(/\D/g, '');
  return digits.length >= 6 ? digits : null;
}
