import type { OrganizationKind } from '../platform/db/schema.ts';

/** Which kinds of organization may sit under which: the ISP's business model as data. */
export const allowedChildKinds: Record<OrganizationKind, readonly OrganizationKind[]> = {
  isp: ['reseller', 'card_partner'],
  reseller: ['sub_reseller', 'card_partner'],
  sub_reseller: ['sub_reseller', 'card_partner'],
  card_partner: [],
};

export function canHoldChild(parent: OrganizationKind, child: OrganizationKind): boolean {
  return allowedChildKinds[parent].includes(child);
}

export function childPath(parentPath: string, childId: string): string {
  return `${parentPath}${childId}/`;
}

export function rootPath(id: string): string {
  return `/${id}/`;
}

/** Ids on the path from the root down to the organization itself. */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean);
}

const currencies = new Set(Intl.supportedValuesOf('currency'));
const timeZones = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

export function isCurrencyCode(code: string): boolean {
  return currencies.has(code);
}

export function isTimeZone(tz: string): boolean {
  return timeZones.has(tz);
}
