import type { SubscriberStatus } from '../../platform/db/schema.ts';
import { phoneSearchForms } from './phones.ts';

const seqToken = /\{seq(?::(\d{1,2}))?\}/;

/** `KIL-{seq:6}` and 123 → `KIL-000123`. */
export function formatAccountNumber(format: string, n: bigint): string {
  return format.replace(seqToken, (_m, width: string | undefined) => n.toString().padStart(Number(width ?? 0), '0'));
}

/** What the search index holds for a subscriber: lower-case names, numbers and every contact in the forms people type. */
/** What identifies a subscriber's service on the network: its login, bound MAC and static addresses. */
export interface ServiceIdentifiers {
  readonly username: string | null;
  readonly mac_address: string | null;
  readonly static_ipv4: string | null;
  readonly static_ipv6_prefix: string | null;
}

export function searchTextOf(
  s: { name: string; companyName: string | null; accountNumber: string; nationalId: string | null },
  contacts: readonly { kind: string; value: string }[],
  services: readonly ServiceIdentifiers[] = [],
): string {
  const parts = [s.name, s.companyName, s.accountNumber, s.nationalId];
  for (const c of contacts) parts.push(...(c.kind === 'email' ? [c.value] : phoneSearchForms(c.value)));
  // A MAC is typed with colons, dashes or nothing between its bytes; an address without its mask.
  for (const v of services)
    parts.push(v.username, v.mac_address, v.mac_address?.replaceAll(':', '') ?? null, v.mac_address?.replaceAll(':', '-') ?? null, v.static_ipv4?.replace(/\/32$/, '') ?? null, v.static_ipv6_prefix);
  return parts.filter((p): p is string => !!p).join(' ').toLowerCase();
}

/**
 * Which status may follow which. A lead becomes active (or is archived); an active subscriber may be
 * suspended (unpaid, on request) or disconnected (service removed); either comes back to active;
 * an archived record may be restored as a lead or straight to active.
 */
export const statusTransitions: Record<SubscriberStatus, readonly SubscriberStatus[]> = {
  lead: ['active', 'archived'],
  active: ['suspended', 'disconnected', 'archived'],
  suspended: ['active', 'disconnected', 'archived'],
  disconnected: ['active', 'archived'],
  archived: ['lead', 'active'],
};

/** Going to these statuses needs a reason in the history. */
export const statusesNeedingReason: readonly SubscriberStatus[] = ['suspended', 'disconnected', 'archived'];

export function canChangeStatus(from: SubscriberStatus, to: SubscriberStatus): boolean {
  return statusTransitions[from].includes(to);
}
