import type { Generated, Selectable } from 'kysely';

export interface IpPoolsTable {
  id: Generated<string>;
  organization_id: string;
  nas_id: string | null;
  name: string;
  family: 4 | 6;
  kind: Generated<'address' | 'prefix'>;
  prefix_length: number | null;
  description: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface IpSubnetsTable {
  id: Generated<string>;
  pool_id: string;
  organization_id: string;
  cidr: string;
  gateway: string | null;
  description: Generated<string>;
  created_at: Generated<Date>;
}

export interface IpReservationsTable {
  id: Generated<string>;
  subnet_id: string;
  first_address: string;
  last_address: string;
  reason: Generated<string>;
  created_at: Generated<Date>;
}

export interface IpAssignmentsTable {
  id: Generated<string>;
  pool_id: string;
  subnet_id: string;
  organization_id: string;
  address: string;
  subscription_id: string | null;
  kind: 'static' | 'allocated';
  note: Generated<string>;
  created_at: Generated<Date>;
}

export interface NasEventsTable {
  id: Generated<string>;
  nas_id: string;
  organization_id: string;
  kind: 'down' | 'up';
  at: Date;
  details: Generated<Record<string, unknown>>;
}

/** The tables of migration 20261122T0320_ipam. */
export interface IpamTables {
  ip_pools: IpPoolsTable;
  ip_subnets: IpSubnetsTable;
  ip_reservations: IpReservationsTable;
  ip_assignments: IpAssignmentsTable;
  nas_events: NasEventsTable;
}

export type IpPool = Selectable<IpPoolsTable>;
export type IpSubnet = Selectable<IpSubnetsTable>;
export type IpAssignment = Selectable<IpAssignmentsTable>;
export type NasEvent = Selectable<NasEventsTable>;
