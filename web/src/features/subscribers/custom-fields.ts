/** The ISP's own fields of a subscriber (router serial, referral…) as editable rows, and back. */
export interface CustomField {
  name: string;
  value: string;
}

export function customFieldRows(fields: Record<string, unknown> | undefined): CustomField[] {
  return Object.entries(fields ?? {}).map(([name, value]) => ({ name, value: value === null || value === undefined ? '' : String(value) }));
}

/** Rows without a name are dropped; a later row of the same name wins, as it would on screen. */
export function customFieldRecord(rows: readonly CustomField[]): Record<string, string> {
  return Object.fromEntries(rows.filter((r) => r.name.trim()).map((r) => [r.name.trim(), r.value.trim()]));
}
