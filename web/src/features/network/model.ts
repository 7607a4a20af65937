import type { Schemas } from '../../api/client.ts';

/** The API's network shapes, from the generated types (docs/openapi.json). */
export type Nas = Schemas['Nas'];
export type NasDetail = Schemas['NasDetail'];
export type NasEvent = Schemas['NasEvent'];
export type NasType = Nas['type'];
export type NasStatus = Nas['status'];
export type Utilization = Schemas['IpUtilization'];
export type IpPool = Schemas['IpPool'];
export type IpPoolDetail = Schemas['IpPoolDetail'];

export type ApiKind = Nas['managementApi']['kind'];
export const apiKinds: ApiKind[] = ['none', 'rest', 'binary'];
export const nasTypes: NasType[] = ['mikrotik', 'cisco', 'juniper', 'huawei', 'generic'];
/** Makers' names are the same in every language; only "other" is translated. */
const brands: Record<Exclude<NasType, 'generic'>, string> = { mikrotik: 'MikroTik', cisco: 'Cisco', juniper: 'Juniper', huawei: 'Huawei' };
export const nasTypeLabel = (type: NasType, t: (key: string) => string) => (type === 'generic' ? t('network.type.generic') : brands[type]);
export const statusColor: Record<NasStatus, string> = { up: 'green', down: 'red', unknown: 'gray' };

/** Latitude, longitude to the metre (six decimals), in the reader's digits. */
export function formatCoordinates(c: { latitude: number; longitude: number }, locale: string): string {
  const f = new Intl.NumberFormat(locale, { maximumFractionDigits: 6 });
  return `${f.format(c.latitude)}, ${f.format(c.longitude)}`;
}
