/** The API's network shapes (docs/openapi.json: Nas, NasDetail, NasEvent, IpPool, IpPoolDetail). */
export type NasType = 'mikrotik' | 'cisco' | 'juniper' | 'huawei' | 'generic';
export type NasStatus = 'unknown' | 'up' | 'down';

export interface NasEvent {
  id: string;
  nasId: string;
  nasName: string;
  kind: 'down' | 'up';
  at: string;
}

export interface Nas {
  id: string;
  organizationName: string;
  name: string;
  type: NasType;
  address: string;
  secretSet: boolean;
  requireMessageAuthenticator: boolean;
  warning: string | null;
  coaPort: number;
  location: string;
  description: string;
  managementApi: { kind: 'none' | 'rest' | 'binary'; port: number | null; tls: boolean; username: string | null; passwordSet: boolean };
  status: NasStatus;
  statusChangedAt: string | null;
  lastSeenAt: string | null;
  active: boolean;
}

export interface NasDetail extends Nas {
  events: NasEvent[];
}

export interface Utilization {
  total: string;
  reserved: string;
  used: string;
  free: string;
  percent: string;
}

export interface IpPool {
  id: string;
  name: string;
  family: 4 | 6;
  kind: 'address' | 'prefix';
  prefixLength: number | null;
  nasName: string | null;
  organizationName: string;
  subnetCount: number;
  utilization: Utilization;
}

export interface IpPoolDetail extends IpPool {
  subnets: { id: string; cidr: string; gateway: string | null; utilization: Utilization }[];
  assignments: { id: string; address: string; username: string | null; kind: 'static' | 'allocated' }[];
}

export const nasTypes: NasType[] = ['mikrotik', 'cisco', 'juniper', 'huawei', 'generic'];
export const statusColor: Record<NasStatus, string> = { up: 'green', down: 'red', unknown: 'gray' };
