/** The tables of migration 20261122T0320_ipam. */
export interface IpamTables {}
