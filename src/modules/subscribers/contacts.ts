import type { FieldError } from '../../platform/errors.ts';
import { normalisePhone } from './phones.ts';
import type { AddressInput, ContactInput } from './subscribers.schemas.ts';

const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface ContactRow {
  id?: string;
  kind: ContactInput['kind'];
  value: string;
  label: string | null;
  is_primary: boolean;
}

/**
 * Contacts as stored: phones in E.164, e-mail addresses in lower case, one primary per kind (the
 * first of a kind when none is marked). Problems are answered per field (`contacts.2.value`).
 */
export function normaliseContacts(input: readonly ContactInput[], country: string | undefined, field = 'contacts'): { rows: ContactRow[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const rows: ContactRow[] = [];
  const seen = new Set<string>();
  input.forEach((c, i) => {
    const value = c.kind === 'email' ? (email.test(c.value) ? c.value.toLowerCase() : null) : normalisePhone(c.value, country);
    if (!value) {
      errors.push({ field: `${field}.${i}.value`, message: c.kind === 'email' ? 'is not an e-mail address' : 'is not a phone number (give the country code, e.g. +255…, for numbers from abroad)' });
      return;
    }
    if (seen.has(`${c.kind}:${value}`)) {
      errors.push({ field: `${field}.${i}.value`, message: 'is listed twice' });
      return;
    }
    seen.add(`${c.kind}:${value}`);
    rows.push({ ...(c.id ? { id: c.id } : {}), kind: c.kind, value, label: c.label ?? null, is_primary: c.primary });
  });
  for (const kind of ['phone', 'email', 'whatsapp'] as const) {
    const ofKind = rows.filter((r) => r.kind === kind);
    const primaries = ofKind.filter((r) => r.is_primary);
    if (primaries.length > 1) errors.push({ field, message: `has more than one primary ${kind}` });
    if (primaries.length === 0 && ofKind[0]) ofKind[0].is_primary = true;
  }
  return { rows, errors };
}

export function addressRows(input: readonly AddressInput[]) {
  return input.map((a) => ({
    ...(a.id ? { id: a.id } : {}),
    label: a.label ?? null,
    line1: a.line1,
    line2: a.line2 ?? null,
    city: a.city ?? null,
    region: a.region ?? null,
    country: a.country ?? null,
    latitude: a.latitude ?? null,
    longitude: a.longitude ?? null,
    is_installation: a.installation,
  }));
}
