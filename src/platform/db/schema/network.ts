import type { Generated, Selectable } from 'kysely';

/** The NAS table (migration 20261122T0310_network). */
export interface NasDevicesTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  type: 'mikrotik' | 'cisco' | 'juniper' | 'huawei' | 'generic';
  address: string;
  secret_enc: string;
  require_message_authenticator: Generated<boolean>;
  coa_port: Generated<number>;
  location: Generated<string>;
  latitude: string | null;
  longitude: string | null;
  description: Generated<string>;
  api_kind: Generated<'none' | 'rest' | 'binary'>;
  api_port: number | null;
  api_tls: Generated<boolean>;
  api_username: string | null;
  api_password_enc: string | null;
  status: Generated<'unknown' | 'up' | 'down'>;
  status_changed_at: Date | null;
  last_seen_at: Date | null;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface NetworkTables {
  nas_devices: NasDevicesTable;
}

export type NasDevice = Selectable<NasDevicesTable>;
