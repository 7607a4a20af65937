/** The tables of migration 20261122T0330_routers. */
export interface RouterTables {}
