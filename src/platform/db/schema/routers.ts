import type { Generated, Selectable } from 'kysely';

/** The tables of migration 20261122T0330_routers. */
export interface RouterBackupsTable {
  id: Generated<string>;
  nas_id: string;
  organization_id: string;
  trigger: 'schedule' | 'manual';
  content: string;
  sha256: string;
  size_bytes: number;
  created_at: Generated<Date>;
  created_by: string | null;
}

export interface RouterCommandsTable {
  id: Generated<bigint>;
  nas_id: string;
  organization_id: string;
  user_id: string | null;
  protocol: 'binary' | 'rest';
  command: string;
  outcome: 'ok' | 'trap' | 'error';
  message: string | null;
  duration_ms: number;
  at: Date;
}

export interface RouterTlsPinsTable {
  nas_id: string;
  fingerprint_sha256: string;
  pinned_at: Date;
  pinned_by: string | null;
}

export interface RouterTables {
  router_backups: RouterBackupsTable;
  router_commands: RouterCommandsTable;
  router_tls_pins: RouterTlsPinsTable;
}

export type RouterBackup = Selectable<RouterBackupsTable>;
export type RouterCommand = Selectable<RouterCommandsTable>;
